// Package kycdb stores KYC card bindings, submissions, their sealed
// documents' keys, document views and the merchant-notification outbox in
// the database.
package kycdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"creditpocket/internal/identity"
	"creditpocket/internal/kyc"
	"creditpocket/internal/kyc/notify"
	"creditpocket/internal/store"
)

// Store implements kyc.Store over the database.
type Store struct{ db *store.DB }

// New returns the KYC store over db.
func New(db *store.DB) *Store { return &Store{db: db} }

var _ kyc.Store = (*Store)(nil)

// Tx implements kyc.Store: READ COMMITTED. What holds under concurrency
// rests on unique indexes, not on reads: one binding per partner and trade
// number, one submission per binding (a second is errs.Conflict, which the
// service answers with the first), one outbox row per event id.
func (s *Store) Tx(ctx context.Context, fn func(context.Context, kyc.Tx) error) error {
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error { return fn(ctx, tx{t}) })
}

// View reads one snapshot (store.DB.View).
func (s *Store) View(ctx context.Context, fn func(context.Context, kyc.Tx) error) error {
	return s.db.View(ctx, func(ctx context.Context, t *store.Tx) error { return fn(ctx, tx{t}) })
}

// tx implements kyc.Tx on one transaction.
type tx struct{ t *store.Tx }

var _ kyc.Tx = tx{}

