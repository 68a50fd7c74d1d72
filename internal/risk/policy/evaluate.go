package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/expr-lang/expr/vm"
)

// HitRule is a rule that fired, with the feature values that made it fire.
type HitRule struct {
	ID       string        `json:"id"`
	Name     string        `json:"name"`
	Decision Decision      `json:"decision,omitempty"` // empty in Weighted sets
	Score    int           `json:"score"`
	Features FeatureValues `json:"features"`
}

// FeatureValue is the value a feature had in a decision.
type FeatureValue struct {
	Name  string
	Value any
}

// FeatureValues are sorted by name. They are a slice rather than a map
// (one allocation per hit instead of a hash table) but encode as a JSON
// object, {"id_events_24h": 7}, which is what people read.
type FeatureValues []FeatureValue

// MarshalJSON encodes the values as one JSON object. Names and values are
// nearly always identifiers and booleans or integers, which are written
// directly; anything else goes through encoding/json.
func (fv FeatureValues) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+len(fv)*32)
	b = append(b, '{')
	for i, v := range fv {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendJSONString(b, v.Name); err != nil {
			return nil, err
		}
		b = append(b, ':')
		switch x := v.Value.(type) {
		case bool:
			b = strconv.AppendBool(b, x)
		case int:
			b = strconv.AppendInt(b, int64(x), 10)
		default:
			value, err := json.Marshal(x)
			if err != nil {
				return nil, fmt.Errorf("feature %s: %w", v.Name, err)
			}
			b = append(b, value...)
		}
	}
	return append(b, '}'), nil
}

// appendJSONString appends s quoted; a string of letters, digits and
// underscores (every feature name) needs no escaping.
func appendJSONString(b []byte, s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			q, err := json.Marshal(s)
			return append(b, q...), err
		}
	}
	return append(append(append(b, '"'), s...), '"'), nil
}

// UnmarshalJSON decodes a JSON object, sorting by name.
func (fv *FeatureValues) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*fv = (*fv)[:0]
	for name, value := range m {
		*fv = append(*fv, FeatureValue{name, value})
	}
	slices.SortFunc(*fv, func(a, b FeatureValue) int { return strings.Compare(a.Name, b.Name) })
	return nil
}

// Get returns the value of the named feature.
func (fv FeatureValues) Get(name string) (any, bool) {
	for _, v := range fv {
		if v.Name == name {
			return v.Value, true
		}
	}
	return nil, false
}

// SetResult is the outcome of one policy set.
type SetResult struct {
	PolicyUUID     string    `json:"policy_uuid"`
	PolicyName     string    `json:"policy_name"`
	PolicyMode     Mode      `json:"policy_mode"`
	PolicyScore    int       `json:"policy_score"`
	PolicyDecision Decision  `json:"policy_decision"`
	HitRules       []HitRule `json:"hit_rules"`
}

// Outcome is what a policy made of a set of features. It is a pure function
// of the two, which is what makes replay possible.
type Outcome struct {
	PolicyVersion string      `json:"policy_version"`
	FinalDecision Decision    `json:"final_decision"`
	FinalScore    int         `json:"final_score"`
	PolicySet     []SetResult `json:"policy_set"`
	HitRules      []HitRule   `json:"hit_rules"`
	// Reason is the short explanation the loan engine stores as
	// auditRiskReson; ReasonDetail the borrower-facing text (auditRiskDetail).
	Reason       string `json:"reason"`
	ReasonDetail string `json:"reason_detail"`
}

// vms reuses expr virtual machines; each keeps its stack between runs.
var vms = sync.Pool{New: func() any { return new(vm.VM) }}

