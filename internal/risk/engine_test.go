package risk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const apology = "We sincerely apologize as you do not meet our lending criteria."

func (tb *testBundle) list(t testing.TB, kind ListKind, value string, list ListName) {
	t.Helper()
	if err := tb.lists.Add(ListEntry{Kind: kind, Value: value, List: list, Reason: "test", CreatedBy: "risk officer"}); err != nil {
		t.Fatal(err)
	}
}

func decodeBody(t testing.TB, body []byte) *Event {
	t.Helper()
	ev, err := DecodeEvent(bytes.NewReader(body), testNow)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestSeedReasons reproduces the auditRiskReson/auditRiskDetail pairs of the
// Credit Pocket app's loan records.
func TestSeedReasons(t *testing.T) {
	tests := []struct {
		name     string
		prepare  func(t *testing.T, tb *testBundle)
		body     []byte
		decision Decision
		reason   string
		detail   string
	}{
		{"a whitelisted borrower is approved automatically", func(t *testing.T, tb *testBundle) {
			tb.list(t, KindIDNumber, "22212345678", Whitelist)
		}, fixture(t), Accept, "Whitelist customers system automatic approve", ""},
		{"a whitelist overrides the eligibility rules", func(t *testing.T, tb *testBundle) {
			tb.list(t, KindPhone, "2348031234567", Whitelist)
		}, mutate(t, "profile.birthdate", "2010-01-01"), Accept, "Whitelist customers system automatic approve", ""},
		{"a blacklisted BVN is rejected", func(t *testing.T, tb *testBundle) {
			tb.list(t, KindIDNumber, "22212345678", Blacklist)
		}, fixture(t), Reject, "BVN in the internal Blacklist", apology},
		{"a blacklisting beats a whitelisting of the phone", func(t *testing.T, tb *testBundle) {
			tb.list(t, KindPhone, "2348031234567", Whitelist)
			tb.list(t, KindIDNumber, "22212345678", Blacklist)
		}, fixture(t), Reject, "BVN in the internal Blacklist", apology},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := setup(t)
			tt.prepare(t, tb)
			out := tb.decide(t, decodeBody(t, tt.body)).Outcome
			if out.FinalDecision != tt.decision || out.Reason != tt.reason || out.ReasonDetail != tt.detail {
				t.Errorf("got %s %q %q, want %s %q %q", out.FinalDecision, out.Reason, out.ReasonDetail, tt.decision, tt.reason, tt.detail)
			}
		})
	}
}

