package kyc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/identity"
	"creditpocket/internal/screening"
)

// Status is a KYC's state: submitted → approved | rejected. A submitted
// KYC that the automatic checks could not clear waits in the manual
// review queue (Review is set) until an operator decides.
type Status string

const (
	Submitted Status = "submitted"
	Approved  Status = "approved"
	Rejected  Status = "rejected"
	// NotSubmitted is reported for a binding without a KYC yet; it is
	// never stored.
	NotSubmitted Status = "not_submitted"
)

// Binding is a merchant's card binding for one of its users.
type Binding struct {
	ID         int64
	PartnerID  string
	TradeNo    string // mc_trade_no, unique per partner
	CardTypeID string
	UserRef    string // the merchant's reference for its user
	NotifyURL  string // where status changes are posted; empty: none
	CreatedAt  time.Time
}

// Submission is an accepted KYC.
type Submission struct {
	ID          int64
	BindingID   int64
	RequestHash string // keyed hash of Request.Digest, for idempotency
	Status      Status
	Review      bool     // waiting in the manual review queue
	Reasons     []string // why it is in review, or was rejected; for operators (see MerchantReasons)
	Applicant   []byte   // the request's text fields, sealed
	DocNoHash   string   // keyed hash of doc_type:doc_no, to spot reuse
	DecidedBy   string   // "auto" or the operator
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DecidedAt   time.Time

	// Filled by reads that join the binding.
	PartnerID, TradeNo, CardTypeID, UserRef string
}

// StoredDocument is a document kept sealed in the blob store.
type StoredDocument struct {
	SubmissionID int64
	Field        string // front_doc, back_doc, mix_doc, sign_img, poa_doc
	Kind         identity.Kind
	BlobKey      string
	Size         int // decoded bytes
}

// DocumentView is one entry of the audit trail of document views.
type DocumentView struct {
	SubmissionID int64
	Field        string
	Viewer       string
	Purpose      string
	ViewedAt     time.Time
}

// Store persists bindings, submissions, documents and the outbox.
// fn gets the transaction's context: use it (shadow ctx) for every call
// inside, so a transaction begun within is refused instead of running apart.
type Store interface {
	// Tx runs fn in a read-write transaction, committed if fn returns nil.
	Tx(ctx context.Context, fn func(context.Context, Tx) error) error
	// View runs fn on one read-only snapshot.
	View(ctx context.Context, fn func(context.Context, Tx) error) error
}

// Tx is a transaction on the KYC tables. Lookups that find nothing return
// an errs.NotFound error.
type Tx interface {
	CreateBinding(ctx context.Context, b *Binding) error // errs.Conflict when the trade number exists
	BindingByTrade(ctx context.Context, partnerID, tradeNo string) (*Binding, error)
	BindingByID(ctx context.Context, id int64) (*Binding, error)
	CreateSubmission(ctx context.Context, s *Submission) error // errs.Conflict when the binding has one
	SubmissionByBinding(ctx context.Context, bindingID int64) (*Submission, error)
	SubmissionByID(ctx context.Context, id int64) (*Submission, error)
	UpdateSubmission(ctx context.Context, s *Submission) error
	ReviewQueue(ctx context.Context, limit int) ([]Submission, error)
	// DocNoUsedElsewhere reports whether another user of the partner has a
	// live (not rejected) KYC with the same document number hash.
	DocNoUsedElsewhere(ctx context.Context, partnerID, userRef, docNoHash string, except int64) (bool, error)
	AddDocument(ctx context.Context, d *StoredDocument) error
	Documents(ctx context.Context, submissionID int64) ([]StoredDocument, error)
	RecordDocumentView(ctx context.Context, v *DocumentView) error
	DocumentViews(ctx context.Context, submissionID int64) ([]DocumentView, error)
	EnqueueNotification(ctx context.Context, n *Notification) error
}

// Blobs keeps the sealed documents.
type Blobs interface {
	Put(ctx context.Context, data []byte) (key string, err error)
	Get(ctx context.Context, key string) ([]byte, error)
	Delete(ctx context.Context, key string) error
}

// Sealer encrypts personal data and hashes it for equality look-ups
// (vault.Vault).
type Sealer interface {
	Seal(plain, aad []byte) ([]byte, error)
	Open(sealed, aad []byte) ([]byte, error)
	Hash(domain, value string) string
}

// Screener matches names against a watch list (screening.List).
type Screener interface {
	Screen(firstName, lastName string, threshold float64) []screening.Hit
}

