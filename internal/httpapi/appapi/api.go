// Package appapi is the borrower app's HTTP API (the seed's envelope):
// sign-up and sessions, profile, bank cards, credit reports, products and
// loans, repayments and the payment webhook, with the operator endpoints
// over loans and the sandbox helpers. It contributes its routes to the one
// route table of internal/httpapi (Routes, listed in httpapi.Server.APIs).
package appapi

import (
	"slices"

	"creditpocket/internal/httpapi"
)

// Routes are the app API's endpoints over s's services.
func Routes(s *httpapi.Server) []httpapi.Route {
	a := &api{s}
	return slices.Concat(a.appRoutes(), a.attachRoutes(), a.loanRoutes(), a.payoutRoutes(), a.sandboxRoutes())
}

// api is the core server seen by the app API's handlers: its services,
// settings and answer helpers.
type api struct{ *httpapi.Server }
