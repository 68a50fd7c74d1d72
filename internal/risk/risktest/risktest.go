// Package risktest is the conformance suite of risk.Store: every
// implementation runs Exercise (internal/store/riskdb on both engines).
package risktest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/risk"
	"creditpocket/internal/risk/replay"
)

var ctx = context.Background()

// T0 is the suite's starting time, 2026-11-23 10:00 UTC.
var T0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// Exercise runs the contract of risk.Store on a fresh, empty store that
// open returns for each test; the store's clock is now, which tests move.
func Exercise(t *testing.T, open func(t *testing.T, now func() time.Time) risk.Store) {
	for _, c := range []struct {
		name string
		run  func(t *testing.T, rs risk.Store, now *time.Time)
	}{
		{"velocity counts match the in-memory reference", testVelocityMatchesTheReference},
		{"contact counts match the in-memory reference", testContactsMatchTheReference},
		{"velocity is exact under concurrent observations", testVelocityIsExactUnderConcurrency},
		{"lists answer the most severe active entry", testListsAnswerTheMostSevereActiveEntry},
		{"lists answer a batch as each look-up would", testListsAnswerABatchAsEachLookupWould},
		{"decisions are stored with their feedback", testDecisionsAreStoredWithTheirFeedback},
		{"policy versions activate the latest", testPolicyVersionsActivateTheLatest},
		{"a shadow version is stored without activating it", testShadowVersions},
		{"the history of an unknown borrower is zero", testHistoryOfAnUnknownBorrowerIsZero},
		{"gather answers as each source would", testGatherAnswersAsEachSourceWould},
		{"gather is exact under concurrent observations", testGatherIsExactUnderConcurrency},
	} {
		t.Run(c.name, func(t *testing.T) {
			now := T0
			c.run(t, open(t, func() time.Time { return now }), &now)
		})
	}
}

// randomObservation draws from small pools so keys repeat, leaves some
// keys empty, and advances time by up to three days so every window is
// exercised, with equal times now and then.
func randomObservation(r *rand.Rand, at time.Time) risk.Observation {
	pick := func(prefix string, n int, emptyOneIn int) string {
		if emptyOneIn > 0 && r.IntN(emptyOneIn) == 0 {
			return ""
		}
		return fmt.Sprintf("%s%d", prefix, r.IntN(n))
	}
	return risk.Observation{
		At:       at,
		IDNumber: pick("2221234567", 5, 0),
		Phone:    pick("234803123456", 6, 8),
		Device:   pick("bb-", 4, 5),
		IP:       pick("10.0.0.", 4, 6),
		Card:     pick("012345678", 3, 3),
	}
}

func testVelocityMatchesTheReference(t *testing.T, rs risk.Store, now *time.Time) {
	sql, mem := rs.Sources().Velocity, &risk.MemVelocity{}
	r := rand.New(rand.NewPCG(1, 2))
	at := T0
	for i := range 250 {
		switch r.IntN(4) {
		case 0: // same millisecond
		case 1:
			at = at.Add(time.Duration(r.IntN(90)) * time.Minute)
		case 2:
			at = at.Add(time.Duration(r.IntN(30)) * time.Hour)
		default:
			at = at.Add(time.Duration(r.IntN(72)) * time.Hour)
		}
		o := randomObservation(r, at)
		want, _ := mem.Observe(ctx, o)
		got, err := sql.Observe(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("event %d %+v:\n got %+v\nwant %+v", i, o, got, want)
		}
	}
}

func testContactsMatchTheReference(t *testing.T, rs risk.Store, now *time.Time) {
	sql, mem := rs.Sources().Contacts, &risk.MemContacts{}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 120 {
		applicant := fmt.Sprintf("A%d", r.IntN(12))
		phones := make([]string, r.IntN(5))
		for j := range phones {
			phones[j] = fmt.Sprintf("23480%d", r.IntN(15))
		}
		want, _ := mem.Observe(ctx, applicant, phones)
		got, err := sql.Observe(ctx, applicant, phones)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("observation %d (%s lists %v): got %v, want %v", i, applicant, phones, got, want)
		}
	}
}

