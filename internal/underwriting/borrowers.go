package underwriting

import (
	"context"
	"fmt"

	"creditpocket/internal/account"
	"creditpocket/internal/loan"
)

// Accounts is what Borrowers reads from the borrower's account
// (account.Service implements it).
type Accounts interface {
	Dossiers
	// EnsureRecipient registers a bank card with the payment provider.
	EnsureRecipient(ctx context.Context, userID, cardID int64) (*account.BankCard, error)
}

// Borrowers implements loan.Borrowers from the borrower's dossier, which
// it hands on in Borrower.File: an application reads the file once for
// the loan engine's checks and the risk event both.
type Borrowers struct {
	Accounts Accounts
}

// Borrower reads the applicant's dossier and registers their default
// bank card with the payment provider if that was not done yet.
func (b Borrowers) Borrower(ctx context.Context, userID int64) (*loan.Borrower, error) {
	d, err := b.Accounts.Dossier(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := &loan.Borrower{
		UserID: userID, Phone: d.User.Phone, Mobile: d.User.Mobile,
		IDNumber: d.IDNumber, Complete: account.Complete(d.Steps()), File: d,
	}
	if p := d.Profile; p != nil {
		out.Email, out.IDType, out.IDMask = p.Email, p.IDType, p.IDNumberMask
		out.First, out.Middle, out.Last = p.FirstName, p.MiddleName, p.LastName
	}
	if c := d.Default; c != nil {
		if c.RecipientCode == "" {
			reg, err := b.Accounts.EnsureRecipient(ctx, userID, c.ID)
			if err != nil {
				return nil, fmt.Errorf("underwriting: register the payout account of borrower %d: %w", userID, err)
			}
			c.RecipientCode = reg.RecipientCode
		}
		out.Card = loan.Card{ID: c.ID, BankCode: c.BankCode, BankName: c.BankName, AccountMask: c.AccountMask,
			AccountName: c.AccountName, PANMask: c.PANMask, RecipientCode: c.RecipientCode}
	}
	return out, nil
}
