package risk

import (
	"bytes"
	_ "embed"

	"creditpocket/internal/risk/policy"
)

//go:embed default_policy.yaml
var defaultPolicyYAML []byte

// DefaultPolicyYAML returns the shipped policy document, e.g. to show or
// edit it in the console.
func DefaultPolicyYAML() []byte { return bytes.Clone(defaultPolicyYAML) }

// DefaultPolicy compiles the shipped policy. It panics if the embedded file
// does not compile, which a test rules out.
func DefaultPolicy() *Policy {
	p, err := CompilePolicy(defaultPolicyYAML)
	if err != nil {
		panic(err)
	}
	return p
}

// CompilePolicy compiles a YAML policy document against Features: a rule
// that does not parse, names a feature that does not exist (see
// features.md) or is not a condition is refused with a *PolicyError naming
// the rule.
func CompilePolicy(src []byte) (*Policy, error) { return policy.Compile(src, Features{}) }

// SourceUnavailableRule is the id of the engine's own rule that turns an
// Accept into a Review when a feature source failed.
const SourceUnavailableRule = "engine.source_unavailable"

// evaluate applies p to the features; env must hold the same Features value
// (boxed once per decision and shared by the live and shadow policies). A
// decision some source could not inform is never an Accept.
func evaluate(p *Policy, f *Features, env any) Outcome {
	out := p.Evaluate(env)
	if f.SourceUnavailable && out.FinalDecision == Accept {
		hit := HitRule{ID: SourceUnavailableRule, Name: "A feature source failed or timed out", Decision: Review, Features: unavailableSources(f)}
		out.HitRules = append(out.HitRules, hit)
		out.FinalDecision = Review
		out.Reason, out.ReasonDetail = "Risk data source unavailable, manual review required", p.Detail(Review)
	}
	return out
}

func unavailableSources(f *Features) FeatureValues {
	var fv FeatureValues
	for _, s := range []struct {
		name string
		down bool
	}{
		{"contacts_unavailable", f.ContactsUnavailable}, {"history_unavailable", f.HistoryUnavailable},
		{"lists_unavailable", f.ListsUnavailable}, {"velocity_unavailable", f.VelocityUnavailable},
	} {
		if s.down {
			fv = append(fv, FeatureValue{Name: s.name, Value: true})
		}
	}
	return fv
}
