package partnerapi

import (
	"errors"
	"net/http"

	"creditpocket/internal/httpapi"
	"creditpocket/internal/kyc"
	"creditpocket/internal/partner"
	"creditpocket/internal/risk"
)

// partnerCredentialFields documents the ways a partner may authenticate.
var partnerCredentialFields = []httpapi.Field{
	{Name: "X-API-ID", Type: "string", Desc: "Header: partner id from 'creditpocket partner create' (or X-DF-API-ID, or the partner_code query parameter)"},
	{Name: "X-API-SECRET", Type: "string", Desc: "Header: partner secret (or X-DF-API-SECRET, or the partner_key query parameter)"},
}

// partnerAuth authenticates a partner call for scope. Every partner API
// accepts X-API-ID/X-API-SECRET; the seeds' own names are accepted too:
// X-DF-API-ID/X-DF-API-SECRET (credit-report API) and the partner_code /
// partner_key query parameters (risk API).
func (s *api) partnerAuth(r *http.Request, scope partner.Scope) (*partner.Partner, error) {
	id, secret := r.Header.Get("X-API-ID"), r.Header.Get("X-API-SECRET")
	if id == "" {
		id, secret = r.Header.Get("X-DF-API-ID"), r.Header.Get("X-DF-API-SECRET")
	}
	if id == "" {
		q := r.URL.Query()
		id, secret = q.Get("partner_code"), q.Get("partner_key")
	}
	if s.Partners == nil {
		return nil, partner.ErrUnauthorized
	}
	return s.Partners.Authenticate(r.Context(), id, secret, scope)
}

// refusal is how each partner API answers a refused credential, in its own
// seed's vocabulary.
type refusal struct {
	err       error
	status    int             // HTTP status of the risk and KYC APIs
	ocrStatus int             // HTTP status of the credit-report API (its seed answers a rate limit 403)
	ocr       string          // the credit-report API's status
	risk      risk.ReasonCode // the risk API's reason_code
	kyc       kyc.Code        // the KYC API's code
	// message is the refusal's text; internal marks a failure that is
	// not a refusal (the store is down): logged, shown as "internal error".
	message  string
	internal bool
}

// refusals are partner.Service.Authenticate's refusals in every partner API.
var refusals = []refusal{
	{err: partner.ErrUnauthorized, status: http.StatusUnauthorized, ocrStatus: http.StatusUnauthorized, ocr: "UNAUTHORIZED", risk: riskUnauthorized, kyc: kyc.Unauthorized},
	{err: partner.ErrExpired, status: http.StatusUnauthorized, ocrStatus: http.StatusUnauthorized, ocr: "KEY_EXPIRED", risk: riskKeyExpired, kyc: kyc.KeyExpired},
	{err: partner.ErrNoPermission, status: http.StatusForbidden, ocrStatus: http.StatusForbidden, ocr: "NO_PERMISSION", risk: riskNoPermission, kyc: kyc.NoPermission},
	{err: partner.ErrOutOfQuota, status: http.StatusForbidden, ocrStatus: http.StatusForbidden, ocr: "OUT_OF_QUOTA", risk: riskOutOfQuota, kyc: kyc.OutOfQuota},
	{err: partner.ErrRateLimited, status: http.StatusTooManyRequests, ocrStatus: http.StatusForbidden, ocr: "RATE_LIMIT_EXCEEDED", risk: riskRateLimited, kyc: kyc.RateLimited},
}

// partnerRefusal maps an error of partnerAuth to every partner API's
// answer; one that is not a refusal is internal.
func partnerRefusal(err error) refusal {
	for _, f := range refusals {
		if errors.Is(err, f.err) {
			f.message = err.Error()
			return f
		}
	}
	return refusal{err: err, status: http.StatusInternalServerError, ocrStatus: http.StatusInternalServerError,
		ocr: "INTERNAL_ERROR", risk: risk.ReasonInternal, kyc: kyc.InternalError, message: "internal error", internal: true}
}