// Service runs the KYC open API.
type Service struct {
	Store  Store
	Blobs  Blobs
	Vault  Sealer
	Rules  *Rules
	Screen Screener // nil: no watch list configured, no screening
	Log    *slog.Logger
	Now    func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// OpenInput opens a card binding.
type OpenInput struct {
	PartnerID  string
	TradeNo    string
	CardTypeID string
	UserRef    string
	NotifyURL  string
}

func (in OpenInput) validate() error {
	var c checker
	if c.text("mc_trade_no", in.TradeNo, true) && !printableASCII(in.TradeNo) {
		c.set(BadFormat, "mc_trade_no", "must be printable ASCII without spaces")
	}
	if c.text("card_type_id", in.CardTypeID, true) && !digits(in.CardTypeID) {
		c.set(BadFormat, "card_type_id", "must be digits, like 71000003")
	}
	if c.text("user_ref", in.UserRef, true) && !printableASCII(in.UserRef) {
		c.set(BadFormat, "user_ref", "must be printable ASCII without spaces")
	}
	if c.text("notify_url", in.NotifyURL, false) {
		u, err := url.Parse(in.NotifyURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			c.set(BadFormat, "notify_url", "must be an absolute http or https URL without credentials")
		}
	}
	if c.failed() {
		return c.err
	}
	return nil
}

// OpenBinding opens a binding. Opening the same trade number again with
// the same details returns the binding; with different details it is a
// conflict.
func (s *Service) OpenBinding(ctx context.Context, in OpenInput) (*Binding, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	b := &Binding{PartnerID: in.PartnerID, TradeNo: in.TradeNo, CardTypeID: in.CardTypeID,
		UserRef: in.UserRef, NotifyURL: in.NotifyURL, CreatedAt: s.now()}
	err := s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error { return tx.CreateBinding(ctx, b) })
	if !errs.Is(err, errs.Conflict) {
		return b, err
	}
	var old *Binding
	if err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		old, err = tx.BindingByTrade(ctx, in.PartnerID, in.TradeNo)
		return err
	}); err != nil {
		return nil, err
	}
	if old.CardTypeID != b.CardTypeID || old.UserRef != b.UserRef || old.NotifyURL != b.NotifyURL {
		return nil, fail(Conflict, "mc_trade_no", "%q is already bound with other details", in.TradeNo)
	}
	return old, nil
}

// binding finds the caller's binding for a trade number.
func (s *Service) binding(ctx context.Context, tx Tx, partnerID, tradeNo string) (*Binding, error) {
	b, err := tx.BindingByTrade(ctx, partnerID, tradeNo)
	if errs.Is(err, errs.NotFound) {
		return nil, fail(UnknownTradeNo, "mc_trade_no", "%q has no card binding; open it with POST /openapi/card/binding first", tradeNo)
	}
	return b, err
}

// Submit accepts a KYC for the partner's binding. It answers nil when the
// KYC is accepted, and also when this same request was accepted before
// (the first answer again); a different request for a trade number whose
// KYC was accepted is a conflict. A refused request stores nothing.
func (s *Service) Submit(ctx context.Context, partnerID string, req *Request) error {
	if err := ValidateTradeNo(req.TradeNo); err != nil {
		return err
	}
	digest := req.Digest()
	hash := s.Vault.Hash("kyc.request", hex.EncodeToString(digest[:]))

	var b *Binding
	var prior *Submission
	err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		if b, err = s.binding(ctx, tx, partnerID, req.TradeNo); err != nil {
			return err
		}
		prior, err = tx.SubmissionByBinding(ctx, b.ID)
		if errs.Is(err, errs.NotFound) {
			prior, err = nil, nil
		}
		return err
	})
	if err != nil {
		return err
	}
	if prior != nil {
		return replay(prior, hash, req.TradeNo)
	}
	now := s.now()
	if err := s.Rules.Validate(req, b.CardTypeID, now); err != nil {
		return err
	}
	sub, err := s.newSubmission(b, req, hash, now)
	if err != nil {
		return err
	}
	docs, err := s.storeDocuments(ctx, b, req)
	if err != nil {
		return err
	}
	err = s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error { return s.accept(ctx, tx, b, sub, docs, now) })
	if err == nil {
		return nil
	}
	// Nothing refers to the blobs now; a concurrent identical request
	// that won the race has its own.
	s.deleteBlobs(docs)
	if !errs.Is(err, errs.Conflict) {
		return err
	}
	if err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		prior, err = tx.SubmissionByBinding(ctx, b.ID)
		return err
	}); err != nil {
		return err
	}
	return replay(prior, hash, req.TradeNo)
}

