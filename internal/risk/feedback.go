package risk

import "creditpocket/internal/risk/feedback"

// Feedback on decisions is package feedback's; the engine's callers and
// the store name it here, as they always have.
type (
	Feedback        = feedback.Feedback
	FeedbackOutcome = feedback.Outcome
	Repayment       = feedback.Repayment
)

// Feedback outcomes a lender reports, and how an approved loan ended.
const (
	OutcomeAccept    = feedback.OutcomeAccept
	OutcomeDecline   = feedback.OutcomeDecline
	OutcomeRepaid    = feedback.OutcomeRepaid
	OutcomeDefaulted = feedback.OutcomeDefaulted
	Repaid           = feedback.Repaid
	Defaulted        = feedback.Defaulted
)

// ErrFeedbackConflict is feedback.ErrConflict: an outcome contradicting
// one already recorded.
var ErrFeedbackConflict = feedback.ErrConflict

// ParseFeedbackOutcome checks an outcome's spelling (feedback.ParseOutcome).
func ParseFeedbackOutcome(s string) (FeedbackOutcome, error) { return feedback.ParseOutcome(s) }
