// Package riskdb stores the risk engine's data in the database: list
// entries (the risk_list_entries table the loan engine shares), velocity
// and contact counts, decisions with their feedback, and policy versions.
// Values that identify a person are stored only as keyed hashes, so the
// same value always meets the same row without the tables holding it in
// the clear.
package riskdb

import (
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
