// Package event is the risk event contract: the Loan event of
// POST /credit/fraud/v1 (TrustDecision style) as Go types, its strict
// decoding and every rule a field must follow.
//
//	ev, err := event.Decode(body, now) // unknown fields, wrong types, over-long values refused
//
// Every refusal is a *ValidationError naming the field by its JSON path and
// the rule, with a ReasonCode the decision API answers with; it unwraps to
// the project's error vocabulary (errs.Invalid, errs.TooLarge). A valid
// event carries its parsed time (Time). The package knows nothing of
// features, policies or decisions: the engine (package risk) scores what
// it accepts.
package event
