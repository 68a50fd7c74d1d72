package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"creditpocket/internal/loan"
)

// RiskLists adapts the DB to loan.Lists and stores list entries. Values
// are kept only as keyed hashes (and a mask for people), so the table
// never holds a phone or ID number in the clear.
func (db *DB) RiskLists(hash func(kind loan.ListKind, normalised string) string) *RiskLists {
	return &RiskLists{db: db, hash: hash}
}

// RiskLists is the risk_list_entries table.
type RiskLists struct {
	db   *DB
	hash func(kind loan.ListKind, normalised string) string
}

// ListEntry is one stored list entry.
type ListEntry struct {
	ID        string
	Kind      loan.ListKind
	ValueMask string
	List      loan.ListName
	Reason    string
	ExpiresAt time.Time
	CreatedBy string
	CreatedAt time.Time
}

// Add stores an entry for a normalised value.
func (l *RiskLists) Add(ctx context.Context, e ListEntry, normalised string) error {
	return l.db.Tx(ctx, func(t *Tx) error {
		_, err := t.Exec(ctx, `INSERT INTO risk_list_entries (id, kind, value_hash, value_mask, list, reason, expires_at, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			e.ID, string(e.Kind), l.hash(e.Kind, normalised), e.ValueMask, string(e.List), e.Reason, nullMillis(e.ExpiresAt),
			e.CreatedBy, millis(e.CreatedAt))
		return err
	})
}

// severity orders lists so a blacklisting is never hidden by a whitelisting.
var severity = map[loan.ListName]int{loan.Blacklist: 3, loan.Greylist: 2, loan.Whitelist: 1}

// LookupLists returns, for each probe that matches, its most severe active
// entry, with one query for all probes.
func (l *RiskLists) LookupLists(ctx context.Context, probes []loan.ListProbe, now time.Time) ([]loan.ListHit, error) {
	if len(probes) == 0 {
		return nil, nil
	}
	var where strings.Builder
	args := []any{millis(now)}
	byHash := make(map[string]loan.ListKind, len(probes))
	for i, p := range probes {
		if i > 0 {
			where.WriteString(" OR ")
		}
		h := l.hash(p.Kind, p.Value)
		byHash[string(p.Kind)+"\x00"+h] = p.Kind
		args = append(args, string(p.Kind), h)
		fmt.Fprintf(&where, "(kind = $%d AND value_hash = $%d)", len(args)-1, len(args))
	}
	best := map[loan.ListKind]loan.ListHit{}
	err := l.db.Read(ctx, func(t *Tx) error {
		rows, err := collect(ctx, t, func(r scanner) (e [4]string, err error) {
			err = r.Scan(&e[0], &e[1], &e[2], &e[3])
			return e, err
		}, `SELECT kind, value_hash, list, reason FROM risk_list_entries
			WHERE (expires_at IS NULL OR expires_at > $1) AND (`+where.String()+`)`, args...)
		for _, e := range rows {
			kind, ok := byHash[e[0]+"\x00"+e[1]]
			if !ok {
				continue
			}
			hit := loan.ListHit{Kind: kind, List: loan.ListName(e[2]), Reason: e[3]}
			if cur, seen := best[kind]; !seen || severity[hit.List] > severity[cur.List] {
				best[kind] = hit
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	hits := make([]loan.ListHit, 0, len(best))
	for _, p := range probes { // in probe order, for a deterministic answer
		if h, ok := best[p.Kind]; ok {
			hits = append(hits, h)
			delete(best, p.Kind)
		}
	}
	return hits, nil
}
