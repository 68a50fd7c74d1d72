package riskdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/risk"
	"creditpocket/internal/store"
)

// SavePolicy implements risk.PolicyStore: it stores p unless its version is
// stored already (with other content: a conflict; bump the version), and
// makes it the active version. READ COMMITTED: the version's primary key
// refuses a second document under one version however close the two
// saves. Two saves racing may both read the same latest activation and
// activate at the same millisecond; either is then the active one.
func (s *Store) SavePolicy(ctx context.Context, p *risk.Policy, by string) error {
	now := s.now()
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		if err := storePolicyVersion(ctx, t, p, by, now); err != nil {
			return err
		}
		// Strictly later than the current active version, even within one
		// millisecond, so the latest SavePolicy always wins.
		var latest int64
		if err := t.QueryRow(ctx, `SELECT COALESCE(MAX(activated_at), 0) FROM risk_policies`).Scan(&latest); err != nil {
			return err
		}
		_, err := t.Exec(ctx, `UPDATE risk_policies SET activated_at = $2 WHERE version = $1`, p.Version, max(store.Millis(now), latest+1))
		return err
	})
}

// storePolicyVersion stores p unless its version is stored already: with
// the same document that is fine, with another it is a conflict.
func storePolicyVersion(ctx context.Context, t *store.Tx, p *risk.Policy, by string, now time.Time) error {
	var src string
	err := t.QueryRow(ctx, `SELECT source FROM risk_policies WHERE version = $1`, p.Version).Scan(&src)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = t.Exec(ctx, `INSERT INTO risk_policies (version, name, source, created_by, created_at, activated_at)
			VALUES ($1, $2, $3, $4, $5, 0)`, p.Version, p.Name, string(p.Source), by, store.Millis(now))
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
// shadowing. The shadow is one row (id 1) that the UPDATE locks: the last
// save wins.
func (s *Store) SaveShadow(ctx context.Context, p *risk.Policy, by string) error {
	now := s.now()
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		version := ""
		if p != nil {
			if err := storePolicyVersion(ctx, t, p, by, now); err != nil {
				return err
			}
			version = p.Version
		}
		_, err := t.Exec(ctx, `UPDATE risk_shadow SET version = $1, set_by = $2, set_at = $3 WHERE id = 1`, version, by, store.Millis(now))
		return err
	})
}

// ShadowPolicyVersion implements risk.ShadowStore.
func (s *Store) ShadowPolicyVersion(ctx context.Context) (string, error) {
	var v string
	err := s.db.Read(ctx, func(ctx context.Context, t *store.Tx) error {
		return t.QueryRow(ctx, `SELECT version FROM risk_shadow WHERE id = 1`).Scan(&v)
	})
	return v, err
}

// ActivePolicyVersion implements risk.PolicyStore.
func (s *Store) ActivePolicyVersion(ctx context.Context) (string, error) {
	var v string
	err := s.db.Read(ctx, func(ctx context.Context, t *store.Tx) error {
		err := t.QueryRow(ctx, `SELECT version FROM risk_policies WHERE activated_at > 0 ORDER BY activated_at DESC LIMIT 1`).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return v, err
}

// PolicySource implements risk.PolicyStore.
func (s *Store) PolicySource(ctx context.Context, version string) ([]byte, error) {
	var src string
	err := s.db.Read(ctx, func(ctx context.Context, t *store.Tx) error {
		err := t.QueryRow(ctx, `SELECT source FROM risk_policies WHERE version = $1`, version).Scan(&src)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "policy version %q is not stored", version)
		}
		return err
	})
	return []byte(src), err
}

// Policies lists the stored versions, newest first.
func (s *Store) Policies(ctx context.Context) ([]risk.PolicyVersion, error) {
	ps, err := store.ViewAll(ctx, s.db, func(r store.Scanner) (risk.PolicyVersion, error) {
		var p risk.PolicyVersion
		var created, activated int64
		err := r.Scan(&p.Version, &p.Name, &p.CreatedBy, &created, &activated)
		p.CreatedAt, p.ActivatedAt = store.FromMillis(created), store.FromMillis(activated)
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
