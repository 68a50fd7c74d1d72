package riskdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"creditpocket/internal/risk"
	"creditpocket/internal/store"
)

// gatherSQLite runs the plan in one transaction; with one writer the
// counts that follow the recording are exact. A plan that records nothing
// reads without taking the writer.
func (s *Store) gatherSQLite(ctx context.Context, p *gatherPlan, lists []risk.ListEntry, a *risk.Gathered) error {
	run := s.db.Read
	if p.records() {
		// READ COMMITTED is enough: SQLite's one writer is serial.
		run = func(ctx context.Context, fn func(context.Context, *store.Tx) error) error {
			return s.db.Transact(ctx, sql.LevelReadCommitted, fn)
		}
	}
	return run(ctx, func(ctx context.Context, t *store.Tx) error {
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

func (p *gatherPlan) sqliteLists(ctx context.Context, t *store.Tx, now time.Time, out []risk.ListEntry) error {
	if len(p.listHashes) == 0 {
		return nil
	}
	args := []any{store.Millis(now)}
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
		e, err := scanListEntry(store.Prefixed{Row: store.Prefixed{Row: rows, First: &kind}, First: &hash})
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
func (p *gatherPlan) sqliteRecord(ctx context.Context, t *store.Tx) error {
	counters := make([][]any, 0, len(p.velocity)+len(p.contacts))
	for _, k := range p.velocity {
		counters = append(counters, []any{k.dim, k.hash, 1, p.at})
	}
	for _, h := range p.contacts {
		counters = append(counters, []any{contactDim, h, 1, p.now})
	}
	upsert, args := store.ValuesList(`INSERT INTO risk_counter_keys (dim, key_hash, seen, last_at) VALUES `, counters)
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
		q, args := store.ValuesList(`INSERT INTO risk_velocity_events (dim, key_hash, at, other_hash, ord) VALUES `, velocity)
		if _, err := t.Exec(ctx, q, args...); err != nil {
			return err
		}
	}
	if len(contacts) > 0 {
		q, args := store.ValuesList(`INSERT INTO risk_contact_links (phone_hash, applicant_hash, created_at, ord) VALUES `, contacts)
		if _, err := t.Exec(ctx, q+` ON CONFLICT (phone_hash, applicant_hash) DO NOTHING`, args...); err != nil {
			return err
		}
	}
	return nil
}

// sqliteCount counts what pgCountSQL counts, for the one writer that
// SQLite has: no other observation can interleave.
func (p *gatherPlan) sqliteCount(ctx context.Context, t *store.Tx, a *risk.Gathered) error {
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
