package riskdb

import (
	"context"
	"fmt"
	"slices"
	"time"

	"creditpocket/internal/loan"
	"creditpocket/internal/risk"
	"creditpocket/internal/store"
)

// Velocity dimensions as stored in risk_velocity_events.dim, with the list
// kind whose hash domain keys them (so a value hashes alike everywhere).
var velocityDims = [...]struct {
	dim  string
	kind risk.ListKind
}{{"id", risk.KindIDNumber}, {"phone", risk.KindPhone}, {"device", risk.KindDevice}, {"ip", risk.KindIP}, {"card", risk.KindCard}}

// contactDim keys contact phones in risk_counter_keys.
const contactDim = "contact"

// Gather implements risk.Gatherer: the lists, the loan history, recording
// and counting the velocity observation and the contact links, all in one
// round trip on PostgreSQL (a pipelined batch) and one transaction on
// SQLite. A failure fails every source asked: they share the round trip.
func (s *Store) Gather(ctx context.Context, q *risk.Lookup, into *risk.Gathered) {
	entries, err := s.gather(ctx, q, into)
	if err == nil {
		into.Lists = make([]risk.ListName, len(entries))
		for i, e := range entries {
			into.Lists[i] = e.List
		}
		return
	}
	err = fmt.Errorf("store: risk sources: %w", err)
	if len(q.Lists) > 0 {
		into.ListsErr = err
	}
	if q.Velocity != nil {
		into.VelocityErr = err
	}
	if len(q.ContactPhones) > 0 {
		into.ContactsErr = err
	}
	if q.History != nil {
		into.HistoryErr = err
	}
}

// gatherPlan is a lookup with its values hashed as the tables store them.
type gatherPlan struct {
	q          *risk.Lookup
	now, at    int64    // Unix ms: the clock, and the observed event's time
	listKinds  []string // per q.Lists
	listHashes []string
	velocity   []velocityKey
	applicant  string   // hash of q.Applicant
	contactOf  []string // the hash of each of q.ContactPhones
	contacts   []string // the same, once each
}

// velocityKey is one dimension of an observation: the key it is counted
// under and the other value its distinct count is over ("" for none).
type velocityKey struct{ dim, hash, other string }

func (s *Store) plan(q *risk.Lookup) gatherPlan {
	p := gatherPlan{q: q, now: store.Millis(s.now())}
	// The same value is listed and counted under one hash: compute it once.
	var memo [8]struct{ kind, value, hash string }
	hash := func(kind risk.ListKind, value string) string {
		for i := range memo {
			m := &memo[i]
			if m.kind == string(kind) && m.value == value {
				return m.hash
			}
			if m.kind == "" {
				*m = struct{ kind, value, hash string }{string(kind), value, s.listHash(kind, value)}
				return m.hash
			}
		}
		return s.listHash(kind, value)
	}
	if n := len(q.Lists); n > 0 {
		p.listKinds, p.listHashes = make([]string, n), make([]string, n)
		for i, k := range q.Lists {
			p.listKinds[i], p.listHashes[i] = string(k.Kind), hash(k.Kind, k.Value)
		}
	}
	if o := q.Velocity; o != nil {
		p.at = o.At.UnixMilli()
		values := [len(velocityDims)]string{o.IDNumber, o.Phone, o.Device, o.IP, o.Card}
		p.velocity = make([]velocityKey, 0, len(velocityDims))
		for i, d := range velocityDims {
			if values[i] == "" {
				continue
			}
			k := velocityKey{dim: d.dim, hash: hash(d.kind, values[i])}
			switch {
			case d.dim == "id" && o.Phone != "":
				k.other = hash(risk.KindPhone, o.Phone)
			case d.dim == "device" && o.IDNumber != "":
				k.other = hash(risk.KindIDNumber, o.IDNumber)
			}
			p.velocity = append(p.velocity, k)
		}
	}
	if len(q.ContactPhones) > 0 {
		p.applicant = s.hash("risk:contact-applicant", q.Applicant)
		p.contactOf = make([]string, len(q.ContactPhones))
		for i, phone := range q.ContactPhones {
			p.contactOf[i] = s.hash("risk:contact", phone)
			if !slices.Contains(p.contacts, p.contactOf[i]) {
				p.contacts = append(p.contacts, p.contactOf[i])
			}
		}
	}
	return p
}

// records reports whether the plan writes: an observation or contact links.
func (p *gatherPlan) records() bool { return len(p.velocity) > 0 || len(p.contacts) > 0 }

// gather answers a lookup into a, which it resets first, and returns the
// list entries of q.Lists (a.Lists is left to Gather: LookupAll wants the
// entries, the engine only their lists).
func (s *Store) gather(ctx context.Context, q *risk.Lookup, a *risk.Gathered) ([]risk.ListEntry, error) {
	p := s.plan(q)
	*a = risk.Gathered{ContactOthers: make([]int, len(q.ContactPhones))}
	lists := make([]risk.ListEntry, len(q.Lists))
	if s.db.Engine == store.Postgres {
		return lists, s.gatherPostgres(ctx, &p, lists, a)
	}
	return lists, s.gatherSQLite(ctx, &p, lists, a)
}

