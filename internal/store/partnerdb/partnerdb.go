// Package partnerdb stores the open-API partners' credentials, scopes and
// call quotas in the database.
package partnerdb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/partner"
	"creditpocket/internal/store"
)

// Store implements partner.Store. Writes are single statements, each
// committed on its own (READ COMMITTED); what each relies on is said at it.
type Store struct{ db *store.DB }

// New returns the partner store over db.
func New(db *store.DB) *Store { return &Store{db: db} }

var _ partner.Store = (*Store)(nil)

const partnerColumns = `id, name, secret_hash, scopes, quota, used, rate_per_second, expires_at, revoked_at, created_at`

func scanPartner(r store.Scanner) (partner.Partner, error) {
	var p partner.Partner
	var scopes string
	var expires, revoked sql.NullInt64
	var created int64
	err := r.Scan(&p.ID, &p.Name, &p.SecretHash, &scopes, &p.Quota, &p.Used, &p.RatePerSecond, &expires, &revoked, &created)
	for _, s := range strings.Split(scopes, ",") {
		if s != "" {
			p.Scopes = append(p.Scopes, partner.Scope(s))
		}
	}
	p.ExpiresAt, p.RevokedAt, p.CreatedAt = store.FromNullMillis(expires), store.FromNullMillis(revoked), store.FromMillis(created)
	return p, err
}

// CreatePartner relies on the primary key: an id stored already is refused
// (errs.Conflict).
func (s *Store) CreatePartner(ctx context.Context, p *partner.Partner) error {
	scopes := make([]string, len(p.Scopes))
	for i, sc := range p.Scopes {
		scopes[i] = string(sc)
	}
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		_, err := t.Exec(ctx, `INSERT INTO partners (id, name, secret_hash, scopes, quota, rate_per_second, expires_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			p.ID, p.Name, p.SecretHash, strings.Join(scopes, ","), p.Quota, p.RatePerSecond, store.NullMillis(p.ExpiresAt), store.Millis(p.CreatedAt))
		return err
	})
}

func (s *Store) Partner(ctx context.Context, id string) (*partner.Partner, error) {
	var p partner.Partner
	err := s.db.Read(ctx, func(ctx context.Context, t *store.Tx) error {
		var err error
		p, err = scanPartner(t.QueryRow(ctx, `SELECT `+partnerColumns+` FROM partners WHERE id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "partner not found")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func (s *Store) Partners(ctx context.Context) ([]partner.Partner, error) {
	return store.ViewAll(ctx, s.db, scanPartner, `SELECT `+partnerColumns+` FROM partners ORDER BY created_at, id`)
}

// RevokePartner is one conditional UPDATE: revoking twice keeps the first
// time and reports false.
func (s *Store) RevokePartner(ctx context.Context, id string, at time.Time) (bool, error) {
	n, err := store.Affected(s.db.Exec(ctx, `UPDATE partners SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, id, store.Millis(at)))
	return n == 1, err
}

// ConsumeCall is the call quota as one atomic conditional UPDATE: the row
// lock it takes serialises concurrent calls, and the condition, re-checked
// on the latest row, never lets used pass quota.
func (s *Store) ConsumeCall(ctx context.Context, id string) (bool, error) {
	n, err := store.Affected(s.db.Exec(ctx, `UPDATE partners SET used = used + 1 WHERE id = $1 AND (quota = 0 OR used < quota)`, id))
	return n == 1, err
}

// AddCalls is one atomic increment, so concurrent additions all count.
func (s *Store) AddCalls(ctx context.Context, id string, n int64) error {
	_, err := s.db.Exec(ctx, `UPDATE partners SET used = used + $2 WHERE id = $1`, id, n)
	return err
}
