package policy

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// policyDocument wraps policy sets (YAML, indented as list items under
// policy_sets) in a document header.
func policyDocument(sets string) []byte {
	return []byte(`version: test-1
name: test
reasons: {Accept: No rule hit}
details: {Reject: Sorry.}
policy_sets:
` + sets)
}

// testEnv is the environment the tests compile policies against: a few
// features of each type, named as rules name them.
type testEnv struct {
	EventType       string `expr:"event_type"`
	EventHour       int    `expr:"event_hour"`
	Age             int    `expr:"age"`
	DeviceMissing   bool   `expr:"device_missing"`
	IDWhitelisted   bool   `expr:"id_whitelisted"`
	CardBlacklisted bool   `expr:"card_blacklisted"`
	IDEvents24h     int    `expr:"id_events_24h"`
	PhoneEvents24h  int    `expr:"phone_events_24h"`
	HistorySettled  int    `expr:"history_settled"`
}

func mustCompile(t *testing.T, src []byte) *Policy {
	t.Helper()
	p, err := Compile(src, testEnv{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCompileRefuses(t *testing.T) {
	set := func(mode, rules string) string {
		return "  - uuid: s1\n    name: Set one\n    mode: " + mode + "\n    rules:\n" + rules
	}
	rule := func(id, when, decision string) string {
		return "      - {id: " + id + ", name: Rule " + id + ", when: '" + when + "', decision: " + decision + ", score: 10}\n"
	}
	weighted := func(thresholds string) string {
		return "  - uuid: w1\n    name: Score\n    mode: Weighted\n    thresholds: " + thresholds + "\n    rules:\n      - {id: W1, name: Young, when: age < 25, score: 10}\n"
	}
	tests := []struct {
		name string
		src  []byte
		want []string // substrings of the error
	}{
		{"a rule naming an unknown feature", policyDocument(set("FirstMatch", rule("R1", "age_years < 18", "Reject"))), []string{`rule "R1"`, `unknown feature "age_years"`}},
		{"a rule with a syntax error", policyDocument(set("FirstMatch", rule("R1", "age < ", "Reject"))), []string{`rule "R1"`, "does not compile"}},
		{"a rule comparing a number with a string", policyDocument(set("FirstMatch", rule("R1", `age > "18"`, "Reject"))), []string{`rule "R1"`, "mismatched types"}},
		{"a rule that is not a condition", policyDocument(set("FirstMatch", rule("R1", "age + 1", "Reject"))), []string{`rule "R1"`, "must be true or false"}},
		{"a rule reading the clock cannot be replayed", policyDocument(set("FirstMatch", rule("R1", "now().Hour() < 5", "Reject"))), []string{`rule "R1"`, "now"}},
		{"a rule calling an unknown function", policyDocument(set("FirstMatch", rule("R1", "risky(age)", "Reject"))), []string{`rule "R1"`}},
		{"an unknown mode", policyDocument(set("Sequential", rule("R1", "age < 18", "Reject"))), []string{`policy set 1 "Set one"`, `mode must be FirstMatch, WorstMatch or Weighted, got "Sequential"`}},
		{"thresholds out of order", policyDocument(weighted("[{score: 50, decision: Reject}, {score: 20, decision: Review}]")), []string{`"Score"`, "ascending"}},
		{"two thresholds at the same score", policyDocument(weighted("[{score: 20, decision: Review}, {score: 20, decision: Reject}]")), []string{"ascending"}},
		{"a threshold with an unknown decision", policyDocument(weighted("[{score: 20, decision: Decline}]")), []string{"threshold 1", `"Decline"`}},
		{"a Weighted set without thresholds", policyDocument(weighted("[]")), []string{"needs thresholds"}},
		{"thresholds on a FirstMatch set", policyDocument("  - uuid: s1\n    name: S\n    mode: FirstMatch\n    thresholds: [{score: 1, decision: Review}]\n    rules:\n" + rule("R1", "age < 18", "Reject")), []string{"only to Weighted"}},
		{"a decision on a Weighted rule", policyDocument("  - uuid: w1\n    name: W\n    mode: Weighted\n    thresholds: [{score: 1, decision: Review}]\n    rules:\n" + rule("R1", "age < 18", "Reject")), []string{`rule "R1"`, "remove the rule's decision"}},
		{"a FirstMatch rule without decision", policyDocument(set("FirstMatch", "      - {id: R1, name: N, when: age < 18}\n")), []string{`rule "R1"`, "decision must be"}},
		{"a rule with an unknown decision", policyDocument(set("WorstMatch", rule("R1", "age < 18", "Deny"))), []string{`"Deny"`}},
		{"a negative score outside Weighted", policyDocument(set("WorstMatch", "      - {id: R1, name: N, when: age < 18, decision: Review, score: -5}\n")), []string{"negative"}},
		{"two rules with one id", policyDocument(set("WorstMatch", rule("R1", "age < 18", "Reject")+rule("R1", "age > 90", "Review"))), []string{`rule "R1"`, "used by another rule"}},
		{"a rule without condition", policyDocument(set("WorstMatch", "      - {id: R1, name: N, decision: Review}\n")), []string{"when (the condition) is required"}},
		{"a rule without id", policyDocument(set("WorstMatch", "      - {name: N, when: age < 18, decision: Review}\n")), []string{"id is required"}},
		{"a set without rules", policyDocument("  - uuid: s1\n    name: S\n    mode: FirstMatch\n"), []string{"at least one rule"}},
		{"a set without uuid", policyDocument("  - name: S\n    mode: FirstMatch\n    rules:\n" + rule("R1", "age < 18", "Reject")), []string{"uuid is required"}},
		{"two sets with one uuid", policyDocument(set("FirstMatch", rule("R1", "age < 18", "Reject")) + set("FirstMatch", rule("R2", "age > 90", "Reject"))), []string{"uuid s1 is used by another"}},
		{"a document without version", []byte("policy_sets:\n" + set("FirstMatch", rule("R1", "age < 18", "Reject"))), []string{"version is required"}},
		{"a document without policy sets", []byte("version: v1\n"), []string{"at least one policy set"}},
		{"an unknown document field", []byte("version: v1\nowner: me\n"), []string{"not valid YAML", "owner"}},
		{"an unknown rule field", policyDocument(set("FirstMatch", "      - {id: R1, name: N, when: age < 18, decision: Reject, weight: 3}\n")), []string{"weight"}},
		{"a reason for an unknown decision", []byte("version: v1\nreasons: {Deny: no}\npolicy_sets:\n" + set("FirstMatch", rule("R1", "age < 18", "Reject"))), []string{"reasons", `"Deny"`}},
		{"an empty document", []byte(""), []string{"empty"}},
		{"two documents in one file", append(policyDocument(set("FirstMatch", rule("R1", "age < 18", "Reject"))), "---\nversion: v2\n"...), []string{"one YAML document"}},
		{"a document that is not YAML", []byte("version: [v1\n"), []string{"not valid YAML"}},
		{"an oversized rule", policyDocument(set("FirstMatch", rule("R1", strings.Repeat("age > 1 && ", 300)+"true", "Reject"))), []string{`rule "R1"`}},
		{"an oversized document", make([]byte, MaxDocumentBytes+1), []string{"larger than"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile(tt.src, testEnv{})
			if err == nil {
				t.Fatalf("compiled version %q, want an error", p.Version)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("err is %T, want *Error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// modePolicy is one policy set of each mode, in that order, none conclusive.
var modePolicy = policyDocument(`
  - uuid: first
    name: First match
    mode: FirstMatch
    rules:
      - {id: F1, name: Minor, when: age < 18, decision: Reject, score: 100, reason: Minor}
      - {id: F2, name: Young, when: age < 30, decision: Review, score: 10, reason: Young}
      - {id: F3, name: Anyone, when: "true", decision: Accept, score: 1}
  - uuid: worst
    name: Worst match
    mode: WorstMatch
    rules:
      - {id: M1, name: Busy phone, when: phone_events_24h > 2, decision: Review, score: 5, reason: Busy phone}
      - {id: M2, name: Busy ID, when: id_events_24h > 2, decision: Review, score: 7, reason: Busy ID}
      - {id: M3, name: Blocked card, when: card_blacklisted, decision: Reject, score: 50, reason: Blocked card}
  - uuid: weighted
    name: Weighted
    mode: Weighted
    thresholds:
      - {score: 20, decision: Review, reason: Score review}
      - {score: 50, decision: Reject}
    rules:
      - {id: W1, name: No device, when: device_missing, score: 15}
      - {id: W2, name: Night, when: event_hour < 5, score: 40}
      - {id: W3, name: Good repayer, when: history_settled >= 3, score: -20}
`)

func TestPolicyModes(t *testing.T) {
	p := mustCompile(t, modePolicy)
	tests := []struct {
		name     string
		features testEnv
		set      string // uuid of the set under test
		decision Decision
		score    int
		hits     []string
	}{
		{"FirstMatch stops at the first hit", testEnv{Age: 15}, "first", Reject, 100, []string{"F1"}},
		{"FirstMatch takes a later rule when earlier ones miss", testEnv{Age: 25}, "first", Review, 10, []string{"F2"}},
		{"FirstMatch may end in an explicit Accept", testEnv{Age: 40}, "first", Accept, 1, []string{"F3"}},
		{"WorstMatch with no hit accepts", testEnv{Age: 40}, "worst", Accept, 0, nil},
		{"WorstMatch sums the scores of every hit", testEnv{Age: 40, PhoneEvents24h: 3, IDEvents24h: 3}, "worst", Review, 12, []string{"M1", "M2"}},
		{"WorstMatch takes the worst decision", testEnv{Age: 40, PhoneEvents24h: 3, CardBlacklisted: true}, "worst", Reject, 55, []string{"M1", "M3"}},
		{"Weighted below the first threshold accepts", testEnv{DeviceMissing: true, EventHour: 12}, "weighted", Accept, 15, []string{"W1"}},
		{"Weighted between thresholds takes the lower one", testEnv{DeviceMissing: true, EventHour: 3, HistorySettled: 3}, "weighted", Review, 35, []string{"W1", "W2", "W3"}},
		{"Weighted above the top threshold rejects", testEnv{DeviceMissing: true, EventHour: 3}, "weighted", Reject, 55, []string{"W1", "W2"}},
		{"Weighted with no hit scores zero", testEnv{EventHour: 12}, "weighted", Accept, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := p.Evaluate(tt.features)
			i := slices.IndexFunc(out.PolicySet, func(r SetResult) bool { return r.PolicyUUID == tt.set })
			if i < 0 {
				t.Fatalf("no result for set %s", tt.set)
			}
			res := out.PolicySet[i]
			var hits []string
			for _, h := range res.HitRules {
				hits = append(hits, h.ID)
			}
			if res.PolicyDecision != tt.decision || res.PolicyScore != tt.score || !slices.Equal(hits, tt.hits) {
				t.Errorf("got %s %d %v, want %s %d %v", res.PolicyDecision, res.PolicyScore, hits, tt.decision, tt.score, tt.hits)
			}
		})
	}
}

func TestFinalDecision(t *testing.T) {
	p := mustCompile(t, modePolicy)
	tests := []struct {
		name     string
		features testEnv
		decision Decision
		score    int
		reason   string
		detail   string
	}{
		{"the worst set decides and scores add up", testEnv{Age: 25, CardBlacklisted: true, EventHour: 12}, Reject, 10 + 50 + 0, "Blocked card", "Sorry."},
		{"the first set giving the final decision explains it", testEnv{Age: 25, PhoneEvents24h: 3, EventHour: 12}, Review, 10 + 5, "Young", ""},
		{"a Weighted threshold reason explains a Review", testEnv{Age: 40, EventHour: 3}, Review, 1 + 40, "Score review", ""},
		{"a rule without reason is explained by its name", testEnv{Age: 40, EventHour: 12}, Accept, 1, "Anyone", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := p.Evaluate(tt.features)
			if out.FinalDecision != tt.decision || out.FinalScore != tt.score || out.Reason != tt.reason || out.ReasonDetail != tt.detail {
				t.Errorf("got %s %d %q %q, want %s %d %q %q", out.FinalDecision, out.FinalScore, out.Reason, out.ReasonDetail, tt.decision, tt.score, tt.reason, tt.detail)
			}
			if out.PolicyVersion != "test-1" {
				t.Errorf("policy version %q", out.PolicyVersion)
			}
		})
	}
}

func TestConclusiveSetEndsTheDecision(t *testing.T) {
	p := mustCompile(t, policyDocument(`
  - uuid: lists
    name: Lists
    mode: FirstMatch
    conclusive: true
    rules:
      - {id: L1, name: White, when: id_whitelisted, decision: Accept, reason: Whitelisted}
  - uuid: rules
    name: Rules
    mode: WorstMatch
    rules:
      - {id: R1, name: Minor, when: age < 18, decision: Reject, score: 100}
`))
	out := p.Evaluate(testEnv{Age: 15, IDWhitelisted: true})
	if out.FinalDecision != Accept || out.Reason != "Whitelisted" || len(out.PolicySet) != 1 {
		t.Errorf("whitelisted minor: %s %q after %d sets; want Accept by the conclusive set alone", out.FinalDecision, out.Reason, len(out.PolicySet))
	}
	out = p.Evaluate(testEnv{Age: 15})
	if out.FinalDecision != Reject || len(out.PolicySet) != 2 {
		t.Errorf("a conclusive set that does not fire must not stop evaluation: %+v", out)
	}
}

func TestHitRulesCarryTheirFeatureValues(t *testing.T) {
	p := mustCompile(t, modePolicy)
	out := p.Evaluate(testEnv{Age: 40, PhoneEvents24h: 3, IDEvents24h: 300, EventHour: 12})
	want := []HitRule{
		{ID: "F3", Name: "Anyone", Decision: Accept, Score: 1, Features: FeatureValues{}},
		{ID: "M1", Name: "Busy phone", Decision: Review, Score: 5, Features: FeatureValues{{"phone_events_24h", 3}}},
		{ID: "M2", Name: "Busy ID", Decision: Review, Score: 7, Features: FeatureValues{{"id_events_24h", 300}}},
	}
	if !reflect.DeepEqual(out.HitRules, want) {
		t.Errorf("hit rules = %+v\nwant %+v", out.HitRules, want)
	}

	// A rule reading several features lists them by name, and JSON shows
	// them as an object.
	p = mustCompile(t, policyDocument(`
  - uuid: s
    name: S
    mode: WorstMatch
    rules:
      - {id: Y1, name: Young and busy, when: "id_events_24h > 2 && age < 21 && age >= 18", decision: Review}
`))
	hit := p.Evaluate(testEnv{Age: 19, IDEvents24h: 4}).HitRules[0]
	b, err := json.Marshal(hit.Features)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"age":19,"id_events_24h":4}` {
		t.Errorf("features JSON = %s", b)
	}
	var back FeatureValues
	if err := json.Unmarshal(b, &back); err != nil || len(back) != 2 || back[0].Name != "age" {
		t.Errorf("decoded %v, %v", back, err)
	}
	if v, ok := hit.Features.Get("id_events_24h"); !ok || v != 4 {
		t.Errorf("Get = %v, %v", v, ok)
	}
}

func TestARuleFailingAtRunTimeSendsToReview(t *testing.T) {
	p := mustCompile(t, policyDocument(`
  - uuid: s
    name: S
    mode: WorstMatch
    rules:
      - {id: D1, name: Divides by zero, when: "age % (age - age) == 0", decision: Accept}
`))
	out := p.Evaluate(testEnv{Age: 30})
	if out.FinalDecision != Review || !strings.Contains(out.HitRules[0].Name, "D1") {
		t.Errorf("got %s %+v, want a Review naming rule D1", out.FinalDecision, out.HitRules)
	}
}

func TestFeatureValuesEncodeAsOneObject(t *testing.T) {
	tests := []struct {
		name string
		fv   FeatureValues
		want string
	}{
		{"no values make an empty object", nil, `{}`},
		{"booleans and integers are written directly", FeatureValues{{"id_blacklisted", true}, {"id_events_24h", -7}}, `{"id_blacklisted":true,"id_events_24h":-7}`},
		{"values read back from a stored record keep their JSON form", FeatureValues{{"age", float64(31)}, {"scenario", "cash\"loan"}}, `{"age":31,"scenario":"cash\"loan"}`},
		{"a name that needs escaping is escaped", FeatureValues{{"odd \"name\"", false}}, `{"odd \"name\"":false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.fv)
			if err != nil || string(got) != tt.want {
				t.Fatalf("got %s, %v; want %s", got, err, tt.want)
			}
			var back FeatureValues
			if err := json.Unmarshal(got, &back); err != nil || len(back) != len(tt.fv) {
				t.Fatalf("read back %v, %v", back, err)
			}
		})
	}
}
