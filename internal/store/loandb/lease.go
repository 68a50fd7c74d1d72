package loandb

import (
	"context"
	"database/sql"
	"time"

	"creditpocket/internal/loan"
	"creditpocket/internal/loan/cob"
	"creditpocket/internal/store"
)

// Leases implements cob.Leases: one row per job name with a holder and
// an expiry. Taking a lease is a single upsert that only overwrites an
// expired or own row, which PostgreSQL, SQLite and CockroachDB all run.
type Leases struct{ db *store.DB }

// NewLeases returns the job leases over db.
func NewLeases(db *store.DB) *Leases { return &Leases{db: db} }

var _ cob.Leases = (*Leases)(nil)

func (l *Leases) Acquire(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	var got string
	err := l.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		got = ""
		rows, err := t.Query(ctx, `INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
			WHERE job_leases.holder = excluded.holder OR job_leases.expires_at < $4
			RETURNING holder`, name, holder, store.Millis(now.Add(ttl)), store.Millis(now))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := rows.Scan(&got); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	return got == holder, err
}

func (l *Leases) Release(ctx context.Context, name, holder string) error {
	return l.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		_, err := t.Exec(ctx, `DELETE FROM job_leases WHERE name = $1 AND holder = $2`, name, holder)
		return err
	})
}

func (l *Leases) COBDone(ctx context.Context, business loan.Date) (bool, error) {
	var done bool
	err := l.db.View(ctx, func(ctx context.Context, t *store.Tx) error {
		var err error
		done, err = t.Exists(ctx, `SELECT 1 FROM cob_runs WHERE business_date = $1`, business.String())
		return err
	})
	return done, err
}

func (l *Leases) MarkCOBDone(ctx context.Context, r cob.COBResult) error {
	return l.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		_, err := t.Exec(ctx, `INSERT INTO cob_runs (business_date, loans, penalties, started_at, finished_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (business_date) DO NOTHING`,
			r.BusinessDate.String(), r.Loans, r.Penalties, store.Millis(r.StartedAt), store.Millis(r.FinishedAt))
		return err
	})
}
