package loan

import (
	"context"
	"fmt"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
)

// An application runs prepare → decide → commit, and every fact is read
// once, in prepare:
//
//   - prepare reads the product and the borrower's loan history (one read
//     of the loan store) and the borrower's file (Borrowers, which only
//     reads), and checks the loan engine's own rules on them: no
//     unfinished loan, a product on sale, a complete profile, then the
//     product's eligibility rules (CheckEligibility).
//   - decide stores the photos and asks the Decider, handing it the
//     product, the history and the file prepare read. An application the
//     eligibility rules refuse skips this step: it stores no photo and asks
//     no risk decision, and is written rejected with the rule's message.
//   - commit writes the loan (which gets its id from the insert), its
//     payout and the borrower's message in one transaction.
//
// The payout is sent after the commit (sendDisbursement); that is where
// the payout account is registered with the provider when the borrower
// had not registered it yet.

// ApplyInput is a loan application.
type ApplyInput struct {
	UserID        int64
	ProductID     string
	ApplyTerminal int
	Photos        [][]byte // already sniffed and size-checked by the caller
	Device        Device
}

// Device is what the application's request tells about where it came
// from. The fingerprint is only ever given with the borrower's consent.
type Device struct {
	IP          string // the client's address as the server saw it
	Fingerprint string // the device SDK's token (black box); empty without consent
	Consent     bool   // the borrower agreed to device data being used against fraud
}

// ErrApplicationInProgress is returned when a borrower applies while
// another of their applications is being decided.
var ErrApplicationInProgress = errs.E(errs.Conflict, "an application of yours is being decided; wait for its answer")

// ErrUnfinishedLoan is returned when a borrower applies while a loan is
// still unfinished.
var ErrUnfinishedLoan = errs.E(errs.Conflict, "you have an unfinished loan; settle it before applying again")

// application is what prepare read for one application.
type application struct {
	in       ApplyInput
	now      time.Time
	product  Product
	history  History
	borrower Borrower
	loanID   ID // drawn ahead by the store, or 0 (ApplicationFacts)
}

// ApplicationFacts is what an application reads from the loan store.
type ApplicationFacts struct {
	Product Product
	History History
	// LoanID is the id a store that draws loan ids ahead (PostgreSQL, from
	// the loans sequence in the same statement) drew for the loan the
	// application may make, so writing it needs no round trip to draw
	// one; 0 where the insert assigns it. An application that is not
	// stored leaves its id unused, as a rolled-back insert does.
	LoanID ID
}

// Apply runs an application: it reads the product, the borrower's history
// and file, checks them, decides with the Decider, stores the loan with
// the decision and, when approved, starts the payout. A borrower holds at
// most one unfinished loan: concurrent applications make one loan and the
// others get ErrUnfinishedLoan.
func (s *Service) Apply(ctx context.Context, in ApplyInput) (*Record, error) {
	if in.Device.Fingerprint != "" && !in.Device.Consent {
		return nil, errs.InvalidField("blackBox", "a device fingerprint is only accepted with the borrower's consent (deviceConsent=1)")
	}
	if _, busy := s.applying.LoadOrStore(in.UserID, struct{}{}); busy {
		return nil, ErrApplicationInProgress
	}
	defer s.applying.Delete(in.UserID)
	a, err := s.prepare(ctx, in, s.now())
	if err != nil {
		return nil, err
	}
	var photos []string
	stored := false
	defer func() {
		if !stored { // the application was not written: its photos must not linger
			s.discardPhotos(context.WithoutCancel(ctx), photos)
		}
	}()
	verdict, err := s.decide(ctx, a, &photos)
	if err != nil {
		return nil, err
	}
	r, err := a.record(verdict, photos)
	if err != nil {
		return nil, err
	}
	pay, err := s.commit(ctx, r, a.now)
	if err != nil {
		return nil, err
	}
	stored = true
	if pay != nil {
		s.sendDisbursement(ctx, r, pay)
	}
	return r, nil
}

