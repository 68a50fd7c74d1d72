package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"creditpocket/internal/identity"
	"creditpocket/internal/kyc"
)

// KYC adapts the DB to kyc.Store.
func (db *DB) KYC() kyc.Store { return kycStore{db} }

// KYCOutbox adapts the DB to kyc.Outbox, the merchant webhook queue.
func (db *DB) KYCOutbox() kyc.Outbox { return kycOutbox{db} }

type kycStore struct{ db *DB }

func (s kycStore) Tx(ctx context.Context, fn func(kyc.Tx) error) error {
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error { return fn(kycTx{t}) })
}

func (s kycStore) View(ctx context.Context, fn func(kyc.Tx) error) error {
	return s.db.View(ctx, func(ctx context.Context, t *Tx) error { return fn(kycTx{t}) })
}

// kycTx carries the KYC methods on its own type, so their names cannot
// clash with other domains' methods on *Tx.
type kycTx struct{ t *Tx }

var _ kyc.Tx = kycTx{}

func (k kycTx) CreateBinding(ctx context.Context, b *kyc.Binding) error {
	return translate(k.t.QueryRow(ctx, `INSERT INTO kyc_bindings (partner_id, mc_trade_no, card_type_id, user_ref, notify_url, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		b.PartnerID, b.TradeNo, b.CardTypeID, b.UserRef, b.NotifyURL, Millis(b.CreatedAt)).Scan(&b.ID))
}

const bindingColumns = `id, partner_id, mc_trade_no, card_type_id, user_ref, notify_url, created_at`

func scanBinding(row Scanner) (*kyc.Binding, error) {
	var b kyc.Binding
	var created int64
	if err := row.Scan(&b.ID, &b.PartnerID, &b.TradeNo, &b.CardTypeID, &b.UserRef, &b.NotifyURL, &created); err != nil {
		return nil, notFound(translate(err), "card binding")
	}
	b.CreatedAt = FromMillis(created)
	return &b, nil
}

func (k kycTx) BindingByTrade(ctx context.Context, partnerID, tradeNo string) (*kyc.Binding, error) {
	return scanBinding(k.t.QueryRow(ctx, `SELECT `+bindingColumns+` FROM kyc_bindings WHERE partner_id = $1 AND mc_trade_no = $2`, partnerID, tradeNo))
}

func (k kycTx) BindingByID(ctx context.Context, id int64) (*kyc.Binding, error) {
	return scanBinding(k.t.QueryRow(ctx, `SELECT `+bindingColumns+` FROM kyc_bindings WHERE id = $1`, id))
}

func (k kycTx) CreateSubmission(ctx context.Context, s *kyc.Submission) error {
	reasons, err := jsonReasons(s.Reasons)
	if err != nil {
		return err
	}
	return translate(k.t.QueryRow(ctx, `INSERT INTO kyc_submissions (binding_id, request_hash, status, review, reasons, applicant,
			doc_no_hash, decided_by, created_at, updated_at, decided_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		s.BindingID, s.RequestHash, string(s.Status), s.Review, reasons, s.Applicant, s.DocNoHash, s.DecidedBy,
		Millis(s.CreatedAt), Millis(s.UpdatedAt), NullMillis(s.DecidedAt)).Scan(&s.ID))
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

func scanSubmission(row Scanner) (*kyc.Submission, error) {
	var s kyc.Submission
	var status, reasons string
	var created, updated int64
	var decided sql.NullInt64
	if err := row.Scan(&s.ID, &s.BindingID, &s.RequestHash, &status, &s.Review, &reasons, &s.Applicant, &s.DocNoHash,
		&s.DecidedBy, &created, &updated, &decided, &s.PartnerID, &s.TradeNo, &s.CardTypeID, &s.UserRef); err != nil {
		return nil, notFound(translate(err), "KYC")
	}
	s.Status = kyc.Status(status)
	s.CreatedAt, s.UpdatedAt, s.DecidedAt = FromMillis(created), FromMillis(updated), FromNullMillis(decided)
	if err := json.Unmarshal([]byte(reasons), &s.Reasons); err != nil {
		return nil, err
	}
	return &s, nil
}

func (k kycTx) SubmissionByBinding(ctx context.Context, bindingID int64) (*kyc.Submission, error) {
	return scanSubmission(k.t.QueryRow(ctx, `SELECT `+submissionColumns+submissionFrom+`WHERE s.binding_id = $1`, bindingID))
}

func (k kycTx) SubmissionByID(ctx context.Context, id int64) (*kyc.Submission, error) {
	return scanSubmission(k.t.QueryRow(ctx, `SELECT `+submissionColumns+submissionFrom+`WHERE s.id = $1`, id))
}

func (k kycTx) UpdateSubmission(ctx context.Context, s *kyc.Submission) error {
	reasons, err := jsonReasons(s.Reasons)
	if err != nil {
		return err
	}
	n, err := Affected(k.t.Exec(ctx, `UPDATE kyc_submissions SET status = $2, review = $3, reasons = $4, decided_by = $5,
		updated_at = $6, decided_at = $7 WHERE id = $1`,
		s.ID, string(s.Status), s.Review, reasons, s.DecidedBy, Millis(s.UpdatedAt), NullMillis(s.DecidedAt)))
	if err == nil && n == 0 {
		return notFound(sql.ErrNoRows, "KYC")
	}
	return err
}

func (k kycTx) ReviewQueue(ctx context.Context, limit int) ([]kyc.Submission, error) {
	return Collect(ctx, k.t, func(r Scanner) (kyc.Submission, error) {
		s, err := scanSubmission(r)
		if err != nil {
			return kyc.Submission{}, err
		}
		return *s, nil
	}, `SELECT `+submissionColumns+submissionFrom+`WHERE s.review = $1 ORDER BY s.created_at, s.id LIMIT $2`, true, limit)
}

func (k kycTx) DocNoUsedElsewhere(ctx context.Context, partnerID, userRef, docNoHash string, except int64) (bool, error) {
	return k.t.exists(ctx, `SELECT 1`+submissionFrom+`WHERE s.doc_no_hash = $1 AND b.partner_id = $2 AND b.user_ref <> $3
		AND s.status <> $4 AND s.id <> $5`, docNoHash, partnerID, userRef, string(kyc.Rejected), except)
}

func (k kycTx) AddDocument(ctx context.Context, d *kyc.StoredDocument) error {
	_, err := k.t.Exec(ctx, `INSERT INTO kyc_documents (submission_id, field, kind, blob_key, size) VALUES ($1, $2, $3, $4, $5)`,
		d.SubmissionID, d.Field, string(d.Kind), d.BlobKey, d.Size)
	return err
}

func (k kycTx) Documents(ctx context.Context, submissionID int64) ([]kyc.StoredDocument, error) {
	return Collect(ctx, k.t, func(r Scanner) (kyc.StoredDocument, error) {
		var d kyc.StoredDocument
		var kind string
		err := r.Scan(&d.SubmissionID, &d.Field, &kind, &d.BlobKey, &d.Size)
		d.Kind = identity.Kind(kind)
		return d, err
	}, `SELECT submission_id, field, kind, blob_key, size FROM kyc_documents WHERE submission_id = $1 ORDER BY field`, submissionID)
}

func (k kycTx) RecordDocumentView(ctx context.Context, v *kyc.DocumentView) error {
	_, err := k.t.Exec(ctx, `INSERT INTO kyc_document_views (submission_id, field, viewer, purpose, viewed_at) VALUES ($1, $2, $3, $4, $5)`,
		v.SubmissionID, v.Field, v.Viewer, v.Purpose, Millis(v.ViewedAt))
	return err
}

func (k kycTx) DocumentViews(ctx context.Context, submissionID int64) ([]kyc.DocumentView, error) {
	return Collect(ctx, k.t, func(r Scanner) (kyc.DocumentView, error) {
		var v kyc.DocumentView
		var at int64
		err := r.Scan(&v.SubmissionID, &v.Field, &v.Viewer, &v.Purpose, &at)
		v.ViewedAt = FromMillis(at)
		return v, err
	}, `SELECT submission_id, field, viewer, purpose, viewed_at FROM kyc_document_views WHERE submission_id = $1 ORDER BY id`, submissionID)
}

func (k kycTx) EnqueueNotification(ctx context.Context, n *kyc.Notification) error {
	return translate(k.t.QueryRow(ctx, `INSERT INTO kyc_outbox (event_id, partner_id, url, body, next_attempt, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		n.EventID, n.PartnerID, n.URL, string(n.Body), Millis(n.NextAttempt), Millis(n.CreatedAt)).Scan(&n.ID))
}

type kycOutbox struct{ db *DB }

var _ kyc.Outbox = kycOutbox{}

func (o kycOutbox) DueNotifications(ctx context.Context, now time.Time, limit int) ([]kyc.Notification, error) {
	return ViewAll(ctx, o.db, func(r Scanner) (kyc.Notification, error) {
		var n kyc.Notification
		var body string
		var next, created int64
		err := r.Scan(&n.ID, &n.EventID, &n.PartnerID, &n.URL, &body, &n.Attempts, &next, &created, &n.LastError)
		n.Body, n.NextAttempt, n.CreatedAt = []byte(body), FromMillis(next), FromMillis(created)
		return n, err
	}, `SELECT id, event_id, partner_id, url, body, attempts, next_attempt, created_at, last_error FROM kyc_outbox
		WHERE delivered_at IS NULL AND dead = $1 AND next_attempt <= $2 ORDER BY next_attempt, id LIMIT $3`,
		false, Millis(now), limit)
}

func (o kycOutbox) ClaimNotification(ctx context.Context, id int64, seen, until time.Time) (bool, error) {
	var n int64
	err := o.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
		var err error
		n, err = Affected(t.Exec(ctx, `UPDATE kyc_outbox SET next_attempt = $3
			WHERE id = $1 AND next_attempt = $2 AND delivered_at IS NULL`, id, Millis(seen), Millis(until)))
		return err
	})
	return n == 1, err
}

func (o kycOutbox) NotificationDelivered(ctx context.Context, id int64, at time.Time) error {
	return o.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
		_, err := t.Exec(ctx, `UPDATE kyc_outbox SET delivered_at = $2, attempts = attempts + 1, last_error = '' WHERE id = $1`, id, Millis(at))
		return err
	})
}

func (o kycOutbox) NotificationFailed(ctx context.Context, id int64, attempts int, next time.Time, lastErr string, dead bool) error {
	return o.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
		_, err := t.Exec(ctx, `UPDATE kyc_outbox SET attempts = $2, next_attempt = $3, last_error = $4, dead = $5 WHERE id = $1`,
			id, attempts, Millis(next), lastErr, dead)
		return err
	})
}
