package event

import (
	"fmt"

	"creditpocket/internal/errs"
)

// ReasonCode classifies why an event was refused; it is the reason_code of a
// failed Answer.
type ReasonCode string

// Reason codes of refused events.
const (
	ReasonMalformed       ReasonCode = "malformed_event"        // not a single JSON object
	ReasonTooLarge        ReasonCode = "event_too_large"        // body or a media value over its cap
	ReasonUnknownField    ReasonCode = "unknown_field"          // a field the contract does not define
	ReasonWrongType       ReasonCode = "wrong_type"             // e.g. a string where an integer is due
	ReasonMissingField    ReasonCode = "missing_field"          // a required field is absent or empty
	ReasonInvalidField    ReasonCode = "invalid_field"          // present but breaks its rule
	ReasonUnsupportedType ReasonCode = "unsupported_event_type" // a known event type not scored yet
	ReasonInternal        ReasonCode = "internal_error"         // our fault; details are logged, not shown
)

// ValidationError says which field of an event broke which rule. Field is a
// JSON path such as "profile.phone.country_code" or "contact[2].relationship";
// it is empty when the event as a whole is at fault.
type ValidationError struct {
	Reason ReasonCode
	Field  string
	Rule   string
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Rule
	}
	return e.Field + ": " + e.Rule
}

// Unwrap exposes the error in the project-wide vocabulary, so the HTTP layer
// can map it to a status with errs.ErrorCode like any other client error.
func (e *ValidationError) Unwrap() error {
	code := errs.Invalid
	if e.Reason == ReasonTooLarge {
		code = errs.TooLarge
	}
	return &errs.Error{Code: code, Field: e.Field, Message: e.Rule}
}

func invalid(reason ReasonCode, field, rule string, args ...any) *ValidationError {
	if len(args) > 0 {
		rule = fmt.Sprintf(rule, args...)
	}
	return &ValidationError{Reason: reason, Field: field, Rule: rule}
}