// TestDefaultPolicy checks the shipped rules on the situations they exist
// for, each starting from the clean fixture borrower.
func TestDefaultPolicy(t *testing.T) {
	ring := func(t *testing.T, tb *testBundle) {
		for _, other := range []string{"A", "B", "C", "D", "E"} {
			if _, err := tb.contacts.Observe(context.Background(), other, []string{"2348039876543"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	burst := func(t *testing.T, tb *testBundle) {
		for i := range 3 {
			o := Observation{At: testNow.Add(-time.Duration(i+1) * 5 * time.Minute), IDNumber: "22212345678"}
			if _, err := tb.velocity.Observe(context.Background(), o); err != nil {
				t.Fatal(err)
			}
		}
	}
	sharedDevice := func(t *testing.T, tb *testBundle) {
		for _, id := range []string{"A1", "A2", "A3", "A4", "A5"} {
			if _, err := tb.velocity.Observe(context.Background(), Observation{At: testNow.Add(-24 * time.Hour), IDNumber: id, Device: "bb-7f3a9c0e"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	overdue := func(h LoanHistory) func(*testing.T, *testBundle) {
		return func(_ *testing.T, tb *testBundle) { tb.history.Set("22212345678", h) }
	}
	tests := []struct {
		name     string
		prepare  func(*testing.T, *testBundle)
		body     []byte
		report   *CreditReport
		decision Decision
		reason   string
	}{
		{"a clean borrower is approved", nil, fixture(t), nil, Accept, "System automatic approve"},
		{"an under-age borrower is rejected", nil, mutate(t, "profile.birthdate", "2009-01-01"), nil, Reject, "Applicant is under 18"},
		{"an expired ID is rejected", nil, mutate(t, "profile.id.valid_date", "2026-01-01"), nil, Reject, "ID document expired"},
		{"a malformed BVN is rejected", nil, mutate(t, "profile.id.id_number", "2221234567"), nil, Reject, "BVN is not 11 digits"},
		{"a Chinese ID with a bad checksum is rejected", nil, chineseID(t, "110105194912310021", "1949-12-31"), nil, Reject, "ID number fails its checksum"},
		{"a Chinese ID contradicting the birthdate is rejected", nil, chineseID(t, "11010519491231002X", "1950-12-31"), nil, Reject, "Birth date does not match the ID number"},
		{"a phone invalid for its country is rejected", nil, mutate(t, "profile.phone.phone_number", "80312"), nil, Reject, "Phone number is not valid for its country"},
		{"a disposable e-mail is rejected", nil, mutate(t, "profile.email", "ada@mailinator.com"), nil, Reject, "Disposable e-mail address"},
		{"a fourth application within the hour is rejected", burst, fixture(t), nil, Reject, "Too many applications with this ID in the last hour"},
		{"a device shared by many IDs is rejected", sharedDevice, fixture(t), nil, Reject, "Device shared by many ID numbers"},
		{"a contact listed by five other applicants is a ring", ring, fixture(t), nil, Reject, "Contact phone shared by a suspected fraud ring"},
		{"a borrower overdue now is rejected", overdue(LoanHistory{Loans: 1, Open: 1, CurrentDaysOverdue: 3}), fixture(t), nil, Reject, "A current loan is overdue"},
		{"a borrower once 45 days overdue is rejected", overdue(LoanHistory{Loans: 2, Settled: 2, WorstDaysOverdue: 45}), fixture(t), nil, Reject, "A previous loan was more than 30 days overdue"},
		{"a borrower once 10 days overdue is reviewed", overdue(LoanHistory{Loans: 2, Settled: 2, WorstDaysOverdue: 10}), fixture(t), nil, Review, "A previous loan was more than 7 days overdue"},
		{"a bad debt on the credit report is rejected", nil, fixture(t), &CreditReport{BadDebts: 1}, Reject, "Bad debt in the credit report"},
		{"many credit enquiries are reviewed", nil, fixture(t), &CreditReport{QueriesLastMonth: 9}, Review, "Many credit enquiries in the last month"},
		{"a greylisted borrower is reviewed", func(t *testing.T, tb *testBundle) {
			tb.list(t, KindPhone, "2348031234567", Greylist)
		}, fixture(t), nil, Review, "Borrower on the internal greylist"},
		{"a blacklisted device is rejected", func(t *testing.T, tb *testBundle) {
			tb.list(t, KindDevice, "bb-7f3a9c0e", Blacklist)
		}, fixture(t), nil, Reject, "Device in the internal Blacklist"},
		{"a cash loan with one contact is reviewed", nil, mutate(t, "contact", []any{map[string]any{"phone": map[string]any{"country_code": 234, "phone_number": "8039876543"}, "relationship": "parent"}}), nil, Review, "Fewer than two contacts given"},
		{"one weak signal is not enough for a review", nil, mutate(t, "event_time", "2026-11-20T03:00:00+01:00"), nil, Accept, "System automatic approve"},
		{"weak signals add up to a review", nil, weakSignals(t), nil, Review, "Combined risk score needs review"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := setup(t)
			if tt.prepare != nil {
				tt.prepare(t, tb)
			}
			rec, err := tb.engine.Decide(context.Background(), Input{Event: decodeBody(t, tt.body), CreditReport: tt.report})
			if err != nil {
				t.Fatal(err)
			}
			if out := rec.Outcome; out.FinalDecision != tt.decision || out.Reason != tt.reason {
				t.Errorf("got %s %q, want %s %q; hits %v", out.FinalDecision, out.Reason, tt.decision, tt.reason, hitIDs(out.HitRules))
			}
		})
	}
}

// weakSignals is the fixture applying at night, without device fingerprint
// or face photo: 10 + 15 + 10, plus 10 for a new borrower.
func weakSignals(t *testing.T) []byte {
	body := mutate(t, "terminal", deleted)
	body = mutateJSON(t, body, "identity_ext", deleted)
	return mutateJSON(t, body, "event_time", "2026-11-20T03:00:00+01:00")
}

func hitIDs(hits []HitRule) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids
}

func TestAnswerJSON(t *testing.T) {
	tb := setup(t)
	tb.list(t, KindIDNumber, "22212345678", Blacklist)
	rec := tb.decide(t, fixtureEvent(t))
	b, err := json.Marshal(rec.Answer())
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"success", "sequence_id", "final_decision", "final_score", "policy_set", "hit_rules", "spend_time", "reason", "reason_detail", "policy_version"} {
		if _, ok := got[key]; !ok {
			t.Errorf("answer has no %q: %s", key, b)
		}
	}
	set := got["policy_set"].([]any)[0].(map[string]any)
	for _, key := range []string{"policy_uuid", "policy_name", "policy_mode", "policy_score", "policy_decision", "hit_rules"} {
		if _, ok := set[key]; !ok {
			t.Errorf("policy_set[0] has no %q", key)
		}
	}
	hit := got["hit_rules"].([]any)[0].(map[string]any)
	if hit["id"] != "L01" || hit["decision"] != "Reject" || hit["features"].(map[string]any)["id_blacklisted"] != true {
		t.Errorf("hit rule = %v", hit)
	}

	failed, _ := json.Marshal(FailedAnswer(&ValidationError{Reason: ReasonInvalidField, Field: "profile.sex", Rule: "must be one of male, female"}))
	if want := `{"success":false,"reason_code":"invalid_field","message":"profile.sex: must be one of male, female","spend_time":0}`; string(failed) != want {
		t.Errorf("failed answer = %s\nwant %s", failed, want)
	}
}

func TestSequenceIDs(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	at := testNow
	for i := range 1000 {
		id := NewSequenceID(at.Add(time.Duration(i) * time.Millisecond))
		if len(id) != 26 || seen[id] || id <= prev {
			t.Fatalf("id %d = %q (previous %q): want 26 characters, unique, increasing with time", i, id, prev)
		}
		seen[id], prev = true, id
	}
}

func TestFailedAnswer(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		reason ReasonCode
		msg    string
	}{
		{"a refused event answers its reason and names the field", &ValidationError{Reason: ReasonInvalidField, Field: "profile.sex", Rule: "must be one of male, female"}, ReasonInvalidField, "profile.sex: must be one of male, female"},
		{"a wrapped refusal answers as the refusal", fmt.Errorf("decide: %w", &ValidationError{Reason: ReasonTooLarge, Rule: "event must be at most 1 bytes"}), ReasonTooLarge, "event must be at most 1 bytes"},
		{"any other error is internal and shows nothing", errors.New("pq: connection reset"), ReasonInternal, "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := FailedAnswer(tt.err)
			if a.Success || a.ReasonCode != tt.reason || a.Message != tt.msg {
				t.Errorf("answer = %+v, want reason %s and message %q", a, tt.reason, tt.msg)
			}
		})
	}
}

// FuzzDecideDecodedEvent: every event DecodeEvent accepts can be scored
// (event.FuzzDecode checks the decoding itself).
func FuzzDecideDecodedEvent(f *testing.F) {
	f.Add(fixture(f))
	f.Add([]byte(`{"event_type":"loan","event_time":"2026-11-20T09:15:00Z","order_id":"1","profile":{"phone":{"country_code":86,"phone_number":"13800138000"},"id":{"id_country":"CN","id_type":"identity_card","id_number":"11010519491231002X","valid_date":"2020-01-01"},"birthdate":"1949-12-31"},"contact":[{"phone":{"country_code":86,"phone_number":"13800138000"}}]}`))
	engine := setup(f).engine
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := DecodeEvent(bytes.NewReader(body), testNow)
		if err != nil {
			return
		}
		rec, err := engine.Decide(t.Context(), Input{Event: ev})
		if err != nil || !decided(rec.Outcome.FinalDecision) {
			t.Fatalf("Decide after a successful decode: %v, %+v", err, rec)
		}
	})
}

func TestDecideRefusesAnInvalidEvent(t *testing.T) {
	tb := setup(t)
	var ev Event
	if err := json.Unmarshal(mutate(t, "profile.sex", "x"), &ev); err != nil {
		t.Fatal(err)
	}
	_, err := tb.engine.Decide(context.Background(), Input{Event: &ev})
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Field != "profile.sex" {
		t.Errorf("err = %v, want profile.sex refused", err)
	}
	if _, err := tb.engine.Decide(context.Background(), Input{}); err == nil {
		t.Error("a missing event was scored")
	}
}

// TestReplayReproducesTheDecision stores a record as JSON, reads it back
// and replays it: the outcome must be identical, field for field.
func TestReplayReproducesTheDecision(t *testing.T) {
	tb := setup(t)
	tb.list(t, KindPhone, "2348031234567", Greylist)
	tb.history.Set("22212345678", LoanHistory{Loans: 3, Settled: 3, WorstDaysOverdue: 9})
	rec, err := tb.engine.Decide(context.Background(), Input{Event: fixtureEvent(t), CreditReport: &CreditReport{OverdueAccounts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	var loaded Record
	if err := json.Unmarshal(stored, &loaded); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(loaded.Features, rec.Features) {
		t.Fatal("features did not survive storage")
	}
	policy, err := CompilePolicy(DefaultPolicy().Source) // as re-read from the policy store
	if err != nil {
		t.Fatal(err)
	}
	if got := Replay(&loaded, policy); !reflect.DeepEqual(got, rec.Outcome) {
		t.Errorf("replay differs:\n got %+v\nwant %+v", got, rec.Outcome)
	}
	if rec.Outcome.FinalDecision != Review || len(rec.Outcome.HitRules) < 2 {
		t.Errorf("the replayed decision should be an interesting one, got %s %v", rec.Outcome.FinalDecision, hitIDs(rec.Outcome.HitRules))
	}
}

func TestShadowPolicyIsRecordedNotReturned(t *testing.T) {
	tb := setup(t)
	strict := mustCompile(t, []byte(strings.Replace(string(DefaultPolicyYAML()), `version: "2026-11-23.1"`, `version: "strict-1"`, 1)+
		"  - uuid: strict\n    name: Strict\n    mode: FirstMatch\n    rules:\n      - {id: S1, name: New borrowers, when: history_loans == 0, decision: Reject, reason: No history}\n"))
	tb.engine.SetShadow(strict)
	rec := tb.decide(t, fixtureEvent(t))
	if rec.Outcome.FinalDecision != Accept || rec.Outcome.PolicyVersion != "2026-11-23.1" {
		t.Errorf("live outcome %s by %s, want Accept by the default policy", rec.Outcome.FinalDecision, rec.Outcome.PolicyVersion)
	}
	if rec.Shadow == nil || rec.Shadow.FinalDecision != Reject || rec.Shadow.PolicyVersion != "strict-1" || rec.Shadow.Reason != "No history" {
		t.Errorf("shadow outcome = %+v", rec.Shadow)
	}
	if a, _ := json.Marshal(rec.Answer()); strings.Contains(string(a), "strict-1") {
		t.Error("the answer leaks the shadow outcome")
	}
	tb.engine.SetShadow(nil)
	if rec := tb.decide(t, fixtureEvent(t)); rec.Shadow != nil {
		t.Error("shadowing did not stop")
	}
}

// TestApplyRefusesABadPolicyWhileDecisionsContinue runs decisions on
// several goroutines while policies are applied; run it with -race.
func TestApplyRefusesABadPolicyWhileDecisionsContinue(t *testing.T) {
	tb := setup(t)
	good := []byte(strings.Replace(string(DefaultPolicyYAML()), `version: "2026-11-23.1"`, `version: "2026-11-23.2"`, 1))
	bad := []byte(strings.Replace(string(good), "when: id_blacklisted,", "when: id_blacklist,", 1))
	ev := fixtureEvent(t)

	var wg sync.WaitGroup
	stop := make(chan struct{})
	versions := make(chan string, 10000)
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				rec, err := tb.engine.Decide(context.Background(), Input{Event: ev})
				if err != nil {
					t.Error(err)
					return
				}
				select {
				case versions <- rec.Outcome.PolicyVersion:
				default:
				}
			}
		})
	}
	for range 20 {
		if _, err := tb.engine.Apply(bad); err == nil || !strings.Contains(err.Error(), `rule "L01"`) || !strings.Contains(err.Error(), `unknown feature "id_blacklist"`) {
			t.Fatalf("bad policy: err = %v", err)
		}
		if v := tb.engine.Policy().Version; v != "2026-11-23.1" {
			t.Fatalf("a refused policy replaced the live one: %s", v)
		}
	}
	if _, err := tb.engine.Apply(good); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	close(versions)
	var seen []string
	for v := range versions {
		if !slices.Contains(seen, v) {
			seen = append(seen, v)
		}
	}
	for _, v := range seen {
		if v != "2026-11-23.1" && v != "2026-11-23.2" {
			t.Errorf("a decision ran under version %q", v)
		}
	}
	if tb.engine.Policy().Version != "2026-11-23.2" {
		t.Error("the good policy was not applied")
	}
}

