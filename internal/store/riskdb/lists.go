package riskdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"

	"creditpocket/internal/errs"
	"creditpocket/internal/risk"
	"creditpocket/internal/store"
	"creditpocket/internal/vault"
)

// Lookup implements risk.Lists.
func (s *Store) Lookup(ctx context.Context, kind risk.ListKind, value string) (risk.ListEntry, bool, error) {
	es, err := s.LookupAll(ctx, []risk.ListKey{{Kind: kind, Value: value}})
	if err != nil {
		return risk.ListEntry{}, false, err
	}
	return es[0], es[0].List != "", nil
}

// LookupAll implements risk.BatchLists: one query for every kind of an
// event, the most severe active entry per key (the newest among equals).
func (s *Store) LookupAll(ctx context.Context, keys []risk.ListKey) ([]risk.ListEntry, error) {
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

func scanListEntry(r store.Scanner) (risk.ListEntry, error) {
	var e risk.ListEntry
	var kind, list string
	var expires sql.NullInt64
	var created int64
	err := r.Scan(&e.ID, &kind, &e.Value, &list, &e.Reason, &expires, &e.CreatedBy, &created)
	e.Kind, e.List = risk.ListKind(kind), risk.ListName(list)
	e.ExpiresAt, e.CreatedAt = store.FromNullMillis(expires), store.FromMillis(created)
	return e, err
}

// AddListEntry validates and stores an entry; the returned entry carries
// its ID, and in Value only the mask of the value. One INSERT under a
// random ID: it relies on nothing but its own row.
func (s *Store) AddListEntry(ctx context.Context, e risk.ListEntry) (risk.ListEntry, error) {
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
	err := s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		_, err := t.Exec(ctx, `INSERT INTO risk_list_entries (id, kind, value_hash, value_mask, list, reason, expires_at, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			e.ID, string(e.Kind), hash, mask, string(e.List), e.Reason, store.NullMillis(e.ExpiresAt), e.CreatedBy, store.Millis(e.CreatedAt))
		return err
	})
	e.Value = mask
	return e, err
}

// RemoveListEntry deletes an entry by ID: one DELETE, whose count tells
// whether it was there.
func (s *Store) RemoveListEntry(ctx context.Context, id string) error {
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		n, err := store.Affected(t.Exec(ctx, `DELETE FROM risk_list_entries WHERE id = $1`, id))
		if err == nil && n == 0 {
			return errs.E(errs.NotFound, "list entry %q does not exist", id)
		}
		return err
	})
}

// ListEntries returns up to 1000 entries, newest first, values masked;
// an empty kind or list matches every kind or list, and activeOnly leaves
// out expired entries.
func (s *Store) ListEntries(ctx context.Context, kind risk.ListKind, list risk.ListName, activeOnly bool) ([]risk.ListEntry, error) {
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
		add("(expires_at IS NULL OR expires_at > $%d)", store.Millis(s.now()))
	}
	q := `SELECT ` + listEntryColumns + ` FROM risk_list_entries`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	return store.ViewAll(ctx, s.db, scanListEntry, q+` ORDER BY created_at DESC, id LIMIT 1000`, args...)
}
