// Package riskdb stores the risk engine's data in the database: list
// entries (the risk_list_entries table the loan engine shares), velocity
// and contact counts, decisions with their feedback, and policy versions.
// Values that identify a person are stored only as keyed hashes, so the
// same value always meets the same row without the tables holding it in
// the clear.
package riskdb

import (
	"strconv"
	"strings"
	"time"

	"creditpocket/internal/risk"
	"creditpocket/internal/store"
)

// Store implements risk.Store over a *store.DB.
type Store struct {
	db        *store.DB
	hash      func(domain, value string) string
	now       func() time.Time
	decisions decisionWriter
}

var _ risk.Store = (*Store)(nil)

// New returns the risk store. hash is the vault's keyed hash; list values
// are hashed in the domain "risk:"+kind, as the loan engine's list entries
// are. now decides which list entries are active (nil: time.Now).
func New(db *store.DB, hash func(domain, value string) string, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, hash: hash, now: now}
}

// Sources are the store-backed feature sources of the engine. The engine
// asks the Gatherer, which answers all four in one round trip; the four
// single sources remain for callers that want one of them.
func (s *Store) Sources() risk.Sources {
	return risk.Sources{Lists: s, Velocity: riskVelocity{s}, Contacts: riskContacts{s}, History: riskHistory{s}, Gatherer: s}
}

func (s *Store) listHash(kind risk.ListKind, normalised string) string {
	return s.hash("risk:"+string(kind), normalised)
}

// forUpdate locks the rows a query selects until the transaction ends on
// PostgreSQL; SQLite has one writer, whose transaction excludes every
// other, and no FOR UPDATE.
func forUpdate(t *store.Tx) string {
	if t.Engine() == store.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// valuesList appends "($1, $2…), (…)" for rows to prefix.
func valuesList(prefix string, rows [][]any) (string, []any) {
	var b strings.Builder
	b.WriteString(prefix)
	args := make([]any, 0, len(rows)*len(rows[0]))
	for i, row := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j, v := range row {
			if j > 0 {
				b.WriteString(", ")
			}
			args = append(args, v)
			b.WriteString("$" + strconv.Itoa(len(args)))
		}
		b.WriteByte(')')
	}
	return b.String(), args
}