// failing and stalling sources.
type (
	failingLists  struct{}
	stallingStore struct{}
)

func (failingLists) Lookup(context.Context, ListKind, string) (ListEntry, bool, error) {
	return ListEntry{}, false, errors.New("connection refused")
}

func (stallingStore) Observe(ctx context.Context, _ Observation) (VelocityCounts, error) {
	<-ctx.Done()
	time.Sleep(10 * time.Millisecond) // answers late even after the deadline
	return VelocityCounts{IDNumber: [NumWindows]int{99, 99, 99, 99}}, nil
}

func TestAFailingSourceNeverYieldsAnAccept(t *testing.T) {
	tb := setup(t)
	tests := []struct {
		name    string
		sources Sources
		// timeout leaves the healthy in-memory source ample time even on
		// a loaded machine (-race, CI): only the failing one may fail.
		timeout time.Duration
		flag    string
		errText string
	}{
		{"a list store that errors", Sources{Lists: failingLists{}, Velocity: tb.velocity}, 5 * time.Second, "lists_unavailable", "lists: lookup phone: connection refused"},
		{"a velocity store that misses the deadline", Sources{Lists: tb.lists, Velocity: stallingStore{}}, 300 * time.Millisecond, "velocity_unavailable", "velocity: no answer before the deadline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEngine(DefaultPolicy(), Config{Sources: tt.sources, GatherTimeout: tt.timeout, Now: func() time.Time { return testNow }})
			start := time.Now()
			rec, err := e.Decide(context.Background(), Input{Event: fixtureEvent(t)})
			if err != nil {
				t.Fatal(err)
			}
			if elapsed := time.Since(start); elapsed > time.Second {
				t.Errorf("Decide took %s; gathering must stop at its deadline", elapsed)
			}
			out := rec.Outcome
			if out.FinalDecision != Review || out.Reason != "Risk data source unavailable, manual review required" {
				t.Errorf("got %s %q, want a Review", out.FinalDecision, out.Reason)
			}
			if feature(t, rec.Features, tt.flag) != true || !rec.Features.SourceUnavailable {
				t.Errorf("%s not set", tt.flag)
			}
			if len(rec.SourceErrors) != 1 || !strings.HasPrefix(rec.SourceErrors[0], tt.errText) {
				t.Errorf("source errors = %q, want %q", rec.SourceErrors, tt.errText)
			}
			if rec.Features.IDEvents1h == 99 {
				t.Error("a late answer leaked into the features")
			}
		})
	}
	t.Run("a blacklisting still rejects when velocity is down", func(t *testing.T) {
		tb.list(t, KindIDNumber, "22212345678", Blacklist)
		e := NewEngine(DefaultPolicy(), Config{Sources: Sources{Lists: tb.lists, Velocity: stallingStore{}}, GatherTimeout: 300 * time.Millisecond})
		rec, err := e.Decide(context.Background(), Input{Event: fixtureEvent(t)})
		if err != nil || rec.Outcome.FinalDecision != Reject {
			t.Errorf("got %v %+v, want Reject", err, rec)
		}
	})
}

