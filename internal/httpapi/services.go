package httpapi

import (
	"context"
	"io"
	"time"

	"creditpocket/internal/creditreport"
	"creditpocket/internal/loan"
	"creditpocket/internal/loan/payout"
	"creditpocket/internal/loan/repay"
	"creditpocket/internal/payment"
	"creditpocket/internal/risk"
	"creditpocket/internal/risk/decision"
)

// The services the endpoints call, beside those named in Server itself.

// Loans holds what the loan endpoints call.
type Loans struct {
	Service *loan.Service
	// Payments opens checkouts and books the provider's webhooks.
	Payments *repay.Service
	// Payouts retries and cancels failed payouts for operators.
	Payouts *payout.Dispatcher
	// Sandbox is the sandbox payment provider; nil unless it is active,
	// which also hides the /sandbox/payments routes.
	Sandbox       *payment.Async
	WebhookSecret []byte
	// AppCode is the app's "appCode" on loan records.
	AppCode string
}

// RiskAPI holds what the risk-decision endpoints call.
type RiskAPI struct {
	Engine *risk.Engine // the live and shadow policies the operations endpoints publish
	// Decisions decides and stores the partners' events and records their
	// feedback, as it does the loan engine's.
	Decisions *decision.Service
	Store     RiskStore
	Now       func() time.Time // default time.Now; validates event times
}

// RiskStore is the storage the risk operations endpoints read and change
// (lists, policies, stored decisions); the store package implements it.
type RiskStore interface {
	risk.ShadowStore
	Decision(ctx context.Context, sequenceID string) (*risk.Record, error)
	AddListEntry(ctx context.Context, e risk.ListEntry) (risk.ListEntry, error)
	RemoveListEntry(ctx context.Context, id string) error
	ListEntries(ctx context.Context, kind risk.ListKind, list risk.ListName, activeOnly bool) ([]risk.ListEntry, error)
}

// ReportIntake takes in uploaded credit reports: it receives the
// multipart upload within its cap and parses it within the memory budget;
// *intake.Service (internal/creditreport/intake) implements it. Its errors
// are the errs vocabulary's: a file's fault an errs.Invalid on "file" (with
// Unrecognised() true for a file read but not recognised as a report), a
// full memory budget errs.Unavailable; others are internal.
type ReportIntake interface {
	Read(ctx context.Context, contentType string, length int64, body io.Reader) (*creditreport.Report, error)
	ReadJSON(ctx context.Context, contentType string, length int64, body io.Reader) (any, error)
}
