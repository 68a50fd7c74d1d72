package risk

import (
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"

	"creditpocket/internal/risk/event/eventtest"
)

// The test event of the contract and its clock, five minutes after it
// (package eventtest).
var (
	testNow    = eventtest.Now
	deleted    = eventtest.Deleted
	mutate     = eventtest.Mutate
	mutateJSON = eventtest.MutateJSON
)

// fixture returns the valid Loan event of the contract.
func fixture(testing.TB) []byte { return eventtest.Fixture() }

// fixtureEvent decodes the fixture, failing the test if it is refused.
func fixtureEvent(t testing.TB) *Event {
	t.Helper()
	ev, err := DecodeEvent(bytes.NewReader(fixture(t)), testNow)
	if err != nil {
		t.Fatalf("fixture refused: %v", err)
	}
	return ev
}

// urls returns n face image URLs.
func urls(n int) []string {
	u := make([]string, n)
	for i := range u {
		u[i] = "https://cdn.example.com/face/" + strconv.Itoa(i) + ".jpg"
	}
	return u
}

// testBundle is an engine on the default policy with in-memory sources.
type testBundle struct {
	engine   *Engine
	lists    *MemLists
	velocity *MemVelocity
	contacts *MemContacts
	history  *MemHistory
}

func setup(t testing.TB) *testBundle {
	t.Helper()
	tb := &testBundle{
		lists:    &MemLists{Now: func() time.Time { return testNow }},
		velocity: &MemVelocity{},
		contacts: &MemContacts{},
		history:  &MemHistory{},
	}
	tb.engine = NewEngine(DefaultPolicy(), Config{
		Sources: Sources{Lists: tb.lists, Velocity: tb.velocity, Contacts: tb.contacts, History: tb.history},
		Now:     func() time.Time { return testNow },
	})
	return tb
}

func (tb *testBundle) decide(t testing.TB, ev *Event) *Record {
	t.Helper()
	rec, err := tb.engine.Decide(context.Background(), Input{Event: ev})
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	return rec
}

// memGatherer answers a whole Lookup from the bundle's in-memory sources in
// one call, as the store's Gatherer answers it from the database in one
// round trip.
type memGatherer struct{ tb *testBundle }

func (m memGatherer) Gather(ctx context.Context, q *Lookup, a *Gathered) {
	a.Lists = make([]ListName, len(q.Lists))
	for i, k := range q.Lists {
		if e, found, err := m.tb.lists.Lookup(ctx, k.Kind, k.Value); err != nil {
			a.ListsErr = err
		} else if found {
			a.Lists[i] = e.List
		}
	}
	if q.Velocity != nil {
		a.Velocity, a.VelocityErr = m.tb.velocity.Observe(ctx, *q.Velocity)
	}
	if len(q.ContactPhones) > 0 {
		a.ContactOthers, a.ContactsErr = m.tb.contacts.Observe(ctx, q.Applicant, q.ContactPhones)
	}
	if q.History != nil {
		a.History, a.HistoryErr = m.tb.history.LoanHistory(ctx, *q.History)
	}
}

// gathering is the bundle's engine asking its sources through one
// Gatherer instead of one by one.
func (tb *testBundle) gathering() *Engine {
	return NewEngine(DefaultPolicy(), Config{
		Sources: Sources{Gatherer: memGatherer{tb}},
		Now:     func() time.Time { return testNow },
	})
}