func TestAGathererDecidesAsTheSourcesDo(t *testing.T) {
	each, all := setup(t), setup(t)
	for _, tb := range []*testBundle{each, all} {
		tb.list(t, KindIDNumber, "22200000003", Blacklist)
		tb.list(t, KindPhone, "2348030000005", Whitelist)
		tb.history.Set("22200000004", LoanHistory{Loans: 2, Open: 1, WorstDaysOverdue: 40, CurrentDaysOverdue: 12})
	}
	gathering := all.gathering()
	events := benchEvents(t, 8)
	for i := range 64 {
		ev := events[i%len(events)]
		ev.SetTime(testNow.Add(time.Duration(i) * 7 * time.Minute))
		want := each.decide(t, ev)
		got, err := gathering.Decide(context.Background(), Input{Event: ev})
		if err != nil {
			t.Fatal(err)
		}
		if got.Features != want.Features || !reflect.DeepEqual(got.Outcome, want.Outcome) || !slices.Equal(got.SourceErrors, want.SourceErrors) {
			t.Fatalf("event %d: through a Gatherer\n%+v\n%+v\nwant\n%+v\n%+v", i, got.Features, got.Outcome, want.Features, want.Outcome)
		}
	}
}

// stallingGatherer answers nothing before the deadline.
type stallingGatherer struct{}