func testVelocityIsExactUnderConcurrency(t *testing.T, rs risk.Store, now *time.Time) {
	v := rs.Sources().Velocity
	const n = 16
	counts := make([]int, n)
	var wg sync.WaitGroup
	errc := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			c, err := v.Observe(ctx, risk.Observation{At: T0, IDNumber: "22212345678", Phone: fmt.Sprint("2348031234", i)})
			if err != nil {
				errc <- err
				return
			}
			counts[i] = c.IDNumber[risk.Hour]
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	slices.Sort(counts)
	for i, c := range counts {
		if c != i+1 {
			t.Fatalf("simultaneous observations counted %v, want each of 1…%d once", counts, n)
		}
	}
}

func testListsAnswerTheMostSevereActiveEntry(t *testing.T, rs risk.Store, now *time.Time) {
	add := func(kind risk.ListKind, value string, list risk.ListName, expires time.Time) risk.ListEntry {
		t.Helper()
		got, err := rs.AddListEntry(ctx, risk.ListEntry{Kind: kind, Value: value, List: list, Reason: "test " + string(list), CreatedBy: "tester", ExpiresAt: expires})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	add(risk.KindIDNumber, "22212345678", risk.Whitelist, time.Time{})
	black := add(risk.KindIDNumber, "222-1234-5678", risk.Blacklist, T0.Add(time.Hour))
	add(risk.KindPhone, "+234 803 123 4567", risk.Greylist, time.Time{})

	tests := []struct {
		name string
		at   time.Time
		kind risk.ListKind
		val  string
		want risk.ListName
	}{
		{"a blacklisting hides a whitelisting of the same ID", T0, risk.KindIDNumber, "22212345678", risk.Blacklist},
		{"an expired blacklisting no longer applies", T0.Add(time.Hour), risk.KindIDNumber, "22212345678", risk.Whitelist},
		{"a phone is found by its E.164 digits", T0, risk.KindPhone, "2348031234567", risk.Greylist},
		{"an unlisted value is not found", T0, risk.KindPhone, "2348030000000", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			*now = tt.at
			e, found, err := rs.Lookup(ctx, tt.kind, tt.val)
			if err != nil || found != (tt.want != "") || e.List != tt.want {
				t.Fatalf("Lookup = %+v, %v, %v; want list %q", e, found, err, tt.want)
			}
		})
	}

	*now = T0
	entries, err := rs.ListEntries(ctx, risk.KindIDNumber, "", false)
	if err != nil || len(entries) != 2 {
		t.Fatalf("ListEntries = %v, %v; want 2 entries", entries, err)
	}
	for _, e := range entries {
		if strings.Contains(e.Value, "2221234") {
			t.Errorf("entry %s shows the value %q, want only its mask", e.ID, e.Value)
		}
	}
	if err := rs.RemoveListEntry(ctx, black.ID); err != nil {
		t.Fatal(err)
	}
	if err := rs.RemoveListEntry(ctx, black.ID); !errs.Is(err, errs.NotFound) {
		t.Fatalf("removing twice: %v, want not found", err)
	}
	if e, _, _ := rs.Lookup(ctx, risk.KindIDNumber, "22212345678"); e.List != risk.Whitelist {
		t.Fatalf("after removing the blacklisting: %q, want white", e.List)
	}
	if _, err := rs.AddListEntry(ctx, risk.ListEntry{Kind: risk.KindPhone, Value: "abc", List: risk.Blacklist, Reason: "x"}); !errs.Is(err, errs.Invalid) {
		t.Fatalf("a malformed phone: %v, want invalid", err)
	}
}