// setVelocity stores one dimension's window counts and distinct count.
func (p *gatherPlan) setVelocity(c *risk.VelocityCounts, dim string, n [risk.NumWindows]int, distinct int) {
	o := p.q.Velocity
	switch dim {
	case "id":
		c.IDNumber = n
		if o.Phone != "" {
			c.PhonesPerID = distinct
		}
	case "phone":
		c.Phone = n
	case "device":
		c.Device = n
		if o.IDNumber != "" {
			c.IDsPerDevice = distinct
		}
	case "ip":
		c.IP = n
	case "card":
		c.Card = n
	}
}

// setContact stores how many applicants list a contact phone, this one
// included, as the count of the others.
func (p *gatherPlan) setContact(others []int, hash string, listing int) {
	for i, h := range p.contactOf {
		if h == hash {
			others[i] = max(listing-1, 0)
		}
	}
}

// windowStarts are the exclusive starts of the windows ending at the
// observed event, Hour to Month: a window is (at - length, at].
func (p *gatherPlan) windowStarts() [risk.NumWindows]int64 {
	var w [risk.NumWindows]int64
	for i := range risk.NumWindows {
		w[i] = p.at - i.Duration().Milliseconds()
	}
	return w
}

// historySQL answers risk.History from the loans table, finding the
// borrower by phone: users.phone holds the same E.164 digits as the
// event's profile phone.
const historySQL = `SELECT
		COUNT(*),
		COALESCE(SUM(CASE WHEN l.status = $2 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN l.status IN ($3, $4, $5) THEN 1 ELSE 0 END), 0),
		COALESCE(MAX(l.over_days), 0),
		COALESCE(MAX(CASE WHEN l.status = $4 THEN l.over_days ELSE 0 END), 0)
	FROM loans l JOIN users u ON u.id = l.user_id
	WHERE u.phone = $1 AND l.disbursed_at > 0`

func historyArgs(phone string) []any {
	return []any{phone, int(loan.StatusSettled), int(loan.StatusRepaying), int(loan.StatusOverdue), int(loan.StatusExtended)}
}

func scanHistory(r store.Scanner, h *risk.LoanHistory) error {
	return r.Scan(&h.Loans, &h.Settled, &h.Open, &h.WorstDaysOverdue, &h.CurrentDaysOverdue)
}

// askHistory reports whether the history has a query to run: people
// without a phone have a zero history.
func (p *gatherPlan) askHistory() bool { return p.q.History != nil && p.q.History.Phone != "" }

type riskVelocity struct{ s *Store }

// Observe implements risk.Velocity: it records o and counts every key's
// events in each window ending at o.At, this one included.
func (v riskVelocity) Observe(ctx context.Context, o risk.Observation) (risk.VelocityCounts, error) {
	var a risk.Gathered
	if _, err := v.s.gather(ctx, &risk.Lookup{Velocity: &o}, &a); err != nil {
		return risk.VelocityCounts{}, fmt.Errorf("store: observe velocity: %w", err)
	}
	return a.Velocity, nil
}

// PruneVelocity deletes velocity events at or before the given time, which
// no window of a current event reaches once it is a month old.
func (s *Store) PruneVelocity(ctx context.Context, before time.Time) (int64, error) {
	return store.Affected(s.db.Exec(ctx, `DELETE FROM risk_velocity_events WHERE at <= $1`, before.UnixMilli()))
}

// riskContacts implements risk.ContactIndex over risk_contact_links.
type riskContacts struct{ s *Store }

// Observe implements risk.ContactIndex: links the applicant to each phone
// and counts the other applicants linked to it. A link that existed
// already counts once.
func (c riskContacts) Observe(ctx context.Context, applicant string, phones []string) ([]int, error) {
	if len(phones) == 0 {
		return []int{}, nil
	}
	var a risk.Gathered
	if _, err := c.s.gather(ctx, &risk.Lookup{Applicant: applicant, ContactPhones: phones}, &a); err != nil {
		return nil, fmt.Errorf("store: observe contacts: %w", err)
	}
	return a.ContactOthers, nil
}

// riskHistory implements risk.History from the loans table (historySQL).
// Events of people who never borrowed here have a zero history.
type riskHistory struct{ s *Store }

// LoanHistory implements risk.History.
func (h riskHistory) LoanHistory(ctx context.Context, ref risk.BorrowerRef) (risk.LoanHistory, error) {
	var a risk.Gathered
	if _, err := h.s.gather(ctx, &risk.Lookup{History: &ref}, &a); err != nil {
		return risk.LoanHistory{}, fmt.Errorf("store: loan history: %w", err)
	}
	return a.History, nil
}