// prepare reads every fact the application is decided on, and refuses an
// application the loan engine's rules forbid outright.
func (s *Service) prepare(ctx context.Context, in ApplyInput, now time.Time) (*application, error) {
	a := &application{in: in, now: now}
	err := s.Store.Read(ctx, func(ctx context.Context, tx Tx) error {
		f, err := tx.ReadApplication(ctx, in.ProductID, in.UserID)
		if err != nil {
			if errs.Is(err, errs.NotFound) {
				return errs.InvalidField("id", "no product %q; see GET /loan/product/page", in.ProductID)
			}
			return err
		}
		a.product, a.history, a.loanID = f.Product, f.History, f.LoanID
		return nil
	})
	if err != nil {
		return nil, err
	}
	if a.history.Unfinished > 0 {
		return nil, ErrUnfinishedLoan
	}
	if !a.product.OnSale {
		return nil, errs.InvalidField("id", "product %s is not on sale", a.product.ID)
	}
	b, err := s.Borrowers.Borrower(ctx, in.UserID)
	if err != nil {
		return nil, err
	}
	if !b.Complete {
		return nil, errs.E(errs.Forbidden, "complete your profile (basic information, contacts, work, default bank card) before applying")
	}
	a.borrower = *b
	return a, nil
}

// decide refuses an application the product's eligibility rules forbid,
// unscored; otherwise it stores the photos (appending their keys to
// photos as it goes, so the caller can discard them) and asks the Decider.
func (s *Service) decide(ctx context.Context, a *application, photos *[]string) (Verdict, error) {
	if rs := CheckEligibility(a.product, a.history); len(rs) > 0 {
		return Verdict{Decision: Reject, Reason: rs[0].Message, Detail: DetailRejected}, nil
	}
	// The photos are stored first so the decision can refer to them.
	for i, ph := range a.in.Photos {
		k, err := s.Photos.PutPhoto(ctx, a.in.UserID, ph)
		if err != nil {
			return Verdict{}, fmt.Errorf("loan: store photo %d: %w", i+1, err)
		}
		*photos = append(*photos, k)
	}
	v, err := s.Decider.Decide(ctx, DecisionInput{
		Borrower: a.borrower, Product: a.product, History: a.history, Terminal: a.in.ApplyTerminal, Now: a.now,
		Device: a.in.Device, Photos: *photos,
	})
	if err != nil {
		return Verdict{}, fmt.Errorf("loan: risk decision: %w", err)
	}
	return v, nil
}