// replay answers a request for a trade number that already has a KYC.
func replay(prior *Submission, hash, tradeNo string) error {
	if prior.RequestHash == hash {
		return nil
	}
	return fail(Conflict, "mc_trade_no", "%q already has an accepted KYC with a different body", tradeNo)
}

// applicant is the sealed record of a request's text fields.
type applicant struct {
	Email            string `json:"email"`
	FirstName        string `json:"first_name"`
	LastName         string `json:"last_name"`
	Mobile           string `json:"mobile"`
	MobileCode       string `json:"mobile_code"`
	UserIP           string `json:"user_ip,omitempty"`
	Address          string `json:"address"`
	Birthday         string `json:"birthday"`
	City             string `json:"city"`
	CountryID        string `json:"country_id"`
	DocNo            string `json:"doc_no"`
	DocType          string `json:"doc_type"`
	EmergencyContact string `json:"emergency_contact"`
	Gender           string `json:"gender"`
	NationalityID    string `json:"nationality_id"`
	State            string `json:"state"`
	ZipCode          string `json:"zip_code"`
	PoaType          string `json:"poa_type,omitempty"`
}

func applicantAAD(bindingID int64) []byte { return fmt.Appendf(nil, "kyc.applicant:%d", bindingID) }

// ApplicantAAD is the additional data a submission's applicant fields are
// sealed with, for the start-up check that a key opens the stored data.
func ApplicantAAD(bindingID int64) []byte { return applicantAAD(bindingID) }

func documentAAD(bindingID int64, field string) []byte {
	return fmt.Appendf(nil, "kyc.document:%d:%s", bindingID, field)
}

func (s *Service) newSubmission(b *Binding, req *Request, hash string, now time.Time) (*Submission, error) {
	bi, in := &req.Base, &req.Info
	plain, err := json.Marshal(applicant{
		Email: bi.Email, FirstName: bi.FirstName, LastName: bi.LastName, Mobile: bi.Mobile, MobileCode: bi.MobileCode, UserIP: bi.UserIP,
		Address: in.Address, Birthday: in.Birthday, City: in.City, CountryID: in.CountryID, DocNo: in.DocNo, DocType: in.DocType,
		EmergencyContact: in.EmergencyContact, Gender: in.Gender, NationalityID: in.NationalityID, State: in.State,
		ZipCode: in.ZipCode, PoaType: in.PoaType,
	})
	if err != nil {
		return nil, err
	}
	sealed, err := s.Vault.Seal(plain, applicantAAD(b.ID))
	if err != nil {
		return nil, fmt.Errorf("seal applicant: %w", err)
	}
	sub := &Submission{
		BindingID: b.ID, RequestHash: hash, Status: Submitted, Applicant: sealed,
		DocNoHash: s.Vault.Hash("kyc.doc_no", in.DocType+":"+strings.ToUpper(strings.TrimSpace(in.DocNo))),
		CreatedAt: now, UpdatedAt: now,
	}
	sub.Reasons = s.screen(bi.FirstName, bi.LastName)
	for _, pair := range [][2]string{{"front_doc", "mix_doc"}, {"front_doc", "back_doc"}, {"back_doc", "mix_doc"}} {
		if d1, d2 := docByName(in, pair[0]), docByName(in, pair[1]); d1.Present() && d2.Present() && string(d1.Data) == string(d2.Data) {
			sub.Reasons = append(sub.Reasons, fmt.Sprintf("%s and %s are the same image", pair[0], pair[1]))
		}
	}
	return sub, nil
}

func docByName(in *Info, name string) *Document {
	for _, d := range in.documents() {
		if d.name == name {
			return d.doc
		}
	}
	return nil
}

// screen returns review reasons for watch-list hits on the name.
func (s *Service) screen(first, last string) []string {
	if s.Screen == nil {
		return nil
	}
	var out []string
	for _, h := range s.Screen.Screen(first, last, s.Rules.cfg.ScreenThreshold) {
		out = append(out, fmt.Sprintf("screening: name is %.2f similar to watch-list entry %s (%s)", h.Score, h.Entry.ID, h.Entry.Program))
		if len(out) == 5 {
			break
		}
	}
	return out
}

