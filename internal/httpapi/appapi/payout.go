package appapi

import (
	"net/http"

	"creditpocket/internal/httpapi"
	"creditpocket/internal/loan"
)

// sandboxRoutes read what the sandbox SMS provider sent (dev mode only:
// the core drops /sandbox/* routes otherwise).
func (s *api) sandboxRoutes() []httpapi.Route {
	var rs []httpapi.Route
	if s.SMS != nil {
		rs = append(rs, httpapi.Route{Method: "GET", Path: "/sandbox/sms", Tag: "Sandbox", Summary: "Messages the sandbox SMS provider sent to a phone, newest first (only while the sandbox provider is active).",
			Query: []httpapi.Field{{Name: "phone", Type: "string", Required: true, Desc: "E.164 digits without '+', e.g. 2347068425023"}}, Response: "list of sms", Handle: s.App(s.sandboxSMS)})
	}
	return rs
}

// payoutRoutes are the operator's actions on a failed payout (status 33).
func (s *api) payoutRoutes() []httpapi.Route {
	if s.Loans == nil {
		return nil
	}
	return []httpapi.Route{
		{Method: "POST", Path: "/ops/loans/{id}/payout/retry", Tag: "Operations",
			Summary: "Send a failed payout (status 33) again now, as a new attempt, whatever automatic attempts are left; the loan goes back to disbursing (5). 409 when the loan is not in status 33 (a concurrent retry or cancel won, or its payout never failed). Operator token required.",
			Body:    []httpapi.Field{payoutOperatorField, {Name: "reason", Type: "string", Desc: "Why, at most 500 characters"}}, Response: "loan record", Handle: s.Ops(s.payoutAction(false))},
		{Method: "POST", Path: "/ops/loans/{id}/payout/cancel", Tag: "Operations",
			Summary: "Give up a failed payout (status 33): the loan is cancelled (11) with nothing owed, its automatic retry is dropped, the borrower is told and may apply again. Nothing is booked before a payout succeeds, so there is nothing to reverse. 409 when the loan is not in status 33. Operator token required.",
			Body:    []httpapi.Field{payoutOperatorField, {Name: "reason", Type: "string", Required: true, Desc: "Why the payout is given up (shown on the loan's timeline), at most 500 characters"}}, Response: "loan record", Handle: s.Ops(s.payoutAction(true))},
	}
}

var payoutOperatorField = httpapi.Field{Name: "operator", Type: "string", Required: true, Desc: "Who acts (1–64 characters), recorded on the loan's timeline"}

type payoutReq struct {
	Operator string `json:"operator"`
	Reason   string `json:"reason"`
}

func (s *api) payoutAction(cancel bool) httpapi.HandlerFunc {
	return func(r *http.Request) (any, error) {
		id, err := loan.ParseID("id", r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		var req payoutReq
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return nil, err
		}
		a := loan.PayoutAction{LoanID: id, Operator: req.Operator, Reason: req.Reason}
		act := s.Loans.Payouts.RetryDisbursement
		if cancel {
			act = s.Loans.Payouts.CancelPayout
		}
		l, err := act(r.Context(), a)
		if err != nil {
			return nil, err
		}
		return s.loanView(*l), nil
	}
}
