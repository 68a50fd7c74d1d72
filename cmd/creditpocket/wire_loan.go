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
	a.Loans = &loan.Service{
		Store:     loandb.New(a.DB),
		Decider:   decider,
		Outcomes:  a.Decisions,
		Provider:  a.Payments,
		Borrowers: underwriting.Borrowers{Accounts: accounts},
		Photos:    blob.Photos{Store: a.Blobs, Vault: v},
		Location:  loc,
		Log:       a.Log,
		Now:       opt.Now,
		PayoutRetry: loan.PayoutRetry{MaxAttempts: a.Config.Payouts.MaxAttempts,
			Backoff: a.Config.Payouts.Backoff, MaxBackoff: a.Config.Payouts.BackoffMax},
		PaymentSurplus: ledger.Money(a.Config.PaymentSurplus),
		Recipients:     underwriting.Recipients{Accounts: accounts},
	}
	return &httpapi.Loans{Service: a.Loans, Sandbox: a.Payments, WebhookSecret: secret}, nil
}