// Decided makes a record for the fixture-like event of a test.
func Decided(t *testing.T, engine *risk.Engine, order string) *risk.Record {
	t.Helper()
	body := `{"event_time":"2026-11-23T10:00:00Z","event_type":"Loan","scenario":"cashloan","order_id":"` + order + `",
		"profile":{"name":"Ada Obi","phone":{"country_code":234,"phone_number":"8031234567"},
		"id":{"id_country":"NG","id_type":"others","id_number":"22212345678","valid_date":"2030-01-01"},"birthdate":"1995-04-12"}}`
	ev, err := risk.DecodeEvent(strings.NewReader(body), T0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := engine.Decide(ctx, risk.Input{Event: ev})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func testDecisionsAreStoredWithTheirFeedback(t *testing.T, rs risk.Store, now *time.Time) {
	clock := T0
	engine := risk.NewEngine(risk.DefaultPolicy(), risk.Config{Now: func() time.Time { clock = clock.Add(time.Millisecond); return clock }})
	var seqs []string
	var first *risk.Record
	for i := range 7 {
		rec := Decided(t, engine, fmt.Sprint("order-", i))
		if err := rs.SaveDecision(ctx, rec, risk.SourcePartnerAPI, "p1"); err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, rec.SequenceID)
		if first == nil {
			first = rec
		}
	}
	if err := rs.SaveDecision(ctx, first, risk.SourceLoanApply, ""); !errs.Is(err, errs.Conflict) {
		t.Fatalf("saving a stored sequence_id again: %v, want a conflict", err)
	}
	if _, err := rs.Decision(ctx, "NOPE"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("an unknown sequence_id: %v, want not found", err)
	}
	got, err := rs.Decision(ctx, seqs[0])
	if err != nil || got.OrderID != "order-0" || got.Features.Age != 31 || got.Outcome.PolicyVersion == "" {
		t.Fatalf("Decision = %+v, %v", got, err)
	}
	if o := risk.Replay(got, engine.Policy()); o.FinalDecision != got.Outcome.FinalDecision {
		t.Fatalf("a stored decision replays to %s, recorded %s", o.FinalDecision, got.Outcome.FinalDecision)
	}

	steps := []struct {
		name    string
		seq     string
		outcome risk.FeedbackOutcome
		code    errs.Code
	}{
		{"the lender accepts", seqs[0], risk.OutcomeAccept, ""},
		{"the same outcome again is harmless", seqs[0], risk.OutcomeAccept, ""},
		{"the loan defaults", seqs[0], risk.OutcomeDefaulted, ""},
		{"declining an accepted loan is a conflict", seqs[0], risk.OutcomeDecline, errs.Conflict},
		{"another loan is declined", seqs[1], risk.OutcomeDecline, ""},
		{"repaid after a decline is a conflict", seqs[1], risk.OutcomeRepaid, errs.Conflict},
		{"an unknown sequence_id is not found", "NOPE", risk.OutcomeAccept, errs.NotFound},
	}
	for i, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			_, err := rs.AddFeedback(ctx, s.seq, s.outcome, T0.Add(time.Duration(i)*time.Hour), "lender")
			if s.code == "" && err != nil || s.code != "" && !errs.Is(err, s.code) {
				t.Fatalf("AddFeedback: %v, want %q", err, s.code)
			}
		})
	}
	got, _ = rs.Decision(ctx, seqs[0])
	if fb := got.Feedback; fb == nil || !fb.Approved || fb.Repayment != risk.Defaulted {
		t.Fatalf("feedback of the first decision: %+v", got.Feedback)
	}

	seq, failed := rs.Decisions(ctx, T0)
	var orders []string
	for rec := range seq {
		orders = append(orders, rec.OrderID)
	}
	if err := failed(); err != nil || len(orders) != 7 || orders[0] != "order-0" || orders[6] != "order-6" {
		t.Fatalf("Decisions = %v, %v; want the 7 orders oldest first", orders, err)
	}
	rep := replay.Simulate(seq, engine.Policy())
	if rep.Records != 7 || rep.WithRepayment != 1 || rep.Defaulted != 1 {
		t.Fatalf("Simulate over the stored decisions = %+v", rep)
	}
	later, _ := rs.Decisions(ctx, T0.Add(time.Hour))
	for rec := range later {
		t.Fatalf("a decision before --since was replayed: %s", rec.SequenceID)
	}
}

