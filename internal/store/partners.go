package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"creditpocket/internal/partner"
)

// Partners adapts the DB to partner.Store.
func (db *DB) Partners() partner.Store { return partnerStore{db} }

type partnerStore struct{ db *DB }

const partnerColumns = `id, name, secret_hash, scopes, quota, used, rate_per_second, expires_at, revoked_at, created_at`

func scanPartner(r Scanner) (partner.Partner, error) {
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
	p.ExpiresAt, p.RevokedAt, p.CreatedAt = FromNullMillis(expires), FromNullMillis(revoked), FromMillis(created)
	return p, err
}

func (s partnerStore) CreatePartner(ctx context.Context, p *partner.Partner) error {
	scopes := make([]string, len(p.Scopes))
	for i, sc := range p.Scopes {
		scopes[i] = string(sc)
	}
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
		_, err := t.Exec(ctx, `INSERT INTO partners (id, name, secret_hash, scopes, quota, rate_per_second, expires_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			p.ID, p.Name, p.SecretHash, strings.Join(scopes, ","), p.Quota, p.RatePerSecond, NullMillis(p.ExpiresAt), Millis(p.CreatedAt))
		return err
	})
}

func (s partnerStore) Partner(ctx context.Context, id string) (*partner.Partner, error) {
	var p partner.Partner
	err := s.db.Read(ctx, func(ctx context.Context, t *Tx) error {
		var err error
		p, err = scanPartner(t.QueryRow(ctx, `SELECT `+partnerColumns+` FROM partners WHERE id = $1`, id))
		return notFound(err, "partner")
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func (s partnerStore) Partners(ctx context.Context) ([]partner.Partner, error) {
	return ViewAll(ctx, s.db, scanPartner, `SELECT `+partnerColumns+` FROM partners ORDER BY created_at, id`)
}

func (s partnerStore) RevokePartner(ctx context.Context, id string, at time.Time) (bool, error) {
	n, err := Affected(s.db.Exec(ctx, `UPDATE partners SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, id, Millis(at)))
	return n == 1, err
}

func (s partnerStore) ConsumeCall(ctx context.Context, id string) (bool, error) {
	n, err := Affected(s.db.Exec(ctx, `UPDATE partners SET used = used + 1 WHERE id = $1 AND (quota = 0 OR used < quota)`, id))
	return n == 1, err
}

func (s partnerStore) AddCalls(ctx context.Context, id string, n int64) error {
	_, err := s.db.Exec(ctx, `UPDATE partners SET used = used + $2 WHERE id = $1`, id, n)
	return err
}
