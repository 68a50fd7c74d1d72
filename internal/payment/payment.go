// Package payment talks to payment providers: transfer recipients and
// micro-deposits (Sandbox), payouts and repayment checkouts whose outcome
// arrives later by webhook (Async), and the verification of those
// webhooks, signed with the Standard Webhooks scheme of package webhook
// and decoded strictly. The sandbox provider behaves like a real one but
// moves no money.
package payment

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"creditpocket/internal/account"
	"creditpocket/internal/errs"
)

// Recipient is a registered payout destination at the provider.
type Recipient struct {
	Code        string
	Provider    string
	BankCode    string
	AccountHash string
	Name        string
	CreatedAt   time.Time
}

// RecipientStore keeps the sandbox provider's recipients.
type RecipientStore interface {
	// CreateRecipient stores r unless the account is registered already,
	// and returns the stored recipient either way.
	CreateRecipient(ctx context.Context, r *Recipient) (*Recipient, error)
}

// Sandbox is the default provider: deterministic, local, no money moves.
type Sandbox struct {
	Recipients RecipientStore
	Now        func() time.Time
}

const sandboxName = "sandbox"

var _ account.Payments = (*Sandbox)(nil)

// CreateRecipient registers an account once; as with real providers, the same bank
// account again returns the same recipient code.
func (s *Sandbox) CreateRecipient(ctx context.Context, r account.Recipient) (string, error) {
	if r.BankCode == "" || r.AccountHash == "" {
		return "", errs.E(errs.Invalid, "recipient needs a bank code and account")
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	got, err := s.Recipients.CreateRecipient(ctx, &Recipient{
		Code: "RCP_" + randomHex(8), Provider: sandboxName, BankCode: r.BankCode, AccountHash: r.AccountHash,
		Name: r.Name, CreatedAt: now().UTC(),
	})
	if err != nil {
		return "", err
	}
	return got.Code, nil
}

// SendMicroDeposit pretends to pay amount to the account and returns a
// transfer reference. The sandbox books nothing: no money leaves.
func (s *Sandbox) SendMicroDeposit(ctx context.Context, r account.Recipient, amount int64) (string, error) {
	if amount <= 0 {
		return "", errs.E(errs.Invalid, "micro-deposit must be positive")
	}
	return "TRF_" + randomHex(8), nil
}

// Sandbox reports true: test values may be shown.
func (s *Sandbox) Sandbox() bool { return true }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
