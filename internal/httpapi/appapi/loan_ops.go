// The payment provider's webhook, the operators' loan endpoints (a loan in
// full, the review queue and its decisions) and the sandbox payment helpers.

package appapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"creditpocket/internal/errs"
	"creditpocket/internal/httpapi"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/payment"
)

// loanNow is the loan engine's clock (a test's settable one), which the
// sandbox also signs its webhooks with.
func (s *api) loanNow() time.Time {
	if l := s.Loans; l.Service != nil && l.Service.Now != nil {
		return l.Service.Now()
	}
	return time.Now()
}

type webhookReceipt struct {
	Received bool   `json:"received"`
	Event    string `json:"event"`
}

// webhook verifies and applies a provider event. It answers 200 for
// events it has seen before, so the provider stops retrying them.
func (s *api) webhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, payment.MaxWebhookBody))
	if err != nil {
		httpapi.WriteErr(w, &errs.Error{Code: errs.TooLarge, Field: "body", Message: fmt.Sprintf("must be at most %d bytes", payment.MaxWebhookBody)})
		return
	}
	ev, err := payment.VerifyWebhook(r.Header, body, s.loanNow(), s.Loans.WebhookSecret)
	if err != nil {
		s.Logger(r.Context()).Warn("webhook refused", "err", err)
		var we *payment.WebhookError
		if errors.As(err, &we) {
			err = errs.E(errs.Unauthenticated, "%v", err)
		}
		httpapi.WriteErr(w, err)
		return
	}
	err = s.Loans.Payments.HandlePayment(r.Context(), loan.PaymentResult{
		Reference: ev.Data.Reference, Succeeded: ev.Succeeded(), Amount: ledger.Money(ev.Data.Amount), Reason: ev.Data.Reason,
		Code: ev.Data.FailureCode, Retriable: payment.Retriable(ev.Data.FailureCode),
	})
	if errs.Is(err, errs.NotFound) {
		s.Logger(r.Context()).Warn("webhook for an unknown payment", "reference", ev.Data.Reference, "event", ev.ID)
		err = nil
	}
	if errs.Is(err, errs.Invalid) || errs.Is(err, errs.Conflict) {
		// The provider says money moved and nothing was booked: staff
		// must see it.
		s.Logger(r.Context()).Warn("webhook payment refused", "reference", ev.Data.Reference, "event", ev.ID,
			"amount", ev.Data.Amount, "err", err)
	}
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	httpapi.WriteOK(w, webhookReceipt{Received: true, Event: ev.ID})
}

// opsLoanView is a loan for operators: the app's record plus what only
// staff see.
type opsLoanView struct {
	Loan              loanView `json:"loan"`
	RiskSequenceID    string   `json:"riskSequenceId"` // "" when the risk engine did not decide it
	DeviceConsentTime string   `json:"deviceConsentTime"`
	// Credit is money held for the borrower (overpayments, and payments
	// that arrived on closed checkouts) until it is refunded.
	Credit   string           `json:"credit"`
	Payments []opsPaymentView `json:"payments"`
}

// opsPaymentView is one of a loan's payments, for operators.
type opsPaymentView struct {
	Reference string `json:"reference"`
	Kind      string `json:"kind"` // disbursement | repayment | extension
	Amount    string `json:"amount"`
	Paid      string `json:"paid"`
	Status    string `json:"status"` // pending | success | failed | superseded | closed | credited
	Failure   string `json:"failure"`
	// ClosedReason says why a checkout closed before it was paid.
	ClosedReason string `json:"closedReason"`
	// ArrivedOnClosedCheckout marks money that came on a closed checkout:
	// applied to the debt while the loan owed, else kept as credit.
	ArrivedOnClosedCheckout bool   `json:"arrivedOnClosedCheckout"`
	CreatedTime             string `json:"createdTime"`
	UpdatedTime             string `json:"updatedTime"`
}

