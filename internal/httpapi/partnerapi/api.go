// Package partnerapi is the partners' open APIs, each in its seed's own
// vocabulary: the credit-report structuring API, the risk-decision API
// (with its operator endpoints over lists, policies and decisions) and the
// card-binding KYC API (with its review queue). It contributes its routes
// to the one route table of internal/httpapi (Routes, listed in
// httpapi.Server.APIs).
package partnerapi

import (
	"slices"

	"creditpocket/internal/httpapi"
)

// Routes are the partner APIs' endpoints over s's services.
func Routes(s *httpapi.Server) []httpapi.Route {
	a := &api{s}
	return slices.Concat(a.reportRoutes(), a.riskRoutes(), a.kycRoutes())
}

// api is the core server seen by the partner APIs' handlers.
type api struct{ *httpapi.Server }