func testPolicyVersionsActivateTheLatest(t *testing.T, rs risk.Store, now *time.Time) {
	if v, err := rs.ActivePolicyVersion(ctx); v != "" || err != nil {
		t.Fatalf("an empty store has active version %q, %v", v, err)
	}
	src := risk.DefaultPolicyYAML()
	p1, err := risk.CompilePolicy(src)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := risk.CompilePolicy([]byte(strings.Replace(string(src), p1.Version, "2099-01-01.1", 1)))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*risk.Policy{p1, p2} {
		if err := rs.SavePolicy(ctx, p, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := rs.ActivePolicyVersion(ctx); v != p2.Version {
		t.Fatalf("active %q, want the latest saved %q", v, p2.Version)
	}
	if err := rs.SavePolicy(ctx, p1, "tester"); err != nil { // a rollback
		t.Fatal(err)
	}
	if v, _ := rs.ActivePolicyVersion(ctx); v != p1.Version {
		t.Fatalf("after saving %q again it is not active (%q)", p1.Version, v)
	}
	changed, _ := risk.CompilePolicy([]byte(strings.Replace(string(src), "Applicant is under 18", "Too young", 1)))
	if err := rs.SavePolicy(ctx, changed, "tester"); !errs.Is(err, errs.Conflict) {
		t.Fatalf("same version, other content: %v, want a conflict", err)
	}
	ps, err := rs.Policies(ctx)
	if err != nil || len(ps) != 2 || !slices.ContainsFunc(ps, func(p risk.PolicyVersion) bool { return p.Active && p.Version == p1.Version }) {
		t.Fatalf("Policies = %+v, %v", ps, err)
	}
	got, err := rs.PolicySource(ctx, p2.Version)
	if err != nil || !strings.Contains(string(got), "2099-01-01.1") {
		t.Fatalf("PolicySource: %v", err)
	}
}

func testHistoryOfAnUnknownBorrowerIsZero(t *testing.T, rs risk.Store, now *time.Time) {
	h, err := rs.Sources().History.LoanHistory(ctx, risk.BorrowerRef{IDNumber: "22212345678", Phone: "2348031234567"})
	if err != nil || h != (risk.LoanHistory{}) {
		t.Fatalf("LoanHistory = %+v, %v", h, err)
	}
}

func testListsAnswerABatchAsEachLookupWould(t *testing.T, rs risk.Store, now *time.Time) {
	for _, e := range []risk.ListEntry{
		{Kind: risk.KindPhone, Value: "2348031234567", List: risk.Whitelist, Reason: "vip"},
		{Kind: risk.KindPhone, Value: "2348031234567", List: risk.Greylist, Reason: "watch"},
		{Kind: risk.KindIDNumber, Value: "2348031234567", List: risk.Blacklist, Reason: "same digits, other kind"},
		{Kind: risk.KindIP, Value: "10.0.0.1", List: risk.Blacklist, Reason: "proxy"},
	} {
		if _, err := rs.AddListEntry(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	keys := []risk.ListKey{{Kind: risk.KindPhone, Value: "2348031234567"}, {Kind: risk.KindIDNumber, Value: "22212345678"}, {Kind: risk.KindIP, Value: "10.0.0.1"}, {Kind: risk.KindEmail, Value: "a@b.c"}}
	got, err := rs.LookupAll(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		one, _, _ := rs.Lookup(ctx, k.Kind, k.Value)
		if got[i].List != one.List || got[i].ID != one.ID {
			t.Errorf("%s %s: batch %q, single %q", k.Kind, k.Value, got[i].List, one.List)
		}
	}
	if got[0].List != risk.Greylist || got[1].List != "" || got[2].List != risk.Blacklist {
		t.Fatalf("batch = %+v", got)
	}
}

// TestRiskGatherAnswersAsEachSourceWould replays a random event stream
// through Gather — lists, history, velocity and contacts in one round trip
// — and compares every answer with the in-memory references.
func testGatherAnswersAsEachSourceWould(t *testing.T, rs risk.Store, now *time.Time) {
	if _, err := rs.AddListEntry(ctx, risk.ListEntry{Kind: risk.KindIDNumber, Value: "22212345673", List: risk.Blacklist, Reason: "fraud"}); err != nil {
		t.Fatal(err)
	}
	gatherer := rs.Sources().Gatherer
	velocity, contacts := &risk.MemVelocity{}, &risk.MemContacts{}
	r := rand.New(rand.NewPCG(5, 6))
	at := T0
	for i := range 150 {
		at = at.Add(time.Duration(r.IntN(40)) * time.Hour)
		o := randomObservation(r, at)
		phones := make([]string, r.IntN(4))
		for j := range phones {
			phones[j] = fmt.Sprintf("23480%d", r.IntN(10))
		}
		q := &risk.Lookup{
			Lists:    []risk.ListKey{{Kind: risk.KindIDNumber, Value: o.IDNumber}, {Kind: risk.KindPhone, Value: "2348031234567"}},
			Velocity: &o, Applicant: o.IDNumber, ContactPhones: phones,
			History: &risk.BorrowerRef{IDNumber: o.IDNumber, Phone: o.Phone},
		}
		var got risk.Gathered
		gatherer.Gather(ctx, q, &got)
		if err := errors.Join(got.ListsErr, got.VelocityErr, got.ContactsErr, got.HistoryErr); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		wantVelocity, _ := velocity.Observe(ctx, o)
		wantOthers, _ := contacts.Observe(ctx, o.IDNumber, phones)
		wantList := risk.ListName("")
		if o.IDNumber == "22212345673" {
			wantList = risk.Blacklist
		}
		switch {
		case got.Velocity != wantVelocity:
			t.Fatalf("event %d %+v velocity:\n got %+v\nwant %+v", i, o, got.Velocity, wantVelocity)
		case !slices.Equal(got.ContactOthers, wantOthers):
			t.Fatalf("event %d (%s lists %v): contacts %v, want %v", i, o.IDNumber, phones, got.ContactOthers, wantOthers)
		case len(got.Lists) != 2 || got.Lists[0] != wantList || got.Lists[1] != "":
			t.Fatalf("event %d: lists %+v, want %q for the ID and nothing for the phone", i, got.Lists, wantList)
		case got.History != (risk.LoanHistory{}):
			t.Fatalf("event %d: history %+v of a borrower who never borrowed", i, got.History)
		}
	}
}

func testGatherIsExactUnderConcurrency(t *testing.T, rs risk.Store, now *time.Time) {
	const n = 16
	devices, rings := make([]int, n), make([]int, n)
	var wg sync.WaitGroup
	errc := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprint("2221234", 1000+i)
			var a risk.Gathered
			rs.Gather(ctx, &risk.Lookup{
				Velocity:  &risk.Observation{At: T0, IDNumber: id, Device: "bb-shared", IP: "10.0.0.1"},
				Applicant: id, ContactPhones: []string{"2348050000000", fmt.Sprint("23480600000", i)},
			}, &a)
			if err := errors.Join(a.VelocityErr, a.ContactsErr); err != nil {
				errc <- err
				return
			}
			devices[i], rings[i] = a.Velocity.Device[risk.Hour], a.ContactOthers[0]
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	slices.Sort(devices)
	slices.Sort(rings)
	for i := range n {
		if devices[i] != i+1 || rings[i] != i {
			t.Fatalf("simultaneous observations counted devices %v and shared contacts %v, want each of 1…%d and 0…%d once", devices, rings, n, n-1)
		}
	}
}

func testShadowVersions(t *testing.T, rs risk.Store, now *time.Time) {
	if v, err := rs.ShadowPolicyVersion(ctx); v != "" || err != nil {
		t.Fatalf("an empty store shadows %q, %v", v, err)
	}
	src := risk.DefaultPolicyYAML()
	live, err := risk.CompilePolicy(src)
	if err != nil {
		t.Fatal(err)
	}
	candidate, err := risk.CompilePolicy([]byte(strings.Replace(string(src), live.Version, "2099-01-03.1", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if err := rs.SavePolicy(ctx, live, "tester"); err != nil {
		t.Fatal(err)
	}
	if err := rs.SaveShadow(ctx, candidate, "tester"); err != nil {
		t.Fatal(err)
	}
	if v, err := rs.ShadowPolicyVersion(ctx); v != candidate.Version || err != nil {
		t.Fatalf("shadow %q, %v; want %q", v, err, candidate.Version)
	}
	if v, _ := rs.ActivePolicyVersion(ctx); v != live.Version {
		t.Fatalf("a shadow version became active: %q, want %q", v, live.Version)
	}
	if got, err := rs.PolicySource(ctx, candidate.Version); err != nil || !strings.Contains(string(got), "2099-01-03.1") {
		t.Fatalf("the shadow's source: %v", err)
	}
	changed, _ := risk.CompilePolicy([]byte(strings.Replace(string(src), "Applicant is under 18", "Too young", 1)))
	if err := rs.SaveShadow(ctx, changed, "tester"); !errs.Is(err, errs.Conflict) {
		t.Fatalf("a shadow under a stored version with other content: %v, want a conflict", err)
	}
	if err := rs.SaveShadow(ctx, nil, "tester"); err != nil {
		t.Fatal(err)
	}
	if v, err := rs.ShadowPolicyVersion(ctx); v != "" || err != nil {
		t.Fatalf("after stopping the shadow: %q, %v", v, err)
	}
	if _, err := rs.PolicySource(ctx, "no-such-version"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("an unknown version's source: %v, want not found", err)
	}
}
