package riskdb

import (
	"context"

	"github.com/jackc/pgx/v5"

	"creditpocket/internal/risk"
	"creditpocket/internal/store"
)

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

// gatherSettingsSQL, first in a gather's batch (in its first statement,
// pgListsAndSettingsSQL, when it looks up lists), sets two things for the
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

// pgListsAndSettingsSQL is pgListsSQL carrying gatherSettingsSQL's
// settings, so a gather that looks up lists sends no statement for them:
// the LEFT JOIN keeps one row (all NULL after the settings) when nothing
// is listed, so the settings are evaluated whatever the look-up finds.
// The settings are set before the rest of the batch is planned and
// committed, which is all they are for.
const pgListsAndSettingsSQL = `SELECT set_config('plan_cache_mode', 'force_generic_plan', true) ||
		set_config('synchronous_commit', 'off', true), l.*
	FROM (SELECT 1) one LEFT JOIN LATERAL (` + pgListsSQL + `) l ON true`

const listEntryColumnsOfE = `e.id, e.kind, e.value_mask, e.list, e.reason, e.expires_at, e.created_by, e.created_at`

// gatherPostgres sends every statement of the plan in one pipelined batch:
// one round trip. The batch is one implicit transaction, so the counter
// row locks the record statement takes are held until the count after it
// has run — server-side, never across a round trip. While they are held no
// other observation of those keys can record, and every earlier one has
// committed: the counts are exact, and two simultaneous applications never
// both miss each other. Reads go first so the locks are held briefly.
func (s *Store) gatherPostgres(ctx context.Context, p *gatherPlan, lists []risk.ListEntry, a *risk.Gathered) error {
	var b pgx.Batch
	if len(p.listHashes) == 0 {
		b.Queue(gatherSettingsSQL)
	} else {
		b.Queue(pgListsAndSettingsSQL, store.Millis(s.now()), p.listKinds, p.listHashes).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				if rows.RawValues()[1] == nil { // the settings' row: nothing listed
					continue
				}
				var settings string
				var i int
				e, err := scanListEntry(store.Prefixed{Row: store.Prefixed{Row: rows, First: &settings}, First: &i})
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
	if len(p.listHashes) == 0 && b.Len() == 1 { // only gatherSettingsSQL: nothing to ask
		return nil
	}
	return s.db.Pgx(ctx, func(c *pgx.Conn) error { return c.SendBatch(ctx, &b).Close() })
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
