// Package policy is the risk engine's policy language: a YAML document of
// policy sets (FirstMatch, WorstMatch, Weighted), each a list of rules
// whose conditions are expr-lang expressions, compiled once and evaluated
// on every decision.
//
//	p, err := policy.Compile(src, Features{}) // refused with an *Error naming the rule
//	out := p.Evaluate(features)               // a pure function: same features, same Outcome
//
// A rule may read only the fields of the environment struct it was
// compiled against (by their `expr` tags) and cannot read the clock, so an
// outcome replays exactly. An Outcome names every rule that fired with the
// feature values that made it fire. The package knows nothing of which
// features exist or where they come from: package risk compiles its
// Features into policies and gathers them.
package policy
