// Package risk is creditpocket's risk-decision engine: it scores borrower
// events (today the "Loan" event of POST /credit/fraud/v1, TrustDecision
// style) with versioned policies and explains every decision.
//
// The flow of one decision:
//
//	ev, err := risk.DecodeEvent(body, now)        // strict JSON + contract rules
//	rec, err := engine.Decide(ctx, risk.Input{Event: ev, CreditReport: summary})
//	answer := rec.Answer()                          // what the API returns
//	store.SaveDecision(rec)                         // what makes it explainable
//
// Decide computes Features (features.md defines each one exactly) from the
// event and from the Sources the store and loan engine implement — Lists,
// Velocity, ContactIndex, History — under a deadline: through one Gatherer
// call when the sources offer one (the store answers them all in one
// database round trip), else asking each concurrently. A source that fails
// or is late is marked unavailable and the engine never accepts such a
// decision. The live Policy (YAML, rules in
// expr-lang compiled once against Features) then turns the features into
// an Outcome; a shadow policy may run beside it and is only recorded.
//
// A Record holds the features as the policy saw them, so Replay(rec, p)
// reproduces the outcome for the same policy version and replay.Simulate compares
// a candidate policy against history, including feedback on repayment.
//
// The package knows nothing of SQL or HTTP; MemLists, MemVelocity,
// MemContacts and MemHistory are exact in-memory sources for tests and
// benchmarks, and the reference for the store's implementations.
//
// Behind it, each self-contained and with its own tests:
//
//	event/     the event contract: types, strict decoding, validation, phone keys
//	policy/    the policy language: YAML policy sets of expr rules, compiled and evaluated
//	feedback/  lenders' reports on a decision, folded into one Feedback
//
// The engine's callers and the store keep using the names they always
// have (risk.Event, risk.Policy, risk.Feedback, …): they are aliases of
// those packages' types.
package risk
