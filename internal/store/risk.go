package store

import (
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
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

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
	db        *DB
	hash      func(domain, value string) string
	now       func() time.Time
	decisions decisionWriter
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

// Sources are the store-backed feature sources of the engine. The engine
// asks the Gatherer, which answers all four in one round trip; the four
// single sources remain for callers that want one of them.
func (s *Risk) Sources() risk.Sources {
	return risk.Sources{Lists: s, Velocity: riskVelocity{s}, Contacts: riskContacts{s}, History: riskHistory{s}, Gatherer: s}
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
	entries, err := s.gather(ctx, &risk.Lookup{Lists: keys}, new(risk.Gathered))
	if err != nil {
		return nil, fmt.Errorf("store: risk list lookup: %w", err)
	}
	return entries, nil
}

// mergeListEntry keeps in *e the most severe of *e and c, the newest among
// equals, so a blacklisting is never hidden by a whitelisting.
func mergeListEntry(e *risk.ListEntry, c risk.ListEntry) {
	if e.List == "" || c.List.Severity() > e.List.Severity() || c.List == e.List && c.CreatedAt.After(e.CreatedAt) {
		*e = c
	}
}

const listEntryColumns = `id, kind, value_mask, list, reason, expires_at, created_by, created_at`

func scanListEntry(r Scanner) (risk.ListEntry, error) {
	var e risk.ListEntry
	var kind, list string
	var expires sql.NullInt64
	var created int64
	err := r.Scan(&e.ID, &kind, &e.Value, &list, &e.Reason, &expires, &e.CreatedBy, &created)
	e.Kind, e.List = risk.ListKind(kind), risk.ListName(list)
	e.ExpiresAt, e.CreatedAt = FromNullMillis(expires), FromMillis(created)
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
	err := s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
		_, err := t.Exec(ctx, `INSERT INTO risk_list_entries (id, kind, value_hash, value_mask, list, reason, expires_at, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			e.ID, string(e.Kind), hash, mask, string(e.List), e.Reason, NullMillis(e.ExpiresAt), e.CreatedBy, Millis(e.CreatedAt))
		return err
	})
	e.Value = mask
	return e, err
}

// RemoveListEntry deletes an entry by ID.
func (s *Risk) RemoveListEntry(ctx context.Context, id string) error {
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
		n, err := Affected(t.Exec(ctx, `DELETE FROM risk_list_entries WHERE id = $1`, id))
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
		add("(expires_at IS NULL OR expires_at > $%d)", Millis(s.now()))
	}
	q := `SELECT ` + listEntryColumns + ` FROM risk_list_entries`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	return ViewAll(ctx, s.db, scanListEntry, q+` ORDER BY created_at DESC, id LIMIT 1000`, args...)
}

// Velocity dimensions as stored in risk_velocity_events.dim, with the list
// kind whose hash domain keys them (so a value hashes alike everywhere).
var velocityDims = [...]struct {
	dim  string
	kind risk.ListKind
}{{"id", risk.KindIDNumber}, {"phone", risk.KindPhone}, {"device", risk.KindDevice}, {"ip", risk.KindIP}, {"card", risk.KindCard}}

// contactDim keys contact phones in risk_counter_keys.
const contactDim = "contact"

// Gather implements risk.Gatherer: the lists, the loan history, recording
// and counting the velocity observation and the contact links, all in one
// round trip on PostgreSQL (a pipelined batch) and one transaction on
// SQLite. A failure fails every source asked: they share the round trip.
func (s *Risk) Gather(ctx context.Context, q *risk.Lookup, into *risk.Gathered) {
	entries, err := s.gather(ctx, q, into)
	if err == nil {
		into.Lists = make([]risk.ListName, len(entries))
		for i, e := range entries {
			into.Lists[i] = e.List
		}
		return
	}
	err = fmt.Errorf("store: risk sources: %w", err)
	if len(q.Lists) > 0 {
		into.ListsErr = err
	}
	if q.Velocity != nil {
		into.VelocityErr = err
	}
	if len(q.ContactPhones) > 0 {
		into.ContactsErr = err
	}
	if q.History != nil {
		into.HistoryErr = err
	}
}

// gatherPlan is a lookup with its values hashed as the tables store them.
type gatherPlan struct {
	q          *risk.Lookup
	now, at    int64    // Unix ms: the clock, and the observed event's time
	listKinds  []string // per q.Lists
	listHashes []string
	velocity   []velocityKey
	applicant  string   // hash of q.Applicant
	contactOf  []string // the hash of each of q.ContactPhones
	contacts   []string // the same, once each
}

// velocityKey is one dimension of an observation: the key it is counted
// under and the other value its distinct count is over ("" for none).
type velocityKey struct{ dim, hash, other string }

func (s *Risk) plan(q *risk.Lookup) gatherPlan {
	p := gatherPlan{q: q, now: Millis(s.now())}
	// The same value is listed and counted under one hash: compute it once.
	var memo [8]struct{ kind, value, hash string }
	hash := func(kind risk.ListKind, value string) string {
		for i := range memo {
			m := &memo[i]
			if m.kind == string(kind) && m.value == value {
				return m.hash
			}
			if m.kind == "" {
				*m = struct{ kind, value, hash string }{string(kind), value, s.listHash(kind, value)}
				return m.hash
			}
		}
		return s.listHash(kind, value)
	}
	if n := len(q.Lists); n > 0 {
		p.listKinds, p.listHashes = make([]string, n), make([]string, n)
		for i, k := range q.Lists {
			p.listKinds[i], p.listHashes[i] = string(k.Kind), hash(k.Kind, k.Value)
		}
	}
	if o := q.Velocity; o != nil {
		p.at = o.At.UnixMilli()
		values := [len(velocityDims)]string{o.IDNumber, o.Phone, o.Device, o.IP, o.Card}
		p.velocity = make([]velocityKey, 0, len(velocityDims))
		for i, d := range velocityDims {
			if values[i] == "" {
				continue
			}
			k := velocityKey{dim: d.dim, hash: hash(d.kind, values[i])}
			switch {
			case d.dim == "id" && o.Phone != "":
				k.other = hash(risk.KindPhone, o.Phone)
			case d.dim == "device" && o.IDNumber != "":
				k.other = hash(risk.KindIDNumber, o.IDNumber)
			}
			p.velocity = append(p.velocity, k)
		}
	}
	if len(q.ContactPhones) > 0 {
		p.applicant = s.hash("risk:contact-applicant", q.Applicant)
		p.contactOf = make([]string, len(q.ContactPhones))
		for i, phone := range q.ContactPhones {
			p.contactOf[i] = s.hash("risk:contact", phone)
			if !slices.Contains(p.contacts, p.contactOf[i]) {
				p.contacts = append(p.contacts, p.contactOf[i])
			}
		}
	}
	return p
}

// records reports whether the plan writes: an observation or contact links.
func (p *gatherPlan) records() bool { return len(p.velocity) > 0 || len(p.contacts) > 0 }

// gather answers a lookup into a, which it resets first, and returns the
// list entries of q.Lists (a.Lists is left to Gather: LookupAll wants the
// entries, the engine only their lists).
func (s *Risk) gather(ctx context.Context, q *risk.Lookup, a *risk.Gathered) ([]risk.ListEntry, error) {
	p := s.plan(q)
	*a = risk.Gathered{ContactOthers: make([]int, len(q.ContactPhones))}
	lists := make([]risk.ListEntry, len(q.Lists))
	if s.db.Engine == Postgres {
		return lists, s.gatherPostgres(ctx, &p, lists, a)
	}
	return lists, s.gatherSQLite(ctx, &p, lists, a)
}

// setVelocity stores one dimension's window counts and distinct count.
func (p *gatherPlan) setVelocity(c *risk.VelocityCounts, dim string, n [risk.NumWindows]int, distinct int) {
	o := p.q.Velocity
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

// setContact stores how many applicants list a contact phone, this one
// included, as the count of the others.
func (p *gatherPlan) setContact(others []int, hash string, listing int) {
	for i, h := range p.contactOf {
		if h == hash {
			others[i] = max(listing-1, 0)
		}
	}
}

// windowStarts are the exclusive starts of the windows ending at the
// observed event, Hour to Month: a window is (at - length, at].
func (p *gatherPlan) windowStarts() [risk.NumWindows]int64 {
	var w [risk.NumWindows]int64
	for i := range risk.NumWindows {
		w[i] = p.at - i.Duration().Milliseconds()
	}
	return w
}

// historySQL answers risk.History from the loans table, finding the
// borrower by phone: users.phone holds the same E.164 digits as the
// event's profile phone.
const historySQL = `SELECT
		COUNT(*),
		COALESCE(SUM(CASE WHEN l.status = $2 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN l.status IN ($3, $4, $5) THEN 1 ELSE 0 END), 0),
		COALESCE(MAX(l.over_days), 0),
		COALESCE(MAX(CASE WHEN l.status = $4 THEN l.over_days ELSE 0 END), 0)
	FROM loans l JOIN users u ON u.id = l.user_id
	WHERE u.phone = $1 AND l.disbursed_at > 0`

func historyArgs(phone string) []any {
	return []any{phone, int(loan.StatusSettled), int(loan.StatusRepaying), int(loan.StatusOverdue), int(loan.StatusExtended)}
}

func scanHistory(r Scanner, h *risk.LoanHistory) error {
	return r.Scan(&h.Loans, &h.Settled, &h.Open, &h.WorstDaysOverdue, &h.CurrentDaysOverdue)
}

// askHistory reports whether the history has a query to run: people
// without a phone have a zero history.
func (p *gatherPlan) askHistory() bool { return p.q.History != nil && p.q.History.Phone != "" }

// PostgreSQL texts of a gather. Arrays (unnest) keep each text fixed, so
// pgx prepares it once per connection and the plan is reused; LATERAL
// keeps every look-up an index scan whatever the array's length.
const (
	pgListsSQL = `SELECT k.i, ` + listEntryColumnsOfE + `
		FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS k(kind, value_hash, i)
		CROSS JOIN LATERAL (SELECT * FROM risk_list_entries e
			WHERE e.kind = k.kind AND e.value_hash = k.value_hash AND (e.expires_at IS NULL OR e.expires_at > $1)) e`

	// pgRecordSQL increments the counter of every key — in key order, so
	// concurrent observations lock rows in one order — and stores the
	// velocity rows and contact links under the ordinal each key got.
	pgRecordSQL = `WITH k AS (
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS k(dim, key_hash, other_hash)
		), c AS (
			INSERT INTO risk_counter_keys AS r (dim, key_hash, seen, last_at)
			SELECT dim, key_hash, 1, CASE WHEN dim = 'contact' THEN $6::bigint ELSE $4::bigint END FROM k ORDER BY dim, key_hash
			ON CONFLICT (dim, key_hash) DO UPDATE SET seen = r.seen + 1, last_at = GREATEST(r.last_at, excluded.last_at)
			RETURNING dim, key_hash, seen
		), v AS (
			INSERT INTO risk_velocity_events (dim, key_hash, at, other_hash, ord)
			SELECT c.dim, c.key_hash, $4, k.other_hash, c.seen FROM c JOIN k USING (dim, key_hash) WHERE c.dim <> 'contact'
		)
		INSERT INTO risk_contact_links (phone_hash, applicant_hash, created_at, ord)
		SELECT c.key_hash, $5, $6, c.seen FROM c WHERE c.dim = 'contact'
		ON CONFLICT (phone_hash, applicant_hash) DO NOTHING`

	// pgCountSQL counts each velocity key's events in every window ending
	// at $3 (starts $4…$7, Hour to Month), then each contact phone's
	// applicants.
	pgCountSQL = `SELECT k.dim, k.key_hash, x.h, x.d, x.w, x.m, x.n
		FROM unnest($1::text[], $2::text[]) AS k(dim, key_hash)
		CROSS JOIN LATERAL (SELECT COUNT(*) FILTER (WHERE e.at > $4) AS h, COUNT(*) FILTER (WHERE e.at > $5) AS d,
				COUNT(*) FILTER (WHERE e.at > $6) AS w, COUNT(*) AS m,
				COUNT(DISTINCT e.other_hash) FILTER (WHERE e.other_hash <> '') AS n
			FROM risk_velocity_events e WHERE e.dim = k.dim AND e.key_hash = k.key_hash AND e.at <= $3 AND e.at > $7) x
		UNION ALL
		SELECT 'contact', p.h, 0, 0, 0, (SELECT COUNT(*) FROM risk_contact_links l WHERE l.phone_hash = p.h), 0
		FROM unnest($8::text[]) AS p(h)`
)

// gatherSettingsSQL, first in a gather's batch, sets two things for the
// rest of the batch (the batch is one implicit transaction, so both end
// with it):
//   - PostgreSQL reuses each statement's generic plan. Left to choose, it
//     plans the count statement afresh on every call, because the generic
//     plan's guess of ten keys per array costs more than the custom plan's
//     exact count, though both are the same index scans: planning took
//     three times as long as running it (pg_stat_statements, loan-apply
//     benchmark).
//   - The commit of the recorded observations does not wait for its WAL
//     flush. Every gather that records is followed, before its decision
//     is told to anyone, by a commit that does wait (the decision's, or
//     the loan application's), and flushing WAL up to that commit flushes
//     these records too. A crash before then loses only observations of
//     requests that were never answered with a decision.
const gatherSettingsSQL = `SELECT set_config('plan_cache_mode', 'force_generic_plan', true),
	set_config('synchronous_commit', 'off', true)`

const listEntryColumnsOfE = `e.id, e.kind, e.value_mask, e.list, e.reason, e.expires_at, e.created_by, e.created_at`

// gatherPostgres sends every statement of the plan in one pipelined batch:
// one round trip. The batch is one implicit transaction, so the counter
// row locks the record statement takes are held until the count after it
// has run — server-side, never across a round trip. While they are held no
// other observation of those keys can record, and every earlier one has
// committed: the counts are exact, and two simultaneous applications never
// both miss each other. Reads go first so the locks are held briefly.
func (s *Risk) gatherPostgres(ctx context.Context, p *gatherPlan, lists []risk.ListEntry, a *risk.Gathered) error {
	var b pgx.Batch
	b.Queue(gatherSettingsSQL)
	if len(p.listHashes) > 0 {
		b.Queue(pgListsSQL, Millis(s.now()), p.listKinds, p.listHashes).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var i int
				e, err := scanListEntry(Prefixed{rows, &i})
				if err != nil {
					return err
				}
				mergeListEntry(&lists[i-1], e)
			}
			return rows.Err()
		})
	}
	if p.askHistory() {
		b.Queue(historySQL, historyArgs(p.q.History.Phone)...).QueryRow(func(row pgx.Row) error {
			return scanHistory(row, &a.History)
		})
	}
	if p.records() {
		n := len(p.velocity) + len(p.contacts)
		dims, hashes, others := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
		for _, k := range p.velocity {
			dims, hashes, others = append(dims, k.dim), append(hashes, k.hash), append(others, k.other)
		}
		velocityKeys := len(dims)
		for _, h := range p.contacts {
			dims, hashes, others = append(dims, contactDim), append(hashes, h), append(others, "")
		}
		b.Queue(pgRecordSQL, dims, hashes, others, p.at, p.applicant, p.now)
		w := p.windowStarts()
		b.Queue(pgCountSQL, dims[:velocityKeys], hashes[:velocityKeys], p.at, w[risk.Hour], w[risk.Day], w[risk.Week], w[risk.Month], p.contacts).
			Query(func(rows pgx.Rows) error { return p.scanCounts(rows, a) })
	}
	if b.Len() == 1 { // only gatherSettingsSQL: nothing to ask
		return nil
	}
	return s.db.pgx(ctx, func(c *pgx.Conn) error { return c.SendBatch(ctx, &b).Close() })
}

// scanCounts reads rows of (dim, key hash, hour, day, week, month,
// distinct): velocity counts, and for dim contact the applicants listing a
// phone in the month column.
func (p *gatherPlan) scanCounts(rows resultRows, a *risk.Gathered) error {
	for rows.Next() {
		var dim, hash string
		var n [risk.NumWindows]int
		var distinct int
		if err := rows.Scan(&dim, &hash, &n[risk.Hour], &n[risk.Day], &n[risk.Week], &n[risk.Month], &distinct); err != nil {
			return err
		}
		if dim == contactDim {
			p.setContact(a.ContactOthers, hash, n[risk.Month])
		} else {
			p.setVelocity(&a.Velocity, dim, n, distinct)
		}
	}
	return rows.Err()
}

// resultRows is what both database/sql and pgx rows offer, for code that
// reads the same result through either.
type resultRows interface {
	Next() bool
	Scan(...any) error
	Err() error
}

// pgx runs fn on a pooled connection's pgx.Conn, for what database/sql
// cannot express: a pipelined batch.
func (db *DB) pgx(ctx context.Context, fn func(*pgx.Conn) error) error {
	c, err := db.rw.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Raw(func(dc any) error { return fn(dc.(*stdlib.Conn).Conn()) })
}

// gatherSQLite runs the plan in one transaction; with one writer the
// counts that follow the recording are exact. A plan that records nothing
// reads without taking the writer.
func (s *Risk) gatherSQLite(ctx context.Context, p *gatherPlan, lists []risk.ListEntry, a *risk.Gathered) error {
	run := s.db.Read
	if p.records() {
		run = s.db.writer
	}
	return run(ctx, func(ctx context.Context, t *Tx) error {
		clear(lists)
		clear(a.ContactOthers)
		a.Velocity, a.History = risk.VelocityCounts{}, risk.LoanHistory{}
		if err := p.sqliteLists(ctx, t, s.now(), lists); err != nil {
			return err
		}
		if p.askHistory() {
			if err := scanHistory(t.QueryRow(ctx, historySQL, historyArgs(p.q.History.Phone)...), &a.History); err != nil {
				return err
			}
		}
		if !p.records() {
			return nil
		}
		if err := p.sqliteRecord(ctx, t); err != nil {
			return err
		}
		return p.sqliteCount(ctx, t, a)
	})
}

func (p *gatherPlan) sqliteLists(ctx context.Context, t *Tx, now time.Time, out []risk.ListEntry) error {
	if len(p.listHashes) == 0 {
		return nil
	}
	args := []any{Millis(now)}
	match := make([]string, len(p.listHashes))
	for i := range p.listHashes {
		args = append(args, p.listKinds[i], p.listHashes[i])
		match[i] = fmt.Sprintf("(kind = $%d AND value_hash = $%d)", len(args)-1, len(args))
	}
	rows, err := t.Query(ctx, `SELECT kind, value_hash, `+listEntryColumns+` FROM risk_list_entries
		WHERE (expires_at IS NULL OR expires_at > $1) AND (`+strings.Join(match, " OR ")+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, hash string
		e, err := scanListEntry(Prefixed{Prefixed{rows, &kind}, &hash})
		if err != nil {
			return err
		}
		for i := range p.listHashes {
			if p.listKinds[i] == kind && p.listHashes[i] == hash {
				mergeListEntry(&out[i], e)
			}
		}
	}
	return rows.Err()
}

// sqliteRecord increments every key's counter and stores the velocity rows
// and contact links under the ordinal each key got.
func (p *gatherPlan) sqliteRecord(ctx context.Context, t *Tx) error {
	counters := make([][]any, 0, len(p.velocity)+len(p.contacts))
	for _, k := range p.velocity {
		counters = append(counters, []any{k.dim, k.hash, 1, p.at})
	}
	for _, h := range p.contacts {
		counters = append(counters, []any{contactDim, h, 1, p.now})
	}
	upsert, args := valuesList(`INSERT INTO risk_counter_keys (dim, key_hash, seen, last_at) VALUES `, counters)
	rows, err := t.Query(ctx, upsert+` ON CONFLICT (dim, key_hash) DO UPDATE SET seen = risk_counter_keys.seen + 1,
		last_at = MAX(risk_counter_keys.last_at, excluded.last_at)
		RETURNING dim, key_hash, seen`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var velocity, contacts [][]any
	for rows.Next() {
		var dim, hash string
		var ord int64
		if err := rows.Scan(&dim, &hash, &ord); err != nil {
			return err
		}
		if dim == contactDim {
			contacts = append(contacts, []any{hash, p.applicant, p.now, ord})
			continue
		}
		for _, k := range p.velocity {
			if k.dim == dim && k.hash == hash {
				velocity = append(velocity, []any{dim, hash, p.at, k.other, ord})
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	if len(velocity) > 0 {
		q, args := valuesList(`INSERT INTO risk_velocity_events (dim, key_hash, at, other_hash, ord) VALUES `, velocity)
		if _, err := t.Exec(ctx, q, args...); err != nil {
			return err
		}
	}
	if len(contacts) > 0 {
		q, args := valuesList(`INSERT INTO risk_contact_links (phone_hash, applicant_hash, created_at, ord) VALUES `, contacts)
		if _, err := t.Exec(ctx, q+` ON CONFLICT (phone_hash, applicant_hash) DO NOTHING`, args...); err != nil {
			return err
		}
	}
	return nil
}

// sqliteCount counts what pgCountSQL counts, for the one writer that
// SQLite has: no other observation can interleave.
func (p *gatherPlan) sqliteCount(ctx context.Context, t *Tx, a *risk.Gathered) error {
	w := p.windowStarts()
	args := []any{p.at, w[risk.Hour], w[risk.Day], w[risk.Week], w[risk.Month]}
	var parts []string
	if len(p.velocity) > 0 {
		match := make([]string, len(p.velocity))
		for i, k := range p.velocity {
			args = append(args, k.dim, k.hash)
			match[i] = fmt.Sprintf("(dim = $%d AND key_hash = $%d)", len(args)-1, len(args))
		}
		parts = append(parts, `SELECT dim, key_hash, SUM(CASE WHEN at > $2 THEN 1 ELSE 0 END), SUM(CASE WHEN at > $3 THEN 1 ELSE 0 END),
			SUM(CASE WHEN at > $4 THEN 1 ELSE 0 END), COUNT(*), COUNT(DISTINCT CASE WHEN other_hash <> '' THEN other_hash END)
			FROM risk_velocity_events WHERE at <= $1 AND at > $5 AND (`+strings.Join(match, " OR ")+`) GROUP BY dim, key_hash`)
	}
	if len(p.contacts) > 0 {
		marks := make([]string, len(p.contacts))
		for i, h := range p.contacts {
			args = append(args, h)
			marks[i] = fmt.Sprintf("$%d", len(args))
		}
		parts = append(parts, `SELECT '`+contactDim+`', phone_hash, 0, 0, 0, COUNT(*), 0 FROM risk_contact_links
			WHERE phone_hash IN (`+strings.Join(marks, ", ")+`) GROUP BY phone_hash`)
	}
	rows, err := t.Query(ctx, strings.Join(parts, " UNION ALL "), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return p.scanCounts(rows, a)
}

// riskVelocity implements risk.Velocity over risk_velocity_events.
type riskVelocity struct{ s *Risk }

// Observe implements risk.Velocity: it records o and counts every key's
// events in each window ending at o.At, this one included.
func (v riskVelocity) Observe(ctx context.Context, o risk.Observation) (risk.VelocityCounts, error) {
	var a risk.Gathered
	if _, err := v.s.gather(ctx, &risk.Lookup{Velocity: &o}, &a); err != nil {
		return risk.VelocityCounts{}, fmt.Errorf("store: observe velocity: %w", err)
	}
	return a.Velocity, nil
}

// PruneVelocity deletes velocity events at or before the given time, which
// no window of a current event reaches once it is a month old.
func (s *Risk) PruneVelocity(ctx context.Context, before time.Time) (int64, error) {
	return Affected(s.db.Exec(ctx, `DELETE FROM risk_velocity_events WHERE at <= $1`, before.UnixMilli()))
}

// riskContacts implements risk.ContactIndex over risk_contact_links.
type riskContacts struct{ s *Risk }

// Observe implements risk.ContactIndex: links the applicant to each phone
// and counts the other applicants linked to it. A link that existed
// already counts once.
func (c riskContacts) Observe(ctx context.Context, applicant string, phones []string) ([]int, error) {
	if len(phones) == 0 {
		return []int{}, nil
	}
	var a risk.Gathered
	if _, err := c.s.gather(ctx, &risk.Lookup{Applicant: applicant, ContactPhones: phones}, &a); err != nil {
		return nil, fmt.Errorf("store: observe contacts: %w", err)
	}
	return a.ContactOthers, nil
}

// riskHistory implements risk.History from the loans table (historySQL).
// Events of people who never borrowed here have a zero history.
type riskHistory struct{ s *Risk }

// LoanHistory implements risk.History.
func (h riskHistory) LoanHistory(ctx context.Context, ref risk.BorrowerRef) (risk.LoanHistory, error) {
	var a risk.Gathered
	if _, err := h.s.gather(ctx, &risk.Lookup{History: &ref}, &a); err != nil {
		return risk.LoanHistory{}, fmt.Errorf("store: loan history: %w", err)
	}
	return a.History, nil
}

// Where a stored decision came from (risk_decisions.source).
const (
	FromPartnerAPI = string(risk.SourcePartnerAPI)
	FromLoanApply  = string(risk.SourceLoanApply)
)

// SaveDecision stores a decision with every feature value it used; source
// is FromPartnerAPI or FromLoanApply, partnerID the caller of the API. It
// returns once the decision is committed — a decision answered is a
// decision stored — but decisions saved at the same moment share one
// statement (group commit; see decisionWriter). Saving a sequence_id that
// is stored already is a conflict. A caller whose ctx ends while waiting
// gets ctx's error and its decision may still be stored.
func (s *Risk) SaveDecision(ctx context.Context, rec *risk.Record, source, partnerID string) error {
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
		seq: rec.SequenceID, source: source, partner: partnerID, order: rec.OrderID, eventType: string(rec.EventType),
		version: rec.Outcome.PolicyVersion, decision: string(rec.Outcome.FinalDecision), score: rec.Outcome.FinalScore,
		record: body, eventAt: Millis(rec.EventTime), createdAt: Millis(rec.DecidedAt),
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

func (w *decisionWriter) add(d *pendingDecision, store func(context.Context, []decisionRow) (stored map[string]bool, err error)) {
	w.mu.Lock()
	w.queue = append(w.queue, d)
	start := !w.writing
	w.writing = true
	w.mu.Unlock()
	if start {
		go w.run(store)
	}
}

// run writes groups until the queue is empty.
func (w *decisionWriter) run(store func(context.Context, []decisionRow) (map[string]bool, error)) {
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
		w.write(ctx, group, store)
		cancel()
	}
}

// write stores a group and tells each caller. When the group's statement
// fails, each decision is retried alone, so one bad row fails only its own
// caller; the retries share the group's deadline, so a database that does
// not answer holds the queue for one timeout, not one per decision.
func (w *decisionWriter) write(ctx context.Context, group []*pendingDecision, store func(context.Context, []decisionRow) (map[string]bool, error)) {
	rows := make([]decisionRow, len(group))
	for i, d := range group {
		rows[i] = d.row
	}
	stored, err := store(ctx, rows)
	if err != nil && len(group) > 1 && ctx.Err() == nil {
		for _, d := range group {
			w.write(ctx, []*pendingDecision{d}, store)
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
// transaction.
func (s *Risk) storeDecisions(ctx context.Context, rows []decisionRow) (map[string]bool, error) {
	stored := make(map[string]bool, len(rows))
	if s.db.Engine == Postgres {
		q, args := pgDecisionInsert(rows)
		return stored, s.db.pgx(ctx, func(c *pgx.Conn) error {
			// One statement needs no BEGIN/COMMIT: it commits on its own,
			// in the same round trip as the setting that may precede it.
			var b pgx.Batch
			if !mustFlush(rows) {
				b.Queue(`SELECT set_config('synchronous_commit', 'off', true)`)
			}
			b.Queue(q+decisionReturning, args...).Query(func(rs pgx.Rows) error { return readSequenceIDs(rs, stored) })
			return c.SendBatch(ctx, &b).Close()
		})
	}
	values := make([][]any, len(rows))
	for i, r := range rows {
		values[i] = r.values(true)
	}
	q, args := valuesList(decisionInsert+`VALUES `, values)
	return stored, s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
		clear(stored)
		rs, err := t.Query(ctx, q+decisionReturning, args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		return readSequenceIDs(rs, stored)
	})
}

const (
	decisionInsert = `INSERT INTO risk_decisions (sequence_id, source, partner_id, order_id, event_type, policy_version,
		final_decision, final_score, record, event_at, created_at) `
	decisionReturning = ` ON CONFLICT (sequence_id) DO NOTHING RETURNING sequence_id`
)

// readSequenceIDs marks the sequence ids an insert returned as stored.
func readSequenceIDs(rs resultRows, stored map[string]bool) error {
	for rs.Next() {
		var seq string
		if err := rs.Scan(&seq); err != nil {
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
		if r.source != FromLoanApply {
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
func (s *Risk) Decision(ctx context.Context, sequenceID string) (*risk.Record, error) {
	var rec *risk.Record
	err := s.db.View(ctx, func(ctx context.Context, t *Tx) error {
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

func scanFeedback(r Scanner) (feedbackRow, error) {
	var f feedbackRow
	var at int64
	err := r.Scan(&f.outcome, &at)
	f.at = FromMillis(at)
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
	rows, err := Collect(ctx, t, scanFeedback, `SELECT outcome, at FROM risk_feedback WHERE sequence_id = $1 ORDER BY at, outcome`, sequenceID)
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
	err := s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
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
			ON CONFLICT (sequence_id, outcome) DO NOTHING`, sequenceID, string(o), Millis(at), by)
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
		after, afterID := Millis(since)-1, ""
		for {
			type row struct {
				id      string
				created int64
				rec     *risk.Record
			}
			var batch []row
			failed = s.db.View(ctx, func(ctx context.Context, t *Tx) error {
				rs, err := Collect(ctx, t, func(r Scanner) (row, error) {
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
				fbs, err := Collect(ctx, t, func(r Scanner) (struct {
					id string
					f  feedbackRow
				}, error) {
					var x struct {
						id string
						f  feedbackRow
					}
					var at int64
					err := r.Scan(&x.id, &x.f.outcome, &at)
					x.f.at = FromMillis(at)
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
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
		if err := t.storePolicyVersion(ctx, p, by, now); err != nil {
			return err
		}
		// Strictly later than the current active version, even within one
		// millisecond, so the latest SavePolicy always wins.
		var latest int64
		if err := t.QueryRow(ctx, `SELECT COALESCE(MAX(activated_at), 0) FROM risk_policies`).Scan(&latest); err != nil {
			return err
		}
		_, err := t.Exec(ctx, `UPDATE risk_policies SET activated_at = $2 WHERE version = $1`, p.Version, max(Millis(now), latest+1))
		return err
	})
}

// storePolicyVersion stores p unless its version is stored already: with
// the same document that is fine, with another it is a conflict.
func (t *Tx) storePolicyVersion(ctx context.Context, p *risk.Policy, by string, now time.Time) error {
	var src string
	err := t.QueryRow(ctx, `SELECT source FROM risk_policies WHERE version = $1`, p.Version).Scan(&src)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = t.Exec(ctx, `INSERT INTO risk_policies (version, name, source, created_by, created_at, activated_at)
			VALUES ($1, $2, $3, $4, $5, 0)`, p.Version, p.Name, string(p.Source), by, Millis(now))
		return err
	case err != nil:
		return err
	case src != string(p.Source):
		return &errs.Error{Code: errs.Conflict, Field: "version",
			Message: fmt.Sprintf("policy version %q is stored already with other content; give the new document a new version", p.Version)}
	}
	return nil
}

// SaveShadow implements risk.ShadowStore: it stores p as SavePolicy does,
// without making it active, and makes it the shadow version; nil stops
// shadowing.
func (s *Risk) SaveShadow(ctx context.Context, p *risk.Policy, by string) error {
	now := s.now()
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
		version := ""
		if p != nil {
			if err := t.storePolicyVersion(ctx, p, by, now); err != nil {
				return err
			}
			version = p.Version
		}
		_, err := t.Exec(ctx, `UPDATE risk_shadow SET version = $1, set_by = $2, set_at = $3 WHERE id = 1`, version, by, Millis(now))
		return err
	})
}

// ShadowPolicyVersion implements risk.ShadowStore.
func (s *Risk) ShadowPolicyVersion(ctx context.Context) (string, error) {
	var v string
	err := s.db.Read(ctx, func(ctx context.Context, t *Tx) error {
		return t.QueryRow(ctx, `SELECT version FROM risk_shadow WHERE id = 1`).Scan(&v)
	})
	return v, err
}

// ActivePolicyVersion implements risk.PolicyStore.
func (s *Risk) ActivePolicyVersion(ctx context.Context) (string, error) {
	var v string
	err := s.db.Read(ctx, func(ctx context.Context, t *Tx) error {
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
	err := s.db.Read(ctx, func(ctx context.Context, t *Tx) error {
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
	ps, err := ViewAll(ctx, s.db, func(r Scanner) (PolicyVersion, error) {
		var p PolicyVersion
		var created, activated int64
		err := r.Scan(&p.Version, &p.Name, &p.CreatedBy, &created, &activated)
		p.CreatedAt, p.ActivatedAt = FromMillis(created), FromMillis(activated)
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