// record is the loan the application makes with verdict, not stored yet:
// an approved one is already moving to disbursing, so it is written once.
func (a *application) record(v Verdict, photos []string) (*Record, error) {
	l, err := NewApplication(a.in.UserID, a.product, a.now)
	if err != nil {
		return nil, err
	}
	b, now := &a.borrower, a.now
	l.ID = a.loanID
	r := &Record{
		Loan: *l, ApplyTerminal: a.in.ApplyTerminal, LoanCount: a.history.Settled, Photos: photos, Card: b.Card,
		Mobile: b.Mobile, First: b.First, Middle: b.Middle, Last: b.Last, IDMask: b.IDMask,
		RiskReason: v.Reason, RiskDetail: v.Detail, RiskScore: v.Score, RiskSequenceID: v.SequenceID,
	}
	if a.in.Device.Consent {
		r.DeviceConsentAt = now
	}
	if err := r.Fire(EventStartRiskReview, now); err != nil {
		return nil, err
	}
	switch v.Decision {
	case Accept:
		err = r.Fire(EventRiskApprove, now)
	case Review:
		err = r.Fire(EventRiskRefer, now)
	case Reject:
		err = r.Fire(EventRiskReject, now)
	default:
		err = fmt.Errorf("loan: decider returned %v", v.Decision)
	}
	if err != nil {
		return nil, err
	}
	if r.Status == StatusApproved {
		if err := r.beginDisbursement(now); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// commit writes the application's loan, with its payout when approved and
// the borrower's message, in one transaction (Store.InsertApplication),
// and returns the payout to send. r gets its id from the insert. A loan
// made for the borrower since prepare refuses the application: the
// unique index catches an unfinished one, and for a refused application,
// which does not hold the borrower's one unfinished slot, the store looks
// under the borrower's lock.
func (s *Service) commit(ctx context.Context, r *Record, now time.Time) (*Payment, error) {
	var pay *Payment
	err := s.Store.InsertApplication(ctx, r, func(rec *Record) ApplicationRows {
		var w ApplicationRows
		if rec.Status == StatusDisbursing {
			w.Payout = rec.payout(now)
			w.PayoutEvent = &PayoutEvent{LoanID: rec.ID, Reference: w.Payout.Reference, Event: PayoutSent, At: now}
		}
		// Built once the loan has its id: the message names it.
		w.Message = decisionMessage(rec, now)
		w.Message.UserID, w.Message.CreatedAt = rec.UserID, now
		pay = w.Payout
		return w
	})
	if errs.Is(err, errs.Conflict) {
		return nil, s.commitConflict(ctx, r.UserID, err)
	}
	return pay, err
}

// commitConflict tells the borrower's unfinished loan, made since prepare,
// from any other conflict of the write (an id already used, a payout
// reference taken): those are the server's fault, an internal error to
// log, not a borrower's loan to settle.
func (s *Service) commitConflict(ctx context.Context, userID int64, err error) error {
	var h History
	if rerr := s.Store.Read(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		h, err = tx.History(ctx, userID)
		return err
	}); rerr != nil {
		return rerr
	}
	if h.Unfinished > 0 {
		return ErrUnfinishedLoan
	}
	return fmt.Errorf("loan: store the application of borrower %d: %v", userID, err) // %v: not the borrower's conflict
}

// ApplicationRows is what an application writes beside its new loan.
type ApplicationRows struct {
	Payout      *Payment     // the payout to send; nil unless the loan is paying out
	PayoutEvent *PayoutEvent // the payout's sent event, with Payout
	Message     inbox.Message
}

// WriteApplication is InsertApplication over one transaction's Tx, for
// the stores that write an application statement by statement: it locks
// the borrower, looks for an unfinished loan when r is finished, inserts
// r and then the rows built for it. r is set only when every write
// succeeded, so a retried transaction starts again from the same record.
func WriteApplication(ctx context.Context, tx Tx, r *Record, rows func(*Record) ApplicationRows) error {
	rec := *r
	if err := tx.LockBorrower(ctx, rec.UserID); err != nil {
		return err
	}
	if rec.Status.Finished() {
		if h, err := tx.History(ctx, rec.UserID); err != nil {
			return err
		} else if h.Unfinished > 0 {
			return errs.E(errs.Conflict, "borrower %d has an unfinished loan", rec.UserID)
		}
	}
	if err := tx.InsertLoan(ctx, &rec); err != nil {
		return err
	}
	w := rows(&rec)
	if w.Payout != nil {
		if err := tx.InsertPayment(ctx, w.Payout); err != nil {
			return err
		}
		if err := tx.AddPayoutEvent(ctx, w.PayoutEvent); err != nil {
			return err
		}
	}
	if err := tx.AddMessage(ctx, &w.Message); err != nil {
		return err
	}
	*r = rec
	return nil
}

// discardPhotos deletes the photos of an application that was not stored
// (refused, or beaten by a concurrent one). A failure is logged: the photo
// is sealed, and only unreferenced.
func (s *Service) discardPhotos(ctx context.Context, keys []string) {
	for _, k := range keys {
		if err := s.Photos.DeletePhoto(ctx, k); err != nil && s.Log != nil {
			s.Log.Warn("delete photo of an application not stored", "err", err)
		}
	}
}