func (stallingGatherer) Gather(ctx context.Context, _ *Lookup, a *Gathered) {
	<-ctx.Done()
	time.Sleep(10 * time.Millisecond)
	a.Velocity = VelocityCounts{IDNumber: [NumWindows]int{99, 99, 99, 99}}
}

func TestAGathererThatMissesTheDeadlineMarksEverySourceItWasAsked(t *testing.T) {
	e := NewEngine(DefaultPolicy(), Config{Sources: Sources{Gatherer: stallingGatherer{}}, GatherTimeout: 20 * time.Millisecond, Now: func() time.Time { return testNow }})
	rec, err := e.Decide(context.Background(), Input{Event: fixtureEvent(t)})
	if err != nil {
		t.Fatal(err)
	}
	f := rec.Features
	if !f.ListsUnavailable || !f.VelocityUnavailable || !f.ContactsUnavailable || !f.HistoryUnavailable || f.IDEvents1h == 99 {
		t.Errorf("features %+v: want every source unavailable and no late answer", f)
	}
	if rec.Outcome.FinalDecision == Accept || len(rec.SourceErrors) != 4 {
		t.Errorf("got %s with source errors %q, want no Accept and four errors", rec.Outcome.FinalDecision, rec.SourceErrors)
	}
}

// askedGatherer records the lookups it is asked and answers a history.
type askedGatherer struct{ asked []*BorrowerRef }