func (k tx) CreateBinding(ctx context.Context, b *kyc.Binding) error {
	return store.Translate(k.t.QueryRow(ctx, `INSERT INTO kyc_bindings (partner_id, mc_trade_no, card_type_id, user_ref, notify_url, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		b.PartnerID, b.TradeNo, b.CardTypeID, b.UserRef, b.NotifyURL, store.Millis(b.CreatedAt)).Scan(&b.ID))
}

const bindingColumns = `id, partner_id, mc_trade_no, card_type_id, user_ref, notify_url, created_at`

func scanBinding(row store.Scanner) (*kyc.Binding, error) {
	var b kyc.Binding
	var created int64
	if err := row.Scan(&b.ID, &b.PartnerID, &b.TradeNo, &b.CardTypeID, &b.UserRef, &b.NotifyURL, &created); err != nil {
		return nil, store.NotFound(store.Translate(err), "card binding")
	}
	b.CreatedAt = store.FromMillis(created)
	return &b, nil
}

func (k tx) BindingByTrade(ctx context.Context, partnerID, tradeNo string) (*kyc.Binding, error) {
	return scanBinding(k.t.QueryRow(ctx, `SELECT `+bindingColumns+` FROM kyc_bindings WHERE partner_id = $1 AND mc_trade_no = $2`, partnerID, tradeNo))
}

func (k tx) BindingByID(ctx context.Context, id int64) (*kyc.Binding, error) {
	return scanBinding(k.t.QueryRow(ctx, `SELECT `+bindingColumns+` FROM kyc_bindings WHERE id = $1`, id))
}

func (k tx) CreateSubmission(ctx context.Context, s *kyc.Submission) error {
	reasons, err := jsonReasons(s.Reasons)
	if err != nil {
		return err
	}
	return store.Translate(k.t.QueryRow(ctx, `INSERT INTO kyc_submissions (binding_id, request_hash, status, review, reasons, applicant,
			doc_no_hash, decided_by, created_at, updated_at, decided_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		s.BindingID, s.RequestHash, string(s.Status), s.Review, reasons, s.Applicant, s.DocNoHash, s.DecidedBy,
		store.Millis(s.CreatedAt), store.Millis(s.UpdatedAt), store.NullMillis(s.DecidedAt)).Scan(&s.ID))
}

func jsonReasons(rs []string) (string, error) {
	if rs == nil {
		rs = []string{}
	}
	b, err := json.Marshal(rs)
	return string(b), err
}

const submissionColumns = `s.id, s.binding_id, s.request_hash, s.status, s.review, s.reasons, s.applicant, s.doc_no_hash,
	s.decided_by, s.created_at, s.updated_at, s.decided_at, b.partner_id, b.mc_trade_no, b.card_type_id, b.user_ref`

const submissionFrom = ` FROM kyc_submissions s JOIN kyc_bindings b ON b.id = s.binding_id `

func scanSubmission(row store.Scanner) (*kyc.Submission, error) {
	var s kyc.Submission
	var status, reasons string
	var created, updated int64
	var decided sql.NullInt64
	if err := row.Scan(&s.ID, &s.BindingID, &s.RequestHash, &status, &s.Review, &reasons, &s.Applicant, &s.DocNoHash,
		&s.DecidedBy, &created, &updated, &decided, &s.PartnerID, &s.TradeNo, &s.CardTypeID, &s.UserRef); err != nil {
		return nil, store.NotFound(store.Translate(err), "KYC")
	}
	s.Status = kyc.Status(status)
	s.CreatedAt, s.UpdatedAt, s.DecidedAt = store.FromMillis(created), store.FromMillis(updated), store.FromNullMillis(decided)
	if err := json.Unmarshal([]byte(reasons), &s.Reasons); err != nil {
		return nil, err
	}
	return &s, nil
}

func (k tx) SubmissionByBinding(ctx context.Context, bindingID int64) (*kyc.Submission, error) {
	return scanSubmission(k.t.QueryRow(ctx, `SELECT `+submissionColumns+submissionFrom+`WHERE s.binding_id = $1`, bindingID))
}

func (k tx) SubmissionByID(ctx context.Context, id int64) (*kyc.Submission, error) {
	return scanSubmission(k.t.QueryRow(ctx, `SELECT `+submissionColumns+submissionFrom+`WHERE s.id = $1`, id))
}

func (k tx) UpdateSubmission(ctx context.Context, s *kyc.Submission) error {
	reasons, err := jsonReasons(s.Reasons)
	if err != nil {
		return err
	}
	n, err := store.Affected(k.t.Exec(ctx, `UPDATE kyc_submissions SET status = $2, review = $3, reasons = $4, decided_by = $5,
		updated_at = $6, decided_at = $7 WHERE id = $1`,
		s.ID, string(s.Status), s.Review, reasons, s.DecidedBy, store.Millis(s.UpdatedAt), store.NullMillis(s.DecidedAt)))
	if err == nil && n == 0 {
		return store.NotFound(sql.ErrNoRows, "KYC")
	}
	return err
}

func (k tx) ReviewQueue(ctx context.Context, limit int) ([]kyc.Submission, error) {
	return store.Collect(ctx, k.t, func(r store.Scanner) (kyc.Submission, error) {
		s, err := scanSubmission(r)
		if err != nil {
			return kyc.Submission{}, err
		}
		return *s, nil
	}, `SELECT `+submissionColumns+submissionFrom+`WHERE s.review = $1 ORDER BY s.created_at, s.id LIMIT $2`, true, limit)
}

func (k tx) DocNoUsedElsewhere(ctx context.Context, partnerID, userRef, docNoHash string, except int64) (bool, error) {
	var one int
	err := k.t.QueryRow(ctx, `SELECT 1`+submissionFrom+`WHERE s.doc_no_hash = $1 AND b.partner_id = $2 AND b.user_ref <> $3
		AND s.status <> $4 AND s.id <> $5`, docNoHash, partnerID, userRef, string(kyc.Rejected), except).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func (k tx) AddDocument(ctx context.Context, d *kyc.StoredDocument) error {
	_, err := k.t.Exec(ctx, `INSERT INTO kyc_documents (submission_id, field, kind, blob_key, size) VALUES ($1, $2, $3, $4, $5)`,
		d.SubmissionID, d.Field, string(d.Kind), d.BlobKey, d.Size)
	return err
}

func (k tx) Documents(ctx context.Context, submissionID int64) ([]kyc.StoredDocument, error) {
	return store.Collect(ctx, k.t, func(r store.Scanner) (kyc.StoredDocument, error) {
		var d kyc.StoredDocument
		var kind string
		err := r.Scan(&d.SubmissionID, &d.Field, &kind, &d.BlobKey, &d.Size)
		d.Kind = identity.Kind(kind)
		return d, err
	}, `SELECT submission_id, field, kind, blob_key, size FROM kyc_documents WHERE submission_id = $1 ORDER BY field`, submissionID)
}

func (k tx) RecordDocumentView(ctx context.Context, v *kyc.DocumentView) error {
	_, err := k.t.Exec(ctx, `INSERT INTO kyc_document_views (submission_id, field, viewer, purpose, viewed_at) VALUES ($1, $2, $3, $4, $5)`,
		v.SubmissionID, v.Field, v.Viewer, v.Purpose, store.Millis(v.ViewedAt))
	return err
}

func (k tx) DocumentViews(ctx context.Context, submissionID int64) ([]kyc.DocumentView, error) {
	return store.Collect(ctx, k.t, func(r store.Scanner) (kyc.DocumentView, error) {
		var v kyc.DocumentView
		var at int64
		err := r.Scan(&v.SubmissionID, &v.Field, &v.Viewer, &v.Purpose, &at)
		v.ViewedAt = store.FromMillis(at)
		return v, err
	}, `SELECT submission_id, field, viewer, purpose, viewed_at FROM kyc_document_views WHERE submission_id = $1 ORDER BY id`, submissionID)
}

func (k tx) EnqueueNotification(ctx context.Context, n *kyc.Notification) error {
	return store.Translate(k.t.QueryRow(ctx, `INSERT INTO kyc_outbox (event_id, partner_id, url, body, next_attempt, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		n.EventID, n.PartnerID, n.URL, string(n.Body), store.Millis(n.NextAttempt), store.Millis(n.CreatedAt)).Scan(&n.ID))
}

// Outbox implements notify.Outbox over the database: the merchant webhook
// queue. A notification is claimed by one conditional UPDATE of its
// next_attempt, so two workers never send one at once.
type Outbox struct{ db *store.DB }

// NewOutbox returns the KYC outbox over db.
func NewOutbox(db *store.DB) *Outbox { return &Outbox{db: db} }

var _ notify.Outbox = (*Outbox)(nil)

func (o *Outbox) DueNotifications(ctx context.Context, now time.Time, limit int) ([]kyc.Notification, error) {
	return store.ViewAll(ctx, o.db, func(r store.Scanner) (kyc.Notification, error) {
		var n kyc.Notification
		var body string
		var next, created int64
		err := r.Scan(&n.ID, &n.EventID, &n.PartnerID, &n.URL, &body, &n.Attempts, &next, &created, &n.LastError)
		n.Body, n.NextAttempt, n.CreatedAt = []byte(body), store.FromMillis(next), store.FromMillis(created)
		return n, err
	}, `SELECT id, event_id, partner_id, url, body, attempts, next_attempt, created_at, last_error FROM kyc_outbox
		WHERE delivered_at IS NULL AND dead = $1 AND next_attempt <= $2 ORDER BY next_attempt, id LIMIT $3`,
		false, store.Millis(now), limit)
}

func (o *Outbox) ClaimNotification(ctx context.Context, id int64, seen, until time.Time) (bool, error) {
	var n int64
	err := o.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		var err error
		n, err = store.Affected(t.Exec(ctx, `UPDATE kyc_outbox SET next_attempt = $3
			WHERE id = $1 AND next_attempt = $2 AND delivered_at IS NULL`, id, store.Millis(seen), store.Millis(until)))
		return err
	})
	return n == 1, err
}

func (o *Outbox) NotificationDelivered(ctx context.Context, id int64, at time.Time) error {
	return o.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		_, err := t.Exec(ctx, `UPDATE kyc_outbox SET delivered_at = $2, attempts = attempts + 1, last_error = '' WHERE id = $1`, id, store.Millis(at))
		return err
	})
}

func (o *Outbox) NotificationFailed(ctx context.Context, id int64, attempts int, next time.Time, lastErr string, dead bool) error {
	return o.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		_, err := t.Exec(ctx, `UPDATE kyc_outbox SET attempts = $2, next_attempt = $3, last_error = $4, dead = $5 WHERE id = $1`,
			id, attempts, store.Millis(next), lastErr, dead)
		return err
	})
}
