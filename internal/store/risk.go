package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/loan"
	"creditpocket/internal/risk"
	"creditpocket/internal/vault"
)

// Risk is the risk engine's storage: list entries (the risk_list_entries
// table the loan engine shares), velocity and contact counts, decisions
// with their feedback, and policy versions. Values that identify a person
// are stored only as keyed hashes made by hash, so the same value always
// meets the same row without the tables holding it in the clear.
type Risk struct {
	db   *DB
	hash func(domain, value string) string
	now  func() time.Time
}

// Risk returns the risk store. hash is the vault's keyed hash; list values
// are hashed in the domain "risk:"+kind, as the loan engine's list entries
// are. now decides which list entries are active (nil: time.Now).
func (db *DB) Risk(hash func(domain, value string) string, now func() time.Time) *Risk {
	if now == nil {
		now = time.Now
	}
	return &Risk{db: db, hash: hash, now: now}
}

// Sources are the store-backed feature sources of the engine.
func (s *Risk) Sources() risk.Sources {
	return risk.Sources{Lists: s, Velocity: riskVelocity{s}, Contacts: riskContacts{s}, History: riskHistory{s}}
}

func (s *Risk) listHash(kind risk.ListKind, normalised string) string {
	return s.hash("risk:"+string(kind), normalised)
}

// Lookup implements risk.Lists.
func (s *Risk) Lookup(ctx context.Context, kind risk.ListKind, value string) (risk.ListEntry, bool, error) {
	es, err := s.LookupAll(ctx, []risk.ListKey{{Kind: kind, Value: value}})
	if err != nil {
		return risk.ListEntry{}, false, err
	}
	return es[0], es[0].List != "", nil
}