// Evaluate runs the policy over the features in env, a value of the type
// the policy was compiled against (not a pointer: expr then reads fields
// without copying them). It is a pure function of the two.
func (p *Policy) Evaluate(env any) Outcome {
	machine := vms.Get().(*vm.VM)
	defer vms.Put(machine)

	out := Outcome{PolicyVersion: p.Version, FinalDecision: Accept, PolicySet: make([]SetResult, 0, len(p.sets))}
	var reason string
	for _, set := range p.sets {
		res, setReason, err := set.evaluate(machine, env)
		if err != nil {
			// A rule that cannot be evaluated is a policy bug; it must not
			// let the borrower through, nor hide which rule it was.
			return p.failed(err)
		}
		out.PolicySet = append(out.PolicySet, res)
		out.HitRules = append(out.HitRules, res.HitRules...)
		out.FinalScore += res.PolicyScore
		if set.conclusive && len(res.HitRules) > 0 {
			// A conclusive set that fires has the last word, whatever the
			// sets before it said (e.g. a whitelist placed after checks
			// it may override).
			out.FinalDecision, reason = res.PolicyDecision, setReason
			break
		}
		if res.PolicyDecision.rank() > out.FinalDecision.rank() || reason == "" && res.PolicyDecision == out.FinalDecision {
			out.FinalDecision, reason = res.PolicyDecision, setReason
		}
	}
	if reason == "" {
		reason = p.reasons[out.FinalDecision.rank()]
	}
	out.Reason, out.ReasonDetail = reason, p.details[out.FinalDecision.rank()]
	return out
}

// Detail is the borrower-facing text the policy gives a final decision.
func (p *Policy) Detail(d Decision) string { return p.details[d.rank()] }

// failed is the outcome of a policy that broke at run time.
func (p *Policy) failed(err error) Outcome {
	return Outcome{
		PolicyVersion: p.Version,
		FinalDecision: Review,
		Reason:        "Risk policy error, manual review required",
		ReasonDetail:  p.details[Review.rank()],
		HitRules:      []HitRule{{ID: "engine.policy_error", Name: err.Error(), Decision: Review}},
	}
}

// evaluate runs one set and returns its result and the reason it gives.
func (s *policySet) evaluate(machine *vm.VM, env any) (SetResult, string, error) {
	res := SetResult{PolicyUUID: s.uuid, PolicyName: s.name, PolicyMode: s.mode, PolicyDecision: Accept}
	var reason string
	var best *rule // Weighted: the hit with the highest score
	for _, r := range s.rules {
		hit, err := r.matches(machine, env)
		if err != nil {
			return res, "", err
		}
		if !hit {
			continue
		}
		res.HitRules = append(res.HitRules, r.hit(machine, env))
		res.PolicyScore += r.score
		switch s.mode {
		case FirstMatch:
			res.PolicyDecision = r.decision
			return res, r.reason, nil
		case WorstMatch:
			if r.decision.rank() > res.PolicyDecision.rank() || reason == "" && r.decision == res.PolicyDecision {
				res.PolicyDecision, reason = r.decision, r.reason
			}
		case Weighted:
			if best == nil || r.score > best.score {
				best = r
			}
		}
	}
	if s.mode == Weighted {
		for _, t := range s.thresholds {
			if res.PolicyScore >= t.score {
				res.PolicyDecision, reason = t.decision, t.reason
				if reason == "" && best != nil {
					reason = best.reason
				}
			}
		}
	}
	return res, reason, nil
}

func (r *rule) matches(machine *vm.VM, env any) (bool, error) {
	v, err := machine.Run(r.program, env)
	if err != nil {
		return false, fmt.Errorf("rule %s: %w", r.id, err)
	}
	hit, _ := v.(bool)
	return hit, nil
}

// hit describes a fired rule, reading back the features it refers to.
func (r *rule) hit(machine *vm.VM, env any) HitRule {
	h := HitRule{ID: r.id, Name: r.name, Decision: r.decision, Score: r.score, Features: make(FeatureValues, len(r.features))}
	for i, probe := range r.features {
		// Reading a field of a typed environment cannot fail once compiled.
		v, _ := machine.Run(probe.program, env)
		h.Features[i] = FeatureValue{probe.name, v}
	}
	return h
}
