package main

import (
	"context"
	"fmt"
	"time"

	"creditpocket/internal/account"
	"creditpocket/internal/blob"
	"creditpocket/internal/httpapi"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/loan/cob"
	"creditpocket/internal/loan/payout"
	"creditpocket/internal/loan/repay"
	"creditpocket/internal/payment"
	"creditpocket/internal/store"
	"creditpocket/internal/store/loandb"
	"creditpocket/internal/store/paymentdb"
	"creditpocket/internal/underwriting"
	"creditpocket/internal/vault"
)

// demoFunding is the lender capital the demo books at the provider, so
// payouts never drive provider cash below zero (ledger verify checks it).
const demoFunding ledger.Money = 1_000_000_000_000_00

// seedLoanDemo seeds the demo products and the demo lender's capital.
func seedLoanDemo(ctx context.Context, db *store.DB) error {
	loans := loandb.New(db)
	if err := loans.SeedProducts(ctx, loan.DemoProducts()); err != nil {
		return fmt.Errorf("seed demo products: %w", err)
	}
	if err := loans.Fund(ctx, "demo-capital", "NGN", demoFunding); err != nil {
		return fmt.Errorf("seed demo funding: %w", err)
	}
	return nil
}

// wireLoans builds the loan engine and its HTTP dependencies.
func (a *App) wireLoans(v *vault.Vault, accounts *account.Service, loc *time.Location, opt Options) (*httpapi.Loans, error) {
	secret := []byte(a.Config.PaymentWebhookSecret)
	if len(secret) == 0 {
		secret = []byte(v.Hash("payment-webhook", "sandbox"))
	}
	base := a.Config.BaseURL()
	a.Payments = &payment.Async{
		Queue: paymentdb.NewEvents(a.DB), Charges: loandb.New(a.DB), Cancelled: paymentdb.NewCancellations(a.DB), Secret: secret, CheckoutBase: base,
		TransferDelay: a.Config.SandboxTransferDelay, Now: opt.Now,
	}
	decider := &underwriting.Decider{
		Decisions: a.Decisions,
		PhotoURL: func(userID int64, key string) string {
			return fmt.Sprintf("%s/console/borrowers/%d/photos/%s", base, userID, key)
		},
		Location: loc,
	}
	store := loandb.New(a.DB)
	clock := loan.Clock{Now: opt.Now, Location: loc}
	outcomes := a.Decisions // loans' outcomes are the risk decisions' feedback
	a.Payouts = &payout.Dispatcher{
		Store:      store,
		Provider:   a.Payments,
		Recipients: underwriting.Recipients{Accounts: accounts},
		Retry: payout.Retry{MaxAttempts: a.Config.Payouts.MaxAttempts,
			Backoff: a.Config.Payouts.Backoff, MaxBackoff: a.Config.Payouts.BackoffMax},
		Clock: clock,
		Log:   a.Log,
	}
	a.Repay = &repay.Service{
		Store:          store,
		Provider:       a.Payments,
		Payouts:        a.Payouts,
		Outcomes:       outcomes,
		PaymentSurplus: ledger.Money(a.Config.PaymentSurplus),
		Clock:          clock,
		Log:            a.Log,
	}
	a.Payouts.Results = a.Repay
	a.COB = &cob.Runner{Store: store, Outcomes: outcomes, Clock: clock, Log: a.Log}
	a.Loans = &loan.Service{
		Store:     store,
		Decider:   decider,
		Outcomes:  outcomes,
		Borrowers: underwriting.Borrowers{Accounts: accounts},
		Photos:    blob.Photos{Store: a.Blobs, Vault: v},
		Payouts:   a.Payouts,
		Location:  loc,
		Log:       a.Log,
		Now:       opt.Now,
	}
	return &httpapi.Loans{Service: a.Loans, Payments: a.Repay, Payouts: a.Payouts, Sandbox: a.Payments, WebhookSecret: secret}, nil
}