func (g *askedGatherer) Gather(_ context.Context, q *Lookup, a *Gathered) {
	g.asked = append(g.asked, q.History)
	a.Lists = make([]ListName, len(q.Lists))
	a.ContactOthers = make([]int, len(q.ContactPhones))
	a.History = LoanHistory{Loans: 7, Settled: 7}
}

func TestAHistoryTheCallerHandsInIsNotAskedAgain(t *testing.T) {
	known := LoanHistory{Loans: 2, Settled: 1, Open: 1, WorstDaysOverdue: 40, CurrentDaysOverdue: 12}
	features := func(f Features) [5]int {
		return [5]int{f.HistoryLoans, f.HistorySettled, f.HistoryOpen, f.HistoryWorstDPD, f.HistoryCurrentDPD}
	}
	t.Run("through the sources one by one", func(t *testing.T) {
		tb := setup(t)
		ev := fixtureEvent(t)
		tb.history.Set(ev.Profile.ID.IDNumber, LoanHistory{Loans: 9, Settled: 9})
		rec, err := tb.engine.Decide(context.Background(), Input{Event: ev, History: &known})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := features(rec.Features), [5]int{2, 1, 1, 40, 12}; got != want {
			t.Fatalf("history features %v, want the caller's %v", got, want)
		}
	})
	t.Run("through a Gatherer", func(t *testing.T) {
		g := &askedGatherer{}
		e := NewEngine(DefaultPolicy(), Config{Sources: Sources{Gatherer: g}, Now: func() time.Time { return testNow }})
		rec, err := e.Decide(context.Background(), Input{Event: fixtureEvent(t), History: &known})
		if err != nil {
			t.Fatal(err)
		}
		if len(g.asked) != 1 || g.asked[0] != nil || rec.Features.HistoryLoans != 2 || rec.Features.HistoryUnavailable {
			t.Fatalf("asked for the history %v; features %+v", g.asked, rec.Features)
		}
		if _, err := e.Decide(context.Background(), Input{Event: fixtureEvent(t)}); err != nil || len(g.asked) != 2 || g.asked[1] == nil {
			t.Fatalf("without a known history the Gatherer must be asked for it: %v, %v", g.asked, err)
		}
	})
}
