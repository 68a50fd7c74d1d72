package risk

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// BenchmarkDecide scores Loan events on the default policy with in-memory
// sources: 1024 borrowers, each with its own ID, phone, device, IP, card
// and contacts, applying in turn four minutes apart (each borrower about
// every three days), so the velocity and contact indexes grow and prune as
// in production.
//
// Measured 2026-11-23, go test -bench Decide -cpu 1, on the shared 2-core
// AMD EPYC VM at load 0.2–1.6: BenchmarkDecide 13.3–15.1 µs/op (66,000–
// 75,000 decisions/s on one core), 4.6 KB and 37 allocs/op;
// BenchmarkEvaluate 5.3–6.0 µs/op; BenchmarkDecideManyBorrowers 27–38 µs/op,
// of which about 14 µs is identity.NormalizePhone (libphonenumber) on a
// cache miss. docs/risk-engine.md has the history.
func BenchmarkDecide(b *testing.B) { benchmarkDecide(b, 1024) }

// BenchmarkDecideManyBorrowers is BenchmarkDecide with 65536 borrowers, as
// many as the phone-validation cache has slots: with collisions many
// decisions still pay for libphonenumber.
func BenchmarkDecideManyBorrowers(b *testing.B) { benchmarkDecide(b, 1<<16) }

// BenchmarkDecideGatherer is BenchmarkDecide with the sources asked
// through one Gatherer, as the store's sources are: one goroutine per
// decision instead of four.
func BenchmarkDecideGatherer(b *testing.B) {
	tb := setup(b)
	benchmarkEngine(b, tb.gathering(), 1024)
}

func benchmarkDecide(b *testing.B, borrowers int) {
	benchmarkEngine(b, setup(b).engine, borrowers)
}

func benchmarkEngine(b *testing.B, engine *Engine, borrowers int) {
	events := benchEvents(b, borrowers)
	ctx := context.Background()
	start := events[0].Time()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ev := events[i%len(events)]
		ev.SetTime(start.Add(time.Duration(i) * 4 * time.Minute))
		if _, err := engine.Decide(ctx, Input{Event: ev}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchEvents derives n distinct borrowers from the fixture.
func benchEvents(b testing.TB, n int) []*Event {
	base := fixtureEvent(b)
	events := make([]*Event, n)
	for i := range events {
		ev := *base
		p := *ev.Profile
		id, phone := *p.ID, *p.Phone
		id.IDNumber = fmt.Sprintf("222%08d", i)
		phone.PhoneNumber = fmt.Sprintf("803%07d", i)
		p.ID, p.Phone = &id, &phone
		ev.Profile = &p
		ev.Terminal = &Terminal{IP: fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255), BlackBox: fmt.Sprintf("bb-%06d", i)}
		ev.Card = &Card{BankName: "Access Bank", CardNumber: fmt.Sprintf("01%08d", i)}
		ev.Contact = []Contact{
			{Name: "Parent", Phone: &Phone{CountryCode: 234, PhoneNumber: fmt.Sprintf("805%07d", i)}, Relationship: "parent"},
			{Name: "Friend", Phone: &Phone{CountryCode: 234, PhoneNumber: fmt.Sprintf("806%07d", i)}, Relationship: "friend"},
		}
		events[i] = &ev
	}
	return events
}

// BenchmarkEvaluate measures the default policy alone over fixed features:
// the cost of the 65 compiled rules, without feature gathering.
func BenchmarkEvaluate(b *testing.B) {
	tb := setup(b)
	rec := tb.decide(b, fixtureEvent(b))
	p := tb.engine.Policy()
	b.ReportAllocs()
	for b.Loop() {
		Replay(rec, p)
	}
}

// BenchmarkEventFeatures measures the features computed from the event
// alone, dominated by phone-number validation (libphonenumber rules).
func BenchmarkEventFeatures(b *testing.B) {
	ev := fixtureEvent(b)
	b.ReportAllocs()
	for b.Loop() {
		var f Features
		var s Subject
		eventFeatures(ev, nil, &f, &s)
	}
}

// BenchmarkEncode measures encoding a decision as the store keeps it (the
// record) and as the API answers it.
func BenchmarkEncode(b *testing.B) {
	tb := setup(b)
	rec := tb.decide(b, fixtureEvent(b))
	b.Run("record", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(rec); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("answer", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(rec.Answer()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
