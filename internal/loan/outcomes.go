package loan

import (
	"context"
	"log/slog"
	"time"
)

// Outcome is how an application decided by the risk engine turned out,
// in the words of the risk engine's feedback.
type Outcome string

// Outcomes of decided applications.
const (
	OutcomeAccepted  Outcome = "accept"    // a reviewer approved it
	OutcomeDeclined  Outcome = "decline"   // a reviewer rejected it
	OutcomeRepaid    Outcome = "repaid"    // the loan was settled
	OutcomeDefaulted Outcome = "defaulted" // the loan went DefaultDays overdue
)

// DefaultDays is how many days overdue a loan is reported as defaulted (a
// later settlement reports it repaid, and the latest report counts).
const DefaultDays = 30

// Outcomes learns how decided applications turned out, by the sequence id
// of their risk decision, so simulations of a candidate policy can count
// the approvals that defaulted. The risk engine's feedback implements it.
type Outcomes interface {
	Report(ctx context.Context, sequenceID string, o Outcome, at time.Time) error
}

// report tells Outcomes how r turned out (ReportOutcome).
func (s *Service) report(ctx context.Context, r *Record, o Outcome, at time.Time) {
	ReportOutcome(ctx, s.Outcomes, s.Log, r, o, at)
}

// ReportOutcome tells outs (nil: nobody) how r turned out. It runs after
// r's transaction committed and is best effort: the loan never depends on
// it, so a failure is logged to log (nil: nowhere), not returned.
func ReportOutcome(ctx context.Context, outs Outcomes, log *slog.Logger, r *Record, o Outcome, at time.Time) {
	if outs == nil || r.RiskSequenceID == "" {
		return
	}
	if err := outs.Report(context.WithoutCancel(ctx), r.RiskSequenceID, o, at); err != nil && log != nil {
		log.Warn("report a loan's outcome to the risk engine", "loan", r.ID, "outcome", string(o), "err", err)
	}
}