func (s *api) opsLoan(r *http.Request) (any, error) {
	id, err := loan.ParseID("id", r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	l, err := s.Loans.Service.AnyLoan(r.Context(), id)
	if err != nil {
		return nil, err
	}
	ps, err := s.Loans.Service.Payments(r.Context(), l.ID)
	if err != nil {
		return nil, err
	}
	v := opsLoanView{Loan: s.loanView(*l), RiskSequenceID: l.RiskSequenceID, DeviceConsentTime: s.TimeText(l.DeviceConsentAt),
		Credit: l.Credit.String(), Payments: make([]opsPaymentView, len(ps))}
	for i, p := range ps {
		v.Payments[i] = opsPaymentView{Reference: p.Reference, Kind: p.Kind, Amount: p.Amount.String(), Paid: p.Paid.String(),
			Status: p.Status, Failure: p.Failure, ClosedReason: p.ClosedReason, ArrivedOnClosedCheckout: p.ArrivedOnClosedCheckout(),
			CreatedTime: s.TimeText(p.CreatedAt), UpdatedTime: s.TimeText(p.UpdatedAt)}
	}
	return v, nil
}

func (s *api) reviewQueue(r *http.Request) (any, error) {
	p, err := httpapi.PageRequest(r)
	if err != nil {
		return nil, err
	}
	res, err := s.Loans.Service.ReviewQueue(r.Context(), p)
	if err != nil {
		return nil, err
	}
	return httpapi.ListOf(res.Items, res.Total, s.loanView), nil
}

type reviewReq struct {
	Reviewer string `json:"reviewer"`
	Reason   string `json:"reason"`
}

func (s *api) review(approve bool) httpapi.HandlerFunc {
	return func(r *http.Request) (any, error) {
		id, err := loan.ParseID("id", r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		var req reviewReq
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
			return nil, err
		}
		if req.Reviewer == "" || len(req.Reviewer) > 64 {
			return nil, errs.InvalidField("reviewer", "must be 1–64 characters")
		}
		if len(req.Reason) > 256 {
			return nil, errs.InvalidField("reason", "must be at most 256 characters")
		}
		l, err := s.Loans.Service.Decide(r.Context(), loan.ManualDecision{LoanID: id, Reviewer: req.Reviewer, Approve: approve, Reason: req.Reason})
		if err != nil {
			return nil, err
		}
		return s.loanView(*l), nil
	}
}

type sandboxPayReq struct {
	Amount string `json:"amount"`
	Reason string `json:"reason"`
	Code   string `json:"code"`
}

func (s *api) sandboxComplete(r *http.Request) (any, error) {
	var req sandboxPayReq
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
		return nil, err
	}
	ref, err := sandboxReference(r)
	if err != nil {
		return nil, err
	}
	var amount ledger.Money
	if req.Amount != "" {
		if amount, err = ledger.ParseAmount(req.Amount); err != nil {
			return nil, errs.InvalidField("amount", "%v", err)
		}
		// Refused now, as a provider refuses a payment it cannot take,
		// rather than by the webhook the sandbox would then retry.
		if err := s.Loans.Payments.CheckPayment(r.Context(), ref, amount); err != nil {
			return nil, err
		}
	}
	return nil, s.Loans.Sandbox.Complete(r.Context(), ref, amount)
}

func (s *api) sandboxFail(r *http.Request) (any, error) {
	var req sandboxPayReq
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
		return nil, err
	}
	if len(req.Reason) > 256 {
		return nil, errs.InvalidField("reason", "must be at most 256 characters")
	}
	if strings.ContainsFunc(req.Reason, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
		return nil, errs.InvalidField("reason", "must not contain control characters")
	}
	ref, err := sandboxReference(r)
	if err != nil {
		return nil, err
	}
	return nil, s.Loans.Sandbox.Fail(r.Context(), ref, req.Reason, req.Code)
}

type checkoutView struct {
	Reference string `json:"reference"`
	Kind      string `json:"kind"`
	Amount    string `json:"amount"`
}

// sandboxReference is the payment reference a sandbox route names: text
// without control characters (a NUL is refused by PostgreSQL).
func sandboxReference(r *http.Request) (string, error) {
	ref := r.PathValue("reference")
	if len(ref) > 128 || !utf8.ValidString(ref) || strings.ContainsFunc(ref, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
		return "", errs.InvalidField("reference", "must be at most 128 characters of UTF-8 text without control characters")
	}
	return ref, nil
}

func (s *api) sandboxCheckout(r *http.Request) (any, error) {
	ref, err := sandboxReference(r)
	if err != nil {
		return nil, err
	}
	kind, amount, err := s.Loans.Sandbox.Charges.PaymentExists(r.Context(), ref)
	if err != nil {
		return nil, err
	}
	return checkoutView{Reference: ref, Kind: kind, Amount: strconv.FormatInt(amount, 10)}, nil
}
