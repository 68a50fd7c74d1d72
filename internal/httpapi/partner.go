package httpapi

import (
	"net/http"

	"creditpocket/internal/partner"
)

// partnerCredentialFields documents the ways a partner may authenticate.
var partnerCredentialFields = []field{
	{name: "X-API-ID", typ: "string", desc: "Header: partner id from 'creditpocket partner create' (or X-DF-API-ID, or the partner_code query parameter)"},
	{name: "X-API-SECRET", typ: "string", desc: "Header: partner secret (or X-DF-API-SECRET, or the partner_key query parameter)"},
}

// partnerAuth authenticates a partner call for scope. Every partner API
// accepts X-API-ID/X-API-SECRET; the seeds' own names are accepted too:
// X-DF-API-ID/X-DF-API-SECRET (credit-report API) and the partner_code /
// partner_key query parameters (risk API).
func (s *Server) partnerAuth(r *http.Request, scope partner.Scope) (*partner.Partner, error) {
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
