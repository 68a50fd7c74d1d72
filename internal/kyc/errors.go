package kyc

import (
	"errors"
	"fmt"
	"net/http"

	"creditpocket/internal/errs"
)

// Code is an answer code of the KYC open API, a five-digit string as the
// partner contract's "00000" success code.
type Code string

// The code table. Every refusal names its field and rule in msg; the
// HTTP status says the class of problem for clients that only look there.
const (
	OK                  Code = "00000" // accepted
	MissingParameter    Code = "10001" // a required field is absent, null or empty
	BadFormat           Code = "10002" // wrong JSON type, malformed value, pattern not met
	TooLong             Code = "10003" // over the field's maximum length
	InvalidValue        Code = "10004" // well-formed but not an allowed value
	UnsupportedDocType  Code = "10005" // doc_type is not accepted by configuration
	ImageTooLarge       Code = "10006" // a document's base64 text is over its limit
	ImageTypeNotAllowed Code = "10007" // a document is not jpg/png (or pdf for poa_doc)
	ImageInvalid        Code = "10008" // a document is not valid base64 or not a sound image
	CountryNotAllowed   Code = "10009" // country_id outside the card type's countries
	BodyTooLarge        Code = "10010" // the request body is over its cap
	UnknownTradeNo      Code = "20001" // no binding with this mc_trade_no for this merchant
	Conflict            Code = "20002" // a different body or binding for an mc_trade_no already accepted
	NotReviewable       Code = "20003" // a review decision on a KYC not awaiting review
	Unauthorized        Code = "40001" // credentials missing or wrong
	KeyExpired          Code = "40002" // credentials expired or revoked
	NoPermission        Code = "40003" // the partner lacks the kyc scope
	OutOfQuota          Code = "40004" // the partner's call quota is used up
	RateLimited         Code = "40005" // too many calls per second
	InternalError       Code = "50000" // a bug or failure on our side; retry later
	ServiceUnavailable  Code = "50300" // a dependency is down; retry later
	NotFound            Code = "20004" // another thing (a KYC, a document) was not found
)

// CodeInfo documents one code: the docs page and tests are built from it.
type CodeInfo struct {
	Code    Code
	Status  int    // HTTP status sent with it
	Meaning string // what a partner should understand
}

// Codes is the code table, in order.
var Codes = []CodeInfo{
	{OK, http.StatusOK, "ok"},
	{MissingParameter, http.StatusBadRequest, "missing parameter: a required field is absent, null or empty"},
	{BadFormat, http.StatusBadRequest, "bad format: wrong JSON type, malformed value or pattern not met"},
	{TooLong, http.StatusBadRequest, "too long: over the field's maximum length (characters)"},
	{InvalidValue, http.StatusBadRequest, "invalid value: well-formed but not allowed (unknown country or calling code, not an adult, …)"},
	{UnsupportedDocType, http.StatusBadRequest, "unsupported document type: only the configured doc_type values are accepted (passport by default)"},
	{ImageTooLarge, http.StatusBadRequest, "image too large: the base64 text is over the field's limit"},
	{ImageTypeNotAllowed, http.StatusBadRequest, "image type not allowed: jpg, jpeg or png (poa_doc also pdf), sniffed from the content"},
	{ImageInvalid, http.StatusBadRequest, "image invalid: not base64, or not a whole, decodable image"},
	{CountryNotAllowed, http.StatusBadRequest, "country not allowed for this card type"},
	{BodyTooLarge, http.StatusRequestEntityTooLarge, "request body too large"},
	{UnknownTradeNo, http.StatusNotFound, "unknown trade number: open the binding first"},
	{Conflict, http.StatusConflict, "conflict: this mc_trade_no already has a different binding or KYC"},
	{NotReviewable, http.StatusConflict, "the KYC is not awaiting manual review"},
	{NotFound, http.StatusNotFound, "not found"},
	{Unauthorized, http.StatusUnauthorized, "unauthorized: X-API-ID / X-API-SECRET missing or wrong"},
	{KeyExpired, http.StatusUnauthorized, "credentials expired or revoked"},
	{NoPermission, http.StatusForbidden, "no permission: the credentials lack the kyc scope"},
	{OutOfQuota, http.StatusForbidden, "call quota used up"},
	{RateLimited, http.StatusTooManyRequests, "rate limit exceeded"},
	{InternalError, http.StatusInternalServerError, "internal error; retry later"},
	{ServiceUnavailable, http.StatusServiceUnavailable, "service unavailable; retry later"},
}

// Status is the HTTP status sent with c.
func (c Code) Status() int {
	for _, ci := range Codes {
		if ci.Code == c {
			return ci.Status
		}
	}
	return http.StatusInternalServerError
}

// class places a code in the project's error vocabulary, so code that only
// knows errs (logging, generic middleware) still classifies KYC errors.
func (c Code) class() errs.Code {
	switch c.Status() {
	case http.StatusBadRequest:
		return errs.Invalid
	case http.StatusNotFound:
		return errs.NotFound
	case http.StatusConflict:
		return errs.Conflict
	case http.StatusRequestEntityTooLarge:
		return errs.TooLarge
	case http.StatusUnauthorized:
		return errs.Unauthenticated
	case http.StatusForbidden:
		return errs.Forbidden
	case http.StatusTooManyRequests:
		return errs.RateLimited
	case http.StatusServiceUnavailable:
		return errs.Unavailable
	}
	return errs.Internal
}

// Error is a refusal with its code. Field is the JSON path of the
// offending input ("kyc_info.birthday"); Rule states what it must be.
type Error struct {
	Code  Code
	Field string
	Rule  string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Rule
	}
	return e.Field + ": " + e.Rule
}

// Unwrap exposes the error in the errs vocabulary (errs.ErrorCode and
// errs.Message work on KYC errors).
func (e *Error) Unwrap() error {
	return &errs.Error{Code: e.Code.class(), Field: e.Field, Message: e.Rule}
}

func fail(code Code, field, rule string, args ...any) *Error {
	if len(args) > 0 {
		rule = fmt.Sprintf(rule, args...)
	}
	return &Error{Code: code, Field: field, Rule: rule}
}

// CodeOf returns the answer code and message for err: a KYC error's own,
// errors of the errs vocabulary by class, and InternalError (with a
// message that leaks nothing) for everything else.
func CodeOf(err error) (Code, string) {
	if err == nil {
		return OK, "ok"
	}
	var ke *Error
	if errors.As(err, &ke) {
		return ke.Code, ke.Error()
	}
	switch errs.ErrorCode(err) {
	case errs.Invalid:
		return BadFormat, errs.Message(err)
	case errs.NotFound:
		return NotFound, errs.Message(err)
	case errs.Conflict:
		return Conflict, errs.Message(err)
	case errs.TooLarge:
		return BodyTooLarge, errs.Message(err)
	case errs.Unauthenticated:
		return Unauthorized, errs.Message(err)
	case errs.Forbidden:
		return NoPermission, errs.Message(err)
	case errs.RateLimited:
		return RateLimited, errs.Message(err)
	case errs.Unavailable:
		return ServiceUnavailable, errs.Message(err)
	}
	return InternalError, "internal error"
}