// LookupAll implements risk.BatchLists: one query for every kind of an
// event, the most severe active entry per key (the newest among equals).
func (s *Risk) LookupAll(ctx context.Context, keys []risk.ListKey) ([]risk.ListEntry, error) {
	out := make([]risk.ListEntry, len(keys))
	byHash := make(map[string][]int, len(keys)) // kind+hash → positions in keys
	args := []any{millis(s.now())}
	match := make([]string, len(keys))
	for i, k := range keys {
		h := s.listHash(k.Kind, k.Value)
		byHash[string(k.Kind)+":"+h] = append(byHash[string(k.Kind)+":"+h], i)
		args = append(args, string(k.Kind), h)
		match[i] = fmt.Sprintf("(kind = $%d AND value_hash = $%d)", len(args)-1, len(args))
	}
	err := s.db.Read(ctx, func(t *Tx) error {
		rows, err := t.Query(ctx, `SELECT value_hash, `+listEntryColumns+` FROM risk_list_entries
			WHERE (expires_at IS NULL OR expires_at > $1) AND (`+strings.Join(match, " OR ")+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var h string
			c, err := scanListEntry(prefixed{rows, &h})
			if err != nil {
				return err
			}
			for _, i := range byHash[string(c.Kind)+":"+h] {
				if e := &out[i]; e.List == "" || c.List.Severity() > e.List.Severity() || c.List == e.List && c.CreatedAt.After(e.CreatedAt) {
					*e = c
				}
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: risk list lookup: %w", err)
	}
	return out, nil
}

// prefixed scans its first column into first and the rest with the
// wrapped scanner's caller, so a row scanner can be shared by queries that
// select one more column in front.
type prefixed struct {
	r     scanner
	first any
}

func (p prefixed) Scan(dest ...any) error { return p.r.Scan(append([]any{p.first}, dest...)...) }

const listEntryColumns = `id, kind, value_mask, list, reason, expires_at, created_by, created_at`

func scanListEntry(r scanner) (risk.ListEntry, error) {
	var e risk.ListEntry
	var kind, list string
	var expires sql.NullInt64
	var created int64
	err := r.Scan(&e.ID, &kind, &e.Value, &list, &e.Reason, &expires, &e.CreatedBy, &created)
	e.Kind, e.List = risk.ListKind(kind), risk.ListName(list)
	e.ExpiresAt, e.CreatedAt = fromNullMillis(expires), fromMillis(created)
	return e, err
}

// AddListEntry validates and stores an entry; the returned entry carries
// its ID, and in Value only the mask of the value.
func (s *Risk) AddListEntry(ctx context.Context, e risk.ListEntry) (risk.ListEntry, error) {
	if err := e.Validate(); err != nil {
		return e, errs.InvalidField("value", "%s", strings.TrimPrefix(err.Error(), "risk: "))
	}
	if len(e.Reason) > 256 || len(e.CreatedBy) > 64 {
		return e, errs.InvalidField("reason", "reason must be at most 256 characters and created_by at most 64")
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	e.ID = "rle_" + hex.EncodeToString(id[:])
	if e.CreatedAt.IsZero() {
		e.CreatedAt = s.now()
	}
	hash, mask := s.listHash(e.Kind, e.Value), vault.Mask(e.Value)
	err := s.db.Tx(ctx, func(t *Tx) error {
		_, err := t.Exec(ctx, `INSERT INTO risk_list_entries (id, kind, value_hash, value_mask, list, reason, expires_at, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			e.ID, string(e.Kind), hash, mask, string(e.List), e.Reason, nullMillis(e.ExpiresAt), e.CreatedBy, millis(e.CreatedAt))
		return err
	})
	e.Value = mask
	return e, err
}

// RemoveListEntry deletes an entry by ID.
func (s *Risk) RemoveListEntry(ctx context.Context, id string) error {
	return s.db.Tx(ctx, func(t *Tx) error {
		n, err := affected(t.Exec(ctx, `DELETE FROM risk_list_entries WHERE id = $1`, id))
		if err == nil && n == 0 {
			return errs.E(errs.NotFound, "list entry %q does not exist", id)
		}
		return err
	})
}

// ListEntries returns up to 1000 entries, newest first, values masked;
// an empty kind or list matches every kind or list, and activeOnly leaves
// out expired entries.
func (s *Risk) ListEntries(ctx context.Context, kind risk.ListKind, list risk.ListName, activeOnly bool) ([]risk.ListEntry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if kind != "" {
		add("kind = $%d", string(kind))
	}
	if list != "" {
		add("list = $%d", string(list))
	}
	if activeOnly {
		add("(expires_at IS NULL OR expires_at > $%d)", millis(s.now()))
	}
	q := `SELECT ` + listEntryColumns + ` FROM risk_list_entries`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	return viewAll(ctx, s.db, scanListEntry, q+` ORDER BY created_at DESC, id LIMIT 1000`, args...)
}

// Velocity dimensions as stored in risk_velocity_events.dim, with the list
// kind whose hash domain keys them (so a value hashes alike everywhere).
var velocityDims = [...]struct {
	dim  string
	kind risk.ListKind
}{{"id", risk.KindIDNumber}, {"phone", risk.KindPhone}, {"device", risk.KindDevice}, {"ip", risk.KindIP}, {"card", risk.KindCard}}

// contactDim keys contact phones in risk_counter_keys.
const contactDim = "contact"

// counterKey is a (dimension, hash) row of risk_counter_keys.
type counterKey struct{ dim, hash string }

// orderedRow is a row to store under the next ordinal of its key.
type orderedRow struct {
	key    counterKey
	values []any // the table's columns after the key, before ord
}

// orderedTable says where recordOrdered stores rows.
type orderedTable struct {
	name     string
	keyCols  []string // one column (the hash) when dim is implied, else dim and hash
	cols     []string // the value columns
	pgTypes  []string // their PostgreSQL types, for the VALUES list
	conflict string   // e.g. ON CONFLICT (…) DO NOTHING
}

// recordOrdered increments the counter of every row's key and stores each
// row with the value its key got (ord), returning the ords by key.
//
// On PostgreSQL that is one autocommit statement: the counter row locks
// are held only while it runs, and once a key's ord is n, every row of
// that key with a smaller ord has committed (its statement finished before
// the lock was released). A later count of rows up to n is therefore exact
// — the observations of a key are serialised without holding a lock across
// round trips, so hot keys (a carrier's NAT address) do not queue every
// decision behind each other's network latency. On SQLite, with one
// writer, the same is done in t's transaction.
func (t *Tx) recordOrdered(ctx context.Context, tbl orderedTable, rows []orderedRow, at int64) (map[counterKey]int64, error) {
	slices.SortFunc(rows, func(a, b orderedRow) int {
		return cmp.Or(cmp.Compare(a.key.dim, b.key.dim), cmp.Compare(a.key.hash, b.key.hash))
	})
	rows = slices.CompactFunc(rows, func(a, b orderedRow) bool { return a.key == b.key })
	counters := make([][]any, len(rows))
	for i, r := range rows {
		counters[i] = []any{r.key.dim, r.key.hash, 1, at}
	}
	// Keys are sorted so concurrent statements lock them in one order.
	upsert, args := valuesList(`INSERT INTO risk_counter_keys (dim, key_hash, seen, last_at) VALUES `, counters)
	upsert += ` ON CONFLICT (dim, key_hash) DO UPDATE SET seen = risk_counter_keys.seen + 1,
		last_at = CASE WHEN excluded.last_at > risk_counter_keys.last_at THEN excluded.last_at ELSE risk_counter_keys.last_at END
		RETURNING dim, key_hash, seen`
	ords := make(map[counterKey]int64, len(rows))
	scanOrds := func(q string, args []any) error {
		rs, err := t.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var k counterKey
			var n int64
			if err := rs.Scan(&k.dim, &k.hash, &n); err != nil {
				return err
			}
			ords[k] = n
		}
		return rs.Err()
	}
	insert := `INSERT INTO ` + tbl.name + ` (` + strings.Join(append(append(slices.Clone(tbl.keyCols), tbl.cols...), "ord"), ", ") + `) `

	if t.Engine() == Postgres {
		// VALUES (dim, hash, values…) joined to the counters' RETURNING.
		var b strings.Builder
		for i, r := range rows {
			if i > 0 {
				b.WriteString(", ")
			}
			args = append(args, r.key.dim, r.key.hash)
			fmt.Fprintf(&b, "($%d::text, $%d::text", len(args)-1, len(args))
			for j, v := range r.values {
				args = append(args, v)
				fmt.Fprintf(&b, ", $%d::%s", len(args), tbl.pgTypes[j])
			}
			b.WriteByte(')')
		}
		sel := "c.key_hash"
		if len(tbl.keyCols) == 2 {
			sel = "c.dim, c.key_hash"
		}
		q := `WITH c AS (` + upsert + `), i AS (` + insert + `SELECT ` + sel + `, v.` + strings.Join(tbl.cols, ", v.") + `, c.seen
			FROM c JOIN (VALUES ` + b.String() + `) AS v(dim, key_hash, ` + strings.Join(tbl.cols, ", ") + `)
			ON v.dim = c.dim AND v.key_hash = c.key_hash ` + tbl.conflict + `)
			SELECT dim, key_hash, seen FROM c`
		return ords, scanOrds(q, args)
	}
	if err := scanOrds(upsert, args); err != nil {
		return nil, err
	}
	values := make([][]any, len(rows))
	for i, r := range rows {
		key := []any{r.key.dim, r.key.hash}
		if len(tbl.keyCols) == 1 {
			key = key[1:]
		}
		values[i] = append(append(key, r.values...), ords[r.key])
	}
	q, vargs := valuesList(insert+`VALUES `, values)
	_, err := t.Exec(ctx, q+` `+tbl.conflict, vargs...)
	return ords, err
}

// observe runs fn as one observation: on PostgreSQL on a pooled
// connection outside any transaction (recordOrdered needs none, and
// BEGIN/COMMIT would cost two round trips), on SQLite in a transaction.
func (db *DB) observe(ctx context.Context, fn func(*Tx) error) error {
	if db.Engine == Postgres {
		return fn(&Tx{db: db, q: db.rw, pool: db.rw})
	}
	return db.Tx(ctx, fn)
}

// riskVelocity implements risk.Velocity over risk_velocity_events.
type riskVelocity struct{ s *Risk }

var velocityTable = orderedTable{name: "risk_velocity_events", keyCols: []string{"dim", "key_hash"},
	cols: []string{"at", "other_hash"}, pgTypes: []string{"bigint", "text"}}

// Observe implements risk.Velocity: it records o under the next ordinal
// of each of its keys, then counts every key's events up to that ordinal
// in each window ending at o.At.
func (v riskVelocity) Observe(ctx context.Context, o risk.Observation) (risk.VelocityCounts, error) {
	var c risk.VelocityCounts
	values := [len(velocityDims)]string{o.IDNumber, o.Phone, o.Device, o.IP, o.Card}
	var rows []orderedRow
	at := o.At.UnixMilli()
	for i, d := range velocityDims {
		if values[i] == "" {
			continue
		}
		other := ""
		switch {
		case d.dim == "id" && o.Phone != "":
			other = v.s.listHash(risk.KindPhone, o.Phone)
		case d.dim == "device" && o.IDNumber != "":
			other = v.s.listHash(risk.KindIDNumber, o.IDNumber)
		}
		rows = append(rows, orderedRow{key: counterKey{d.dim, v.s.listHash(d.kind, values[i])}, values: []any{at, other}})
	}
	if len(rows) == 0 {
		return c, nil
	}
	err := v.s.db.observe(ctx, func(t *Tx) error {
		c = risk.VelocityCounts{}
		ords, err := t.recordOrdered(ctx, velocityTable, rows, at)
		if err != nil {
			return err
		}
		// Each window is (at - w, at]; one range scan per key covers the
		// month and the shorter windows are conditional sums over it.
		args := []any{at, at - risk.Month.Duration().Milliseconds(),
			at - risk.Hour.Duration().Milliseconds(), at - risk.Day.Duration().Milliseconds(), at - risk.Week.Duration().Milliseconds()}
		var match []string
		for _, r := range rows {
			args = append(args, r.key.dim, r.key.hash, ords[r.key])
			match = append(match, fmt.Sprintf("(dim = $%d AND key_hash = $%d AND ord <= $%d)", len(args)-2, len(args)-1, len(args)))
		}
		rs, err := t.Query(ctx, `SELECT dim, SUM(CASE WHEN at > $3 THEN 1 ELSE 0 END), SUM(CASE WHEN at > $4 THEN 1 ELSE 0 END),
			SUM(CASE WHEN at > $5 THEN 1 ELSE 0 END), COUNT(*), COUNT(DISTINCT CASE WHEN other_hash <> '' THEN other_hash END)
			FROM risk_velocity_events WHERE at <= $1 AND at > $2 AND (`+strings.Join(match, " OR ")+`) GROUP BY dim`, args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var dim string
			var n [risk.NumWindows]int
			var distinct int
			if err := rs.Scan(&dim, &n[risk.Hour], &n[risk.Day], &n[risk.Week], &n[risk.Month], &distinct); err != nil {
				return err
			}
			switch dim {
			case "id":
				c.IDNumber = n
				if o.Phone != "" {
					c.PhonesPerID = distinct
				}
			case "phone":
				c.Phone = n
			case "device":
				c.Device = n
				if o.IDNumber != "" {
					c.IDsPerDevice = distinct
				}
			case "ip":
				c.IP = n
			case "card":
				c.Card = n
			}
		}
		return rs.Err()
	})
	if err != nil {
		return risk.VelocityCounts{}, fmt.Errorf("store: observe velocity: %w", err)
	}
	return c, nil
}

// PruneVelocity deletes velocity events at or before the given time, which
// no window of a current event reaches once it is a month old.
func (s *Risk) PruneVelocity(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.db.Tx(ctx, func(t *Tx) error {
		var err error
		n, err = affected(t.Exec(ctx, `DELETE FROM risk_velocity_events WHERE at <= $1`, before.UnixMilli()))
		return err
	})
	return n, err
}

// riskContacts implements risk.ContactIndex over risk_contact_links.
type riskContacts struct{ s *Risk }

var contactTable = orderedTable{name: "risk_contact_links", keyCols: []string{"phone_hash"},
	cols: []string{"applicant_hash", "created_at"}, pgTypes: []string{"text", "bigint"},
	conflict: "ON CONFLICT (phone_hash, applicant_hash) DO NOTHING"}

// Observe implements risk.ContactIndex: links the applicant to each phone
// under the phone's next ordinal, then counts the applicants linked up to
// it. A link that existed already keeps its older ordinal, so it counts.
func (c riskContacts) Observe(ctx context.Context, applicant string, phones []string) ([]int, error) {
	others := make([]int, len(phones))
	if len(phones) == 0 {
		return others, nil
	}
	now := millis(c.s.now())
	app := c.s.hash("risk:contact-applicant", applicant)
	keys := make([]counterKey, len(phones))
	rows := make([]orderedRow, len(phones))
	for i, p := range phones {
		keys[i] = counterKey{contactDim, c.s.hash("risk:contact", p)}
		rows[i] = orderedRow{key: keys[i], values: []any{app, now}}
	}
	err := c.s.db.observe(ctx, func(t *Tx) error {
		ords, err := t.recordOrdered(ctx, contactTable, rows, now)
		if err != nil {
			return err
		}
		var args []any
		var match []string
		for k, ord := range ords {
			args = append(args, k.hash, ord)
			match = append(match, fmt.Sprintf("(phone_hash = $%d AND ord <= $%d)", len(args)-1, len(args)))
		}
		rs, err := t.Query(ctx, `SELECT phone_hash, COUNT(*) FROM risk_contact_links WHERE `+strings.Join(match, " OR ")+` GROUP BY phone_hash`, args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		listing := make(map[string]int, len(ords))
		for rs.Next() {
			var h string
			var n int
			if err := rs.Scan(&h, &n); err != nil {
				return err
			}
			listing[h] = n
		}
		for i, k := range keys {
			others[i] = max(listing[k.hash]-1, 0)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: observe contacts: %w", err)
	}
	return others, nil
}

// riskHistory implements risk.History from the loans table, finding the
// borrower by phone: users.phone holds the same E.164 digits as the
// event's profile phone. Events of people who never borrowed here have a
// zero history.
type riskHistory struct{ s *Risk }

// LoanHistory implements risk.History.
func (h riskHistory) LoanHistory(ctx context.Context, ref risk.BorrowerRef) (risk.LoanHistory, error) {
	var out risk.LoanHistory
	if ref.Phone == "" {
		return out, nil
	}
	err := h.s.db.Read(ctx, func(t *Tx) error {
		return t.QueryRow(ctx, `SELECT
				COUNT(*),
				COALESCE(SUM(CASE WHEN l.status = $2 THEN 1 ELSE 0 END), 0),
				COALESCE(SUM(CASE WHEN l.status IN ($3, $4, $5) THEN 1 ELSE 0 END), 0),
				COALESCE(MAX(l.over_days), 0),
				COALESCE(MAX(CASE WHEN l.status = $4 THEN l.over_days ELSE 0 END), 0)
			FROM loans l JOIN users u ON u.id = l.user_id
			WHERE u.phone = $1 AND l.disbursed_at > 0`,
			ref.Phone, int(loan.StatusSettled), int(loan.StatusRepaying), int(loan.StatusOverdue), int(loan.StatusExtended),
		).Scan(&out.Loans, &out.Settled, &out.Open, &out.WorstDaysOverdue, &out.CurrentDaysOverdue)
	})
	if err != nil {
		return risk.LoanHistory{}, fmt.Errorf("store: loan history: %w", err)
	}
	return out, nil
}

// Where a stored decision came from (risk_decisions.source).
const (
	FromPartnerAPI = "api"  // POST /credit/fraud/v1
	FromLoanApply  = "loan" // the loan engine, in-process
)

// SaveDecision stores a decision with every feature value it used; source
// is FromPartnerAPI or FromLoanApply, partnerID the caller of the API.
func (s *Risk) SaveDecision(ctx context.Context, rec *risk.Record, source, partnerID string) error {
	body, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("store: encode decision %s: %w", rec.SequenceID, err)
	}
	return s.db.Tx(ctx, func(t *Tx) error {
		_, err := t.Exec(ctx, `INSERT INTO risk_decisions (sequence_id, source, partner_id, order_id, event_type, policy_version,
				final_decision, final_score, record, event_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			rec.SequenceID, source, partnerID, rec.OrderID, string(rec.EventType), rec.Outcome.PolicyVersion,
			string(rec.Outcome.FinalDecision), rec.Outcome.FinalScore, string(body), millis(rec.EventTime), millis(rec.DecidedAt))
		return err
	})
}

// Decision returns a stored decision with its feedback folded in.
func (s *Risk) Decision(ctx context.Context, sequenceID string) (*risk.Record, error) {
	var rec *risk.Record
	err := s.db.View(ctx, func(t *Tx) error {
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
		rec.Feedback, err = t.feedback(ctx, sequenceID)
		return err
	})
	return rec, err
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

func scanFeedback(r scanner) (feedbackRow, error) {
	var f feedbackRow
	var at int64
	err := r.Scan(&f.outcome, &at)
	f.at = fromMillis(at)
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

func (t *Tx) feedback(ctx context.Context, sequenceID string) (*risk.Feedback, error) {
	rows, err := collect(ctx, t, scanFeedback, `SELECT outcome, at FROM risk_feedback WHERE sequence_id = $1 ORDER BY at, outcome`, sequenceID)
	if err != nil {
		return nil, err
	}
	return foldFeedback(rows)
}

// AddFeedback records an outcome for a stored decision. Reporting the same
// outcome again is harmless; one that contradicts the recorded feedback
// (declining an accepted loan) is a conflict, and an unknown sequence_id
// is not found.
func (s *Risk) AddFeedback(ctx context.Context, sequenceID string, o risk.FeedbackOutcome, at time.Time, by string) (*risk.Feedback, error) {
	var fb *risk.Feedback
	err := s.db.Tx(ctx, func(t *Tx) error {
		var one int
		err := t.QueryRow(ctx, `SELECT 1 FROM risk_decisions WHERE sequence_id = $1`+t.forUpdate(), sequenceID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "sequence_id %q: no such decision", sequenceID)
		}
		if err != nil {
			return err
		}
		if fb, err = t.feedback(ctx, sequenceID); err != nil {
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
			ON CONFLICT (sequence_id, outcome) DO NOTHING`, sequenceID, string(o), millis(at), by)
		return err
	})
	return fb, err
}

// Decisions returns the decisions made at or after since, oldest first,
// with their feedback, as a sequence for risk.Simulate; the function
// returned reports the error that ended the sequence early, if any.
// Records are read in pages so memory stays flat over long histories.
func (s *Risk) Decisions(ctx context.Context, since time.Time) (iter.Seq[*risk.Record], func() error) {
	var failed error
	seq := func(yield func(*risk.Record) bool) {
		const pageSize = 500
		after, afterID := millis(since)-1, ""
		for {
			type row struct {
				id      string
				created int64
				rec     *risk.Record
			}
			var batch []row
			failed = s.db.View(ctx, func(t *Tx) error {
				rs, err := collect(ctx, t, func(r scanner) (row, error) {
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
				fbs, err := collect(ctx, t, func(r scanner) (struct {
					id string
					f  feedbackRow
				}, error) {
					var x struct {
						id string
						f  feedbackRow
					}
					var at int64
					err := r.Scan(&x.id, &x.f.outcome, &at)
					x.f.at = fromMillis(at)
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

// PolicyVersion is a stored policy version.
type PolicyVersion struct {
	Version     string
	Name        string
	CreatedBy   string
	CreatedAt   time.Time
	ActivatedAt time.Time // zero: never active
	Active      bool
}

// SavePolicy implements risk.PolicyStore: it stores p unless its version is
// stored already (with other content: a conflict; bump the version), and
// makes it the active version.
func (s *Risk) SavePolicy(ctx context.Context, p *risk.Policy, by string) error {
	now := s.now()
	return s.db.Tx(ctx, func(t *Tx) error {
		var src string
		err := t.QueryRow(ctx, `SELECT source FROM risk_policies WHERE version = $1`, p.Version).Scan(&src)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := t.Exec(ctx, `INSERT INTO risk_policies (version, name, source, created_by, created_at, activated_at)
				VALUES ($1, $2, $3, $4, $5, 0)`, p.Version, p.Name, string(p.Source), by, millis(now)); err != nil {
				return err
			}
		case err != nil:
			return err
		case src != string(p.Source):
			return &errs.Error{Code: errs.Conflict, Field: "version",
				Message: fmt.Sprintf("policy version %q is stored already with other content; give the new document a new version", p.Version)}
		}
		// Strictly later than the current active version, even within one
		// millisecond, so the latest SavePolicy always wins.
		var latest int64
		if err := t.QueryRow(ctx, `SELECT COALESCE(MAX(activated_at), 0) FROM risk_policies`).Scan(&latest); err != nil {
			return err
		}
		_, err = t.Exec(ctx, `UPDATE risk_policies SET activated_at = $2 WHERE version = $1`, p.Version, max(millis(now), latest+1))
		return err
	})
}

// ActivePolicyVersion implements risk.PolicyStore.
func (s *Risk) ActivePolicyVersion(ctx context.Context) (string, error) {
	var v string
	err := s.db.Read(ctx, func(t *Tx) error {
		err := t.QueryRow(ctx, `SELECT version FROM risk_policies WHERE activated_at > 0 ORDER BY activated_at DESC LIMIT 1`).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return v, err
}

// PolicySource implements risk.PolicyStore.
func (s *Risk) PolicySource(ctx context.Context, version string) ([]byte, error) {
	var src string
	err := s.db.Read(ctx, func(t *Tx) error {
		err := t.QueryRow(ctx, `SELECT source FROM risk_policies WHERE version = $1`, version).Scan(&src)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "policy version %q is not stored", version)
		}
		return err
	})
	return []byte(src), err
}

// Policies lists the stored versions, newest first.
func (s *Risk) Policies(ctx context.Context) ([]PolicyVersion, error) {
	ps, err := viewAll(ctx, s.db, func(r scanner) (PolicyVersion, error) {
		var p PolicyVersion
		var created, activated int64
		err := r.Scan(&p.Version, &p.Name, &p.CreatedBy, &created, &activated)
		p.CreatedAt, p.ActivatedAt = fromMillis(created), fromMillis(activated)
		return p, err
	}, `SELECT version, name, created_by, created_at, activated_at FROM risk_policies ORDER BY created_at DESC, version`)
	if err != nil {
		return nil, err
	}
	newest := -1
	for i, p := range ps {
		if !p.ActivatedAt.IsZero() && (newest < 0 || p.ActivatedAt.After(ps[newest].ActivatedAt)) {
			newest = i
		}
	}
	if newest >= 0 {
		ps[newest].Active = true
	}
	return ps, nil
}
