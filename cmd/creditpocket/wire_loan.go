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
	"creditpocket/internal/underwriting"
	"creditpocket/internal/vault"
)

// demoFunding is the lender capital the demo books at the provider, so
// payouts never drive provider cash below zero (ledger verify checks it).
const demoFunding ledger.Money = 1_000_000_000_000_00

// seedLoanDemo seeds the demo products and the demo lender's capital.
func seedLoanDemo(ctx context.Context, db *store.DB) error {
	if err := db.SeedProducts(ctx, loan.DemoProducts()); err != nil {
		return fmt.Errorf("seed demo products: %w", err)
	}
	if err := db.Fund(ctx, "demo-capital", "NGN", demoFunding); err != nil {
		return fmt.Errorf("seed demo funding: %w", err)
	}
	return nil
}

// wireLoans builds the loan engine and its HTTP dependencies.
func (a *App) wireLoans(v *vault.Vault, accounts *account.Service, loc *time.Location, opt Options) (*httpapi.Loans, error) {
	secret := []byte(opt.WebhookSecret)
	if len(secret) == 0 {
		secret = []byte(v.Hash("payment-webhook", "sandbox"))
	}
	base := a.Config.BaseURL()
	a.Payments = &payment.Async{
		Queue: a.DB.SandboxEvents(), Charges: a.DB, Cancelled: a.DB.SandboxCheckouts(), Secret: secret, CheckoutBase: base,
		TransferDelay: opt.TransferDelay, Now: opt.Now,
	}
	decider := &underwriting.Decider{
		Decisions: a.Decisions,
		Dossiers:  accounts,
		PhotoURL: func(userID int64, key string) string {
			return fmt.Sprintf("%s/console/borrowers/%d/photos/%s", base, userID, key)
		},
		Location: loc,
	}
	a.Loans = &loan.Service{
		Store:     a.DB.Loans(),
		Decider:   decider,
		Outcomes:  a.Decisions,
		Provider:  a.Payments,
		Borrowers: underwriting.Borrowers{Accounts: accounts},
		Photos:    photos{blobs: a.Blobs, vault: v},
		Location:  loc,
		Log:       a.Log,
		Now:       opt.Now,
		PayoutRetry: loan.PayoutRetry{MaxAttempts: a.Config.Payouts.MaxAttempts,
			Backoff: a.Config.Payouts.Backoff, MaxBackoff: a.Config.Payouts.BackoffMax},
		PaymentSurplus: ledger.Money(a.Config.PaymentSurplus),
	}
	return &httpapi.Loans{Service: a.Loans, Sandbox: a.Payments, WebhookSecret: secret}, nil
}

// photos seals application photos into the blob store.
type photos struct {
	blobs blob.Store
	vault *vault.Vault
}

func (p photos) PutPhoto(ctx context.Context, userID int64, data []byte) (string, error) {
	sealed, err := p.vault.Seal(data, []byte(fmt.Sprintf("loan.photo:%d", userID)))
	if err != nil {
		return "", err
	}
	return p.blobs.Put(ctx, sealed)
}

func (p photos) DeletePhoto(ctx context.Context, key string) error { return p.blobs.Delete(ctx, key) }
