// Package errs is creditpocket's one error vocabulary. Domain code returns
// *Error values with a Code; the HTTP layer maps codes to statuses in one
// place. Anything that is not an *Error is an internal error: it is logged
// once and shown to clients as "internal error".
package errs

import (
	"errors"
	"fmt"
)

// Code classifies an error for clients. It is deliberately small.
type Code string

const (
	Invalid         Code = "invalid"         // bad input; names the field and the rule
	Unauthenticated Code = "unauthenticated" // no, expired or revoked credentials
	Forbidden       Code = "forbidden"       // authenticated but not allowed
	NotFound        Code = "not_found"       // no such thing (or not yours)
	Conflict        Code = "conflict"        // state or uniqueness conflict
	TooLarge        Code = "too_large"       // body or file over its cap
	RateLimited     Code = "rate_limited"    // too many requests or attempts
	Unavailable     Code = "unavailable"     // a dependency is down; retry later
	Internal        Code = "internal"        // a bug or an unexpected failure
)

// Error is a client-facing error. Field names the offending input (a JSON
// name or path such as "contacts[1].mobile"); Message states the rule.
type Error struct {
	Code    Code
	Field   string
	Message string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

// E builds an error with a code and a formatted message.
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidField reports that field breaks a rule, e.g.
// InvalidField("mobile", "must be a valid phone number").
func InvalidField(field, rule string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(rule, args...)}
}

// Required reports a missing required field.
func Required(field string) *Error {
	return &Error{Code: Invalid, Field: field, Message: "is required"}
}

// ErrorCode returns the code of err, or Internal for errors that are not an
// *Error (or wrap one).
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Message returns the client-facing message of err. Internal errors never
// leak their text.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		return e.Error()
	}
	return "internal error"
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// WithField returns a copy of err prefixed with a parent field, so nested
// validators can report "contacts[1].mobile" while knowing only "mobile".
func WithField(parent string, err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	switch {
	case c.Field == "":
		c.Field = parent
	case len(c.Field) > 0 && c.Field[0] == '[':
		c.Field = parent + c.Field
	default:
		c.Field = parent + "." + c.Field
	}
	return &c
}

// Wrap annotates a non-nil *err with context, pkgsite style:
//
//	defer errs.Wrap(&err, "store.CreateUser(%d)", id)
//
// Client-facing *Error values are left untouched so their message stays clean.
func Wrap(errp *error, format string, args ...any) {
	if *errp == nil {
		return
	}
	var e *Error
	if errors.As(*errp, &e) {
		return
	}
	*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
}
