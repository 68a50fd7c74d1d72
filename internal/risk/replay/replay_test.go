package replay

import (
	"creditpocket/internal/risk"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// strictPolicy is the default policy plus a set rejecting first-time
// borrowers.
func strictPolicy(t *testing.T) *risk.Policy {
	t.Helper()
	src := strings.Replace(string(risk.DefaultPolicyYAML()), `version: "2026-11-23.1"`, `version: "strict-1"`, 1) +
		"  - uuid: strict\n    name: Strict\n    mode: FirstMatch\n    rules:\n      - {id: S1, name: New borrowers, when: history_loans == 0, decision: Reject, reason: No history}\n"
	p, err := risk.CompilePolicy([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSimulate(t *testing.T) {
	live := risk.DefaultPolicy()
	clean := risk.Features{Age: 30, EventHour: 12, AccountAgeDays: 100, FaceImages: 1}
	repeat := clean
	repeat.HistoryLoans, repeat.HistorySettled = 3, 3
	blacklisted := clean
	blacklisted.IDBlacklisted = true
	record := func(f risk.Features, fb *risk.Feedback) *risk.Record {
		r := &risk.Record{Features: f, Feedback: fb}
		r.Outcome = risk.Replay(r, live)
		return r
	}
	records := []*risk.Record{
		record(clean, &risk.Feedback{Approved: true, Repayment: risk.Defaulted}), // new borrower who defaulted
		record(repeat, &risk.Feedback{Approved: true, Repayment: risk.Repaid}),   // repeat borrower who repaid
		record(blacklisted, nil),
		record(clean, &risk.Feedback{Approved: true}), // loan still running
		record(clean, &risk.Feedback{Approved: true, Repayment: risk.Repaid}),
	}
	got := Simulate(slices.Values(records), strictPolicy(t))
	want := Report{
		CandidateVersion:           "strict-1",
		Records:                    5,
		Live:                       Mix{Accept: 4, Reject: 1},
		Candidate:                  Mix{Accept: 1, Reject: 4},
		Changed:                    3,
		Transitions:                []Transition{{From: risk.Accept, To: risk.Reject, Count: 3}},
		WithRepayment:              3,
		Repaid:                     2,
		Defaulted:                  1,
		LiveApprovedDefaulted:      1,
		CandidateApprovedDefaulted: 0,
		CandidateStoppedDefaulted:  1,
		CandidateStoppedRepaid:     1,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Simulate =\n %+v\nwant\n %+v", got, want)
	}

	same := Simulate(slices.Values(records), live)
	if same.Changed != 0 || same.Live != same.Candidate || same.LiveApprovedDefaulted != same.CandidateApprovedDefaulted {
		t.Errorf("the live policy against itself changed something: %+v", same)
	}
}
