package riskdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"creditpocket/internal/errs"
	"creditpocket/internal/risk"
	"creditpocket/internal/store"
	"creditpocket/internal/vault"
)

// SaveDecision stores a decision with every feature value it used; source
// (risk_decisions.source) says who asked, partnerID the caller of the API. It
// returns once the decision is committed — a decision answered is a
// decision stored — but decisions saved at the same moment share one
// statement (group commit; see decisionWriter). Saving a sequence_id that
// is stored already is a conflict. A caller whose ctx ends while waiting
// gets ctx's error and its decision may still be stored.
func (s *Store) SaveDecision(ctx context.Context, rec *risk.Record, source risk.Source, partnerID string) error {
	// The record explains and replays the decision from its features; the
	// subject's identifiers (ID number, phone, card, e-mail, device, IP)
	// are personal data and are kept only as masks. Look-ups by value go
	// through the keyed hashes of the velocity and list tables.
	stored := *rec
	stored.Subject = maskedSubject(rec.Subject)
	body, err := json.Marshal(&stored)
	if err != nil {
		return fmt.Errorf("store: encode decision %s: %w", rec.SequenceID, err)
	}
	d := &pendingDecision{done: make(chan error, 1), row: decisionRow{
		seq: rec.SequenceID, source: string(source), partner: partnerID, order: rec.OrderID, eventType: string(rec.EventType),
		version: rec.Outcome.PolicyVersion, decision: string(rec.Outcome.FinalDecision), score: rec.Outcome.FinalScore,
		record: body, eventAt: store.Millis(rec.EventTime), createdAt: store.Millis(rec.DecidedAt),
	}}
	s.decisions.add(d, s.storeDecisions)
	select {
	case err := <-d.done:
		if err != nil {
			return fmt.Errorf("store: save decision %s: %w", rec.SequenceID, err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// decisionRow is a decision as risk_decisions stores it.
type decisionRow struct {
	seq, source, partner, order, eventType, version, decision string
	score                                                     int
	record                                                    []byte // JSON; PostgreSQL takes it without a copy to string
	eventAt, createdAt                                        int64
}

type pendingDecision struct {
	row  decisionRow
	done chan error // buffered, so the writer never waits for a caller
}

// decisionWriter stores decisions in groups. A decision saved while no
// group is being written starts one at once, alone; decisions saved while
// a group is being written wait and go together in the next. Under load one
// statement (and one commit) then stores many decisions, and at rest none
// waits for a timer. Every caller still returns only after its own
// decision committed. A partner's decision is on disk by then; a loan
// application's is on disk once its loan commits (see mustFlush), before
// the borrower is answered.
type decisionWriter struct {
	mu      sync.Mutex
	queue   []*pendingDecision
	writing bool
}

// maxDecisionGroup bounds a group: 11 parameters per row stay far below
// SQLite's 32,766, and one statement stays short.
const maxDecisionGroup = 256

// decisionWriteTimeout bounds one group's statement; callers whose request
// ended do not cancel the others'.
const decisionWriteTimeout = 10 * time.Second

func (w *decisionWriter) add(d *pendingDecision, insert func(context.Context, []decisionRow) (stored map[string]bool, err error)) {
	w.mu.Lock()
	w.queue = append(w.queue, d)
	start := !w.writing
	w.writing = true
	w.mu.Unlock()
	if start {
		go w.run(insert)
	}
}

// run writes groups until the queue is empty.
func (w *decisionWriter) run(insert func(context.Context, []decisionRow) (map[string]bool, error)) {
	for {
		w.mu.Lock()
		group := w.queue
		if len(group) > maxDecisionGroup {
			group, w.queue = group[:maxDecisionGroup:maxDecisionGroup], group[maxDecisionGroup:]
		} else {
			w.queue = nil
		}
		if len(group) == 0 {
			w.writing = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), decisionWriteTimeout)
		w.write(ctx, group, insert)
		cancel()
	}
}

// write stores a group and tells each caller. When the group's statement
// fails, each decision is retried alone, so one bad row fails only its own
// caller; the retries share the group's deadline, so a database that does
// not answer holds the queue for one timeout, not one per decision.
func (w *decisionWriter) write(ctx context.Context, group []*pendingDecision, insert func(context.Context, []decisionRow) (map[string]bool, error)) {
	rows := make([]decisionRow, len(group))
	for i, d := range group {
		rows[i] = d.row
	}
	stored, err := insert(ctx, rows)
	if err != nil && len(group) > 1 && ctx.Err() == nil {
		for _, d := range group {
			w.write(ctx, []*pendingDecision{d}, insert)
		}
		return
	}
	answered := make(map[string]bool, len(group)) // a sequence_id twice in one group: the second conflicts
	for _, d := range group {
		switch {
		case err != nil:
			d.done <- err
		case !stored[d.row.seq] || answered[d.row.seq]:
			d.done <- errs.E(errs.Conflict, "sequence_id %s is stored already", d.row.seq)
		default:
			answered[d.row.seq] = true
			d.done <- nil
		}
	}
}

// storeDecisions inserts rows in one statement and reports which were
// stored (a sequence_id stored already is skipped). On PostgreSQL it is one
// autocommit statement (over arrays for a group), on SQLite one
// transaction. It relies on the uniqueness of sequence_id: of two saves of
// one decision, however close, ON CONFLICT DO NOTHING stores one.
func (s *Store) storeDecisions(ctx context.Context, rows []decisionRow) (map[string]bool, error) {
	stored := make(map[string]bool, len(rows))
	if s.db.Engine == store.Postgres {
		q, args := pgDecisionInsert(rows)
		// One statement needs no BEGIN/COMMIT: it commits on its own. When
		// its commit need not wait for the WAL flush, the statement says so
		// itself: set_config in RETURNING runs, for each row stored, before
		// the commit reads the setting (a group of conflicts only stores
		// nothing, and has nothing to flush).
		returning, extra := decisionReturning, 0
		if !mustFlush(rows) {
			returning, extra = decisionReturning+`, set_config('synchronous_commit', 'off', true)`, 1
		}
		return stored, s.db.Pgx(ctx, func(c *pgx.Conn) error {
			rs, err := c.Query(ctx, q+returning, args...)
			if err != nil {
				return err
			}
			defer rs.Close()
			return readSequenceIDs(rs, stored, extra)
		})
	}
	values := make([][]any, len(rows))
	for i, r := range rows {
		values[i] = r.values(true)
	}
	q, args := store.ValuesList(decisionInsert+`VALUES `, values)
	return stored, s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		clear(stored)
		rs, err := t.Query(ctx, q+decisionReturning, args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		return readSequenceIDs(rs, stored, 0)
	})
}

const (
	decisionInsert = `INSERT INTO risk_decisions (sequence_id, source, partner_id, order_id, event_type, policy_version,
		final_decision, final_score, record, event_at, created_at) `
	decisionReturning = ` ON CONFLICT (sequence_id) DO NOTHING RETURNING sequence_id`
)

// readSequenceIDs marks the sequence ids an insert returned as stored;
// extra columns returned after the id are skipped.
func readSequenceIDs(rs resultRows, stored map[string]bool, extra int) error {
	for rs.Next() {
		var seq string
		dest := []any{&seq}
		for range extra {
			dest = append(dest, new(any))
		}
		if err := rs.Scan(dest...); err != nil {
			return err
		}
		stored[seq] = true
	}
	return rs.Err()
}

// mustFlush reports whether a group's commit must wait for its WAL flush.
// A decision of a loan application need not: the application's loan is
// committed after it, before the borrower is answered, and that commit's
// flush covers every earlier WAL record, this decision's included. A
// partner's decision is answered as soon as it is stored, so it waits.
func mustFlush(rows []decisionRow) bool {
	for _, r := range rows {
		if r.source != string(risk.SourceLoanApply) {
			return true
		}
	}
	return false
}

// pgDecisionInsert is the PostgreSQL text and arguments that insert rows:
// plain parameters for one decision, arrays for a group.
func pgDecisionInsert(rows []decisionRow) (string, []any) {
	if len(rows) == 1 {
		return decisionInsert + `VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, rows[0].values(false)
	}
	n := len(rows)
	var text [9][]string // the text columns, 7 and 8 (score) aside
	for i := range text {
		text[i] = make([]string, n)
	}
	scores, eventAt, createdAt := make([]int64, n), make([]int64, n), make([]int64, n)
	for i, r := range rows {
		text[0][i], text[1][i], text[2][i], text[3][i], text[4][i], text[5][i], text[6][i], text[8][i] =
			r.seq, r.source, r.partner, r.order, r.eventType, r.version, r.decision, string(r.record)
		scores[i], eventAt[i], createdAt[i] = int64(r.score), r.eventAt, r.createdAt
	}
	return decisionInsert + `SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
		$8::int[], $9::text[], $10::bigint[], $11::bigint[])`,
		[]any{text[0], text[1], text[2], text[3], text[4], text[5], text[6], scores, text[8], eventAt, createdAt}
}

// values are the row's columns in risk_decisions order. SQLite needs the
// record as a string, or it would store it as a BLOB.
func (r *decisionRow) values(recordAsString bool) []any {
	var record any = r.record
	if recordAsString {
		record = string(r.record)
	}
	return []any{r.seq, r.source, r.partner, r.order, r.eventType, r.version, r.decision, r.score, record, r.eventAt, r.createdAt}
}

// Decision returns a stored decision with its feedback folded in.
func (s *Store) Decision(ctx context.Context, sequenceID string) (*risk.Record, error) {
	var rec *risk.Record
	err := s.db.View(ctx, func(ctx context.Context, t *store.Tx) error {
		var body string
		err := t.QueryRow(ctx, `SELECT record FROM risk_decisions WHERE sequence_id = $1`, sequenceID).Scan(&body)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "sequence_id %q: no such decision", sequenceID)
		}
		if err != nil {
			return err
		}
		if rec, err = decodeRecord(body); err != nil {
			return err
		}
		rec.Feedback, err = feedback(ctx, t, sequenceID)
		return err
	})
	return rec, err
}

// maskedSubject masks every identifier of a decision's subject.
func maskedSubject(sub risk.Subject) risk.Subject {
	m := vault.Mask
	return risk.Subject{IDNumber: m(sub.IDNumber), Phone: m(sub.Phone), Card: m(sub.Card),
		Device: m(sub.Device), IP: m(sub.IP), Email: m(sub.Email)}
}

func decodeRecord(body string) (*risk.Record, error) {
	rec := new(risk.Record)
	if err := json.Unmarshal([]byte(body), rec); err != nil {
		return nil, fmt.Errorf("store: decode decision: %w", err)
	}
	return rec, nil
}

type feedbackRow struct {
	outcome risk.FeedbackOutcome
	at      time.Time
}

func scanFeedback(r store.Scanner) (feedbackRow, error) {
	var f feedbackRow
	var at int64
	err := r.Scan(&f.outcome, &at)
	f.at = store.FromMillis(at)
	return f, err
}

// foldFeedback folds outcomes (in time order) into a Feedback; nil when
// there are none.
func foldFeedback(rows []feedbackRow) (*risk.Feedback, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	fb := new(risk.Feedback)
	for _, r := range rows {
		if err := fb.Add(r.outcome, r.at); err != nil {
			return nil, err
		}
	}
	return fb, nil
}

func feedback(ctx context.Context, t *store.Tx, sequenceID string) (*risk.Feedback, error) {
	rows, err := store.Collect(ctx, t, scanFeedback, `SELECT outcome, at FROM risk_feedback WHERE sequence_id = $1 ORDER BY at, outcome`, sequenceID)
	if err != nil {
		return nil, err
	}
	return foldFeedback(rows)
}

// AddFeedback records an outcome for a stored decision. Reporting the same
// outcome again is harmless; one that contradicts the recorded feedback
// (declining an accepted loan) is a conflict, and an unknown sequence_id
// is not found. At READ COMMITTED it relies on the decision's row lock
// (FOR UPDATE): feedback on one decision is checked against the outcomes
// recorded before it, one report at a time.
func (s *Store) AddFeedback(ctx context.Context, sequenceID string, o risk.FeedbackOutcome, at time.Time, by string) (*risk.Feedback, error) {
	var fb *risk.Feedback
	err := s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		var one int
		err := t.QueryRow(ctx, `SELECT 1 FROM risk_decisions WHERE sequence_id = $1`+t.ForUpdate(), sequenceID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "sequence_id %q: no such decision", sequenceID)
		}
		if err != nil {
			return err
		}
		if fb, err = feedback(ctx, t, sequenceID); err != nil {
			return err
		}
		if fb == nil {
			fb = new(risk.Feedback)
		}
		if err := fb.Add(o, at); err != nil {
			if errors.Is(err, risk.ErrFeedbackConflict) {
				return &errs.Error{Code: errs.Conflict, Field: "outcome", Message: strings.TrimPrefix(err.Error(), "risk: ")}
			}
			return err
		}
		_, err = t.Exec(ctx, `INSERT INTO risk_feedback (sequence_id, outcome, at, created_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (sequence_id, outcome) DO NOTHING`, sequenceID, string(o), store.Millis(at), by)
		return err
	})
	return fb, err
}

// Decisions returns the decisions made at or after since, oldest first,
// with their feedback, as a sequence for risk.Simulate; the function
// returned reports the error that ended the sequence early, if any.
// Records are read in pages so memory stays flat over long histories.
func (s *Store) Decisions(ctx context.Context, since time.Time) (iter.Seq[*risk.Record], func() error) {
	var failed error
	seq := func(yield func(*risk.Record) bool) {
		const pageSize = 500
		after, afterID := store.Millis(since)-1, ""
		for {
			type row struct {
				id      string
				created int64
				rec     *risk.Record
			}
			var batch []row
			failed = s.db.View(ctx, func(ctx context.Context, t *store.Tx) error {
				rs, err := store.Collect(ctx, t, func(r store.Scanner) (row, error) {
					var x row
					var body string
					if err := r.Scan(&x.id, &x.created, &body); err != nil {
						return x, err
					}
					var err error
					x.rec, err = decodeRecord(body)
					return x, err
				}, `SELECT sequence_id, created_at, record FROM risk_decisions
					WHERE created_at > $1 OR (created_at = $1 AND sequence_id > $2)
					ORDER BY created_at, sequence_id LIMIT $3`, after, afterID, pageSize)
				if err != nil || len(rs) == 0 {
					return err
				}
				batch = rs
				ids := make([]any, len(rs))
				marks := make([]string, len(rs))
				for i, r := range rs {
					ids[i], marks[i] = r.id, fmt.Sprintf("$%d", i+1)
				}
				fbs, err := store.Collect(ctx, t, func(r store.Scanner) (struct {
					id string
					f  feedbackRow
				}, error) {
					var x struct {
						id string
						f  feedbackRow
					}
					var at int64
					err := r.Scan(&x.id, &x.f.outcome, &at)
					x.f.at = store.FromMillis(at)
					return x, err
				}, `SELECT sequence_id, outcome, at FROM risk_feedback WHERE sequence_id IN (`+strings.Join(marks, ", ")+`) ORDER BY at, outcome`, ids...)
				if err != nil {
					return err
				}
				byID := map[string][]feedbackRow{}
				for _, f := range fbs {
					byID[f.id] = append(byID[f.id], f.f)
				}
				for _, r := range batch {
					if r.rec.Feedback, err = foldFeedback(byID[r.id]); err != nil {
						return fmt.Errorf("feedback of %s: %w", r.id, err)
					}
				}
				return nil
			})
			if failed != nil || len(batch) == 0 {
				return
			}
			for _, r := range batch {
				if !yield(r.rec) {
					return
				}
			}
			last := batch[len(batch)-1]
			after, afterID = last.created, last.id
		}
	}
	return seq, func() error { return failed }
}