// storeDocuments seals each document and puts it in the blob store,
// before the transaction: a blob nothing refers to is harmless, a row
// pointing at a missing blob is not.
func (s *Service) storeDocuments(ctx context.Context, b *Binding, req *Request) ([]StoredDocument, error) {
	var out []StoredDocument
	for _, d := range req.Info.documents() {
		if !d.doc.Present() {
			continue
		}
		sealed, err := s.Vault.Seal(d.doc.Data, documentAAD(b.ID, d.name))
		if err != nil {
			s.deleteBlobs(out)
			return nil, fmt.Errorf("seal %s: %w", d.name, err)
		}
		key, err := s.Blobs.Put(ctx, sealed)
		if err != nil {
			s.deleteBlobs(out)
			return nil, fmt.Errorf("store %s: %w", d.name, err)
		}
		out = append(out, StoredDocument{Field: d.name, Kind: d.doc.Kind, BlobKey: key, Size: len(d.doc.Data)})
	}
	return out, nil
}

func (s *Service) deleteBlobs(docs []StoredDocument) {
	for _, d := range docs {
		if err := s.Blobs.Delete(context.Background(), d.BlobKey); err != nil {
			s.log().Warn("delete orphan KYC document", "blob", d.BlobKey, "err", err)
		}
	}
}

// accept stores the submission, runs the automatic checks and queues the
// merchant's notifications, all in one transaction.
func (s *Service) accept(ctx context.Context, tx Tx, b *Binding, sub *Submission, docs []StoredDocument, now time.Time) error {
	sub.Reasons = slices.Clone(sub.Reasons) // the transaction may run again
	if err := tx.CreateSubmission(ctx, sub); err != nil {
		return err
	}
	for i := range docs {
		docs[i].SubmissionID = sub.ID
		if err := tx.AddDocument(ctx, &docs[i]); err != nil {
			return err
		}
	}
	if err := s.notify(ctx, tx, b, sub, now); err != nil {
		return err
	}
	reused, err := tx.DocNoUsedElsewhere(ctx, b.PartnerID, b.UserRef, sub.DocNoHash, sub.ID)
	if err != nil {
		return err
	}
	if reused {
		sub.Reasons = append(sub.Reasons, "doc_no is already used in a KYC of another user")
	}
	if len(sub.Reasons) > 0 {
		sub.Review = true // the automatic checks cannot clear it: an operator decides
	} else {
		sub.Status, sub.DecidedBy, sub.DecidedAt = Approved, "auto", now
	}
	if err := tx.UpdateSubmission(ctx, sub); err != nil {
		return err
	}
	if sub.Status != Submitted {
		return s.notify(ctx, tx, b, sub, now)
	}
	return nil
}

const rejectedPrefix = "rejected on review: "

// MerchantReasons are the reasons a merchant is told. The automatic
// checks' findings stay with operators: telling a merchant that its user
// resembles a watch-list entry would tip the user off, which AML rules
// forbid. A KYC in review says only that; a rejected one gives the
// operator's stated reason.
func (sub *Submission) MerchantReasons() []string {
	out := []string{}
	switch {
	case sub.Review:
		out = append(out, "under manual review")
	case sub.Status == Rejected:
		for _, r := range sub.Reasons {
			if strings.HasPrefix(r, rejectedPrefix) {
				out = append(out, r)
			}
		}
	}
	return out
}

// StatusView is what GET /openapi/card/binding/kyc answers: never the
// applicant's data or documents.
type StatusView struct {
	TradeNo     string
	CardTypeID  string
	Status      Status
	Review      bool
	Reasons     []string
	SubmittedAt time.Time
	DecidedAt   time.Time
}

// Status reports the KYC of the partner's binding.
func (s *Service) Status(ctx context.Context, partnerID, tradeNo string) (*StatusView, error) {
	if err := ValidateTradeNo(tradeNo); err != nil {
		return nil, err
	}
	var v *StatusView
	err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		b, err := s.binding(ctx, tx, partnerID, tradeNo)
		if err != nil {
			return err
		}
		v = &StatusView{TradeNo: b.TradeNo, CardTypeID: b.CardTypeID, Status: NotSubmitted, Reasons: []string{}}
		sub, err := tx.SubmissionByBinding(ctx, b.ID)
		if errs.Is(err, errs.NotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		v.Status, v.Review, v.Reasons = sub.Status, sub.Review, sub.MerchantReasons()
		v.SubmittedAt, v.DecidedAt = sub.CreatedAt, sub.DecidedAt
		return nil
	})
	return v, err
}

