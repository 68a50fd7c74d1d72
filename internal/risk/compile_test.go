package risk

import (
	"errors"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

func mustCompile(t *testing.T, src []byte) *Policy {
	t.Helper()
	p, err := CompilePolicy(src)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultPolicyCompiles(t *testing.T) {
	p := DefaultPolicy() // panics unless every rule compiles
	var doc struct {
		Sets []struct {
			Rules []struct{} `yaml:"rules"`
		} `yaml:"policy_sets"`
	}
	if err := yaml.Unmarshal(p.Source, &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range doc.Sets {
		n += len(s.Rules)
	}
	if n < 50 {
		t.Errorf("the default policy has %d rules, want about 50 or more", n)
	}
	if p.Version == "" || !slices.Equal(p.Source, DefaultPolicyYAML()) {
		t.Error("the default policy does not carry its version and source")
	}
}

// sourcePolicy rejects minors and accepts anyone else.
var sourcePolicy = []byte(`version: test-1
name: test
details: {Reject: Sorry.}
policy_sets:
  - uuid: first
    name: First match
    mode: FirstMatch
    rules:
      - {id: F1, name: Minor, when: age < 18, decision: Reject, score: 100, reason: Minor}
      - {id: F3, name: Anyone, when: "true", decision: Accept, score: 1}
`)

func TestAFailedSourceIsNeverAnAccept(t *testing.T) {
	p, err := CompilePolicy(sourcePolicy)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		features Features
		decision Decision
		score    int
		reason   string
		detail   string
	}{
		{"a failed source turns an Accept into a Review", Features{Age: 40, EventHour: 12, SourceUnavailable: true, HistoryUnavailable: true}, Review, 1, "Risk data source unavailable, manual review required", ""},
		{"a failed source does not soften a Reject", Features{Age: 15, EventHour: 12, SourceUnavailable: true, ListsUnavailable: true}, Reject, 100, "Minor", "Sorry."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := Replay(&Record{Features: tt.features}, p)
			if out.FinalDecision != tt.decision || out.FinalScore != tt.score || out.Reason != tt.reason || out.ReasonDetail != tt.detail {
				t.Errorf("got %s %d %q %q, want %s %d %q %q", out.FinalDecision, out.FinalScore, out.Reason, out.ReasonDetail, tt.decision, tt.score, tt.reason, tt.detail)
			}
			if out.PolicyVersion != "test-1" {
				t.Errorf("policy version %q", out.PolicyVersion)
			}
		})
	}
}

// decided reports whether d is one of the three decisions.
func decided(d Decision) bool { return d == Accept || d == Review || d == Reject }

func FuzzCompilePolicy(f *testing.F) {
	f.Add(DefaultPolicyYAML())
	f.Add(sourcePolicy)
	f.Add([]byte("version: v\npolicy_sets:\n  - {uuid: a, name: b, mode: Weighted, thresholds: [{score: 1, decision: Review}], rules: [{id: r, name: n, when: 'age > 1 ? true : false', score: 3}]}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := CompilePolicy(src)
		if err != nil {
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *PolicyError: %v", err, err)
			}
			return
		}
		// Whatever compiles must evaluate without panicking.
		out := Replay(&Record{Features: Features{Age: 30, EventType: "Loan"}}, p)
		if !decided(out.FinalDecision) {
			t.Fatalf("no final decision: %+v", out)
		}
	})
}
