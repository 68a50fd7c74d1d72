package risk

import (
	"io"
	"time"

	"creditpocket/internal/risk/event"
	"creditpocket/internal/risk/feedback"
	"creditpocket/internal/risk/policy"
)

// The event contract is package event's; the engine and its callers name
// its types here, as they always have.
type (
	Event           = event.Event
	EventType       = event.EventType
	Scenario        = event.Scenario
	Terminal        = event.Terminal
	Account         = event.Account
	Profile         = event.Profile
	Phone           = event.Phone
	ID              = event.ID
	Address         = event.Address
	Contact         = event.Contact
	Card            = event.Card
	IdentityExt     = event.IdentityExt
	ReasonCode      = event.ReasonCode
	ValidationError = event.ValidationError
)

// Names of the event contract the engine's callers use.
const (
	EventLoan          = event.EventLoan
	ScenarioCashLoan   = event.ScenarioCashLoan
	MaxEventBytes      = event.MaxEventBytes
	MaxContacts        = event.MaxContacts
	MaxFaceImages      = event.MaxFaceImages
	ReasonMalformed    = event.ReasonMalformed
	ReasonTooLarge     = event.ReasonTooLarge
	ReasonMissingField = event.ReasonMissingField
	ReasonInvalidField = event.ReasonInvalidField
	ReasonInternal     = event.ReasonInternal
)

// DecodeEvent reads and validates one event strictly (event.Decode).
func DecodeEvent(r io.Reader, now time.Time) (*Event, error) { return event.Decode(r, now) }

// The policy language is package policy's; the engine and its callers name
// its types here, as they always have.
type (
	Policy          = policy.Policy
	PolicyError     = policy.Error
	Decision        = policy.Decision
	Outcome         = policy.Outcome
	HitRule         = policy.HitRule
	FeatureValue    = policy.FeatureValue
	FeatureValues   = policy.FeatureValues
	PolicySetResult = policy.SetResult
)

// Decisions, from best to worst, and the cap on a policy document.
const (
	Accept         = policy.Accept
	Review         = policy.Review
	Reject         = policy.Reject
	MaxPolicyBytes = policy.MaxDocumentBytes
)

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