// ReviewQueue lists the KYCs waiting for an operator, oldest first.
func (s *Service) ReviewQueue(ctx context.Context, limit int) ([]Submission, error) {
	limit = min(max(limit, 1), 200)
	var out []Submission
	err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		out, err = tx.ReviewQueue(ctx, limit)
		return err
	})
	return out, err
}

// File is everything an operator sees of one submission: the submission,
// its stored documents and who viewed them.
type File struct {
	Submission *Submission
	Documents  []StoredDocument
	Views      []DocumentView
}

// File reads a submission's file from one snapshot; errs.NotFound for an
// unknown id.
func (s *Service) File(ctx context.Context, submissionID int64) (*File, error) {
	f := &File{}
	err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		if f.Submission, err = tx.SubmissionByID(ctx, submissionID); err != nil {
			return err
		}
		if f.Documents, err = tx.Documents(ctx, submissionID); err != nil {
			return err
		}
		f.Views, err = tx.DocumentViews(ctx, submissionID)
		return err
	})
	return f, err
}

// Decide records an operator's decision on a KYC in review.
func (s *Service) Decide(ctx context.Context, submissionID int64, approve bool, reason, operator string) (*Submission, error) {
	var c checker
	c.text("operator", operator, true)
	if !approve {
		c.text("reason", reason, true)
	}
	if c.failed() {
		return nil, c.err
	}
	now := s.now()
	var sub *Submission
	err := s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		if sub, err = tx.SubmissionByID(ctx, submissionID); err != nil {
			return err
		}
		if sub.Status != Submitted || !sub.Review {
			return fail(NotReviewable, "id", "KYC %d is %s and not awaiting review", submissionID, sub.Status)
		}
		b, err := tx.BindingByID(ctx, sub.BindingID)
		if err != nil {
			return err
		}
		sub.Status, sub.Review, sub.DecidedBy, sub.DecidedAt, sub.UpdatedAt = Approved, false, operator, now, now
		if !approve {
			sub.Status = Rejected
			sub.Reasons = append(slices.Clone(sub.Reasons), rejectedPrefix+reason)
		}
		if err := tx.UpdateSubmission(ctx, sub); err != nil {
			return err
		}
		return s.notify(ctx, tx, b, sub, now)
	})
	return sub, err
}

// ViewDocument opens one document of a KYC for an operator, recording
// who viewed it and why before the document is read.
func (s *Service) ViewDocument(ctx context.Context, submissionID int64, field, viewer, purpose string) ([]byte, identity.Kind, error) {
	var c checker
	c.text("viewer", viewer, true)
	c.text("purpose", purpose, true)
	if c.failed() {
		return nil, "", c.err
	}
	var doc *StoredDocument
	var bindingID int64
	err := s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		sub, err := tx.SubmissionByID(ctx, submissionID)
		if err != nil {
			return err
		}
		docs, err := tx.Documents(ctx, submissionID)
		if err != nil {
			return err
		}
		for i := range docs {
			if docs[i].Field == field {
				doc = &docs[i]
			}
		}
		if doc == nil {
			return fail(NotFound, "field", "KYC %d has no %q document", submissionID, field)
		}
		bindingID = sub.BindingID
		return tx.RecordDocumentView(ctx, &DocumentView{SubmissionID: submissionID, Field: field, Viewer: viewer, Purpose: purpose, ViewedAt: s.now()})
	})
	if err != nil {
		return nil, "", err
	}
	sealed, err := s.Blobs.Get(ctx, doc.BlobKey)
	if err != nil {
		return nil, "", fmt.Errorf("read KYC document %d/%s: %w", submissionID, field, err)
	}
	plain, err := s.Vault.Open(sealed, documentAAD(bindingID, field))
	if err != nil {
		return nil, "", fmt.Errorf("open KYC document %d/%s: %w", submissionID, field, err)
	}
	return plain, doc.Kind, nil
}

// Applicant opens a submission's sealed text fields for an operator.
func (s *Service) Applicant(sub *Submission) (map[string]string, error) {
	plain, err := s.Vault.Open(sub.Applicant, applicantAAD(sub.BindingID))
	if err != nil {
		return nil, fmt.Errorf("open KYC applicant %d: %w", sub.ID, err)
	}
	var out map[string]string
	return out, json.Unmarshal(plain, &out)
}

// newEventID returns a random id merchants can deduplicate by.
func newEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
