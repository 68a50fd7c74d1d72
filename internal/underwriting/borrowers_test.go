package underwriting

import (
	"context"
	"testing"

	"creditpocket/internal/account"
	"creditpocket/internal/loan"
)

// accounts serves one dossier and registers payout accounts.
type accounts struct {
	dossiers
	registered int
}

func (a *accounts) EnsureRecipient(_ context.Context, _, cardID int64) (*account.BankCard, error) {
	a.registered++
	return &account.BankCard{ID: cardID, RecipientCode: "RCP_1"}, nil
}

func TestBorrowersReadTheDossierOnceForTheLoanEngineAndTheDecision(t *testing.T) {
	for _, tc := range []struct {
		name       string
		recipient  string
		registered int
	}{
		{"a registered payout account is used as it is", "RCP_0", 0},
		{"an unregistered payout account is registered first", "", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := dossier()
			d.IDNumber = "22167288734"
			d.Profile.IDNumberMask = "221****8734"
			d.Default.ID, d.Default.BankCode, d.Default.AccountMask, d.Default.RecipientCode = 3, "058", "016****447", tc.recipient
			acc := &accounts{dossiers: dossiers{d: d}}
			b, err := Borrowers{Accounts: acc}.Borrower(context.Background(), 7)
			if err != nil {
				t.Fatal(err)
			}
			if !b.Complete || b.Phone != "2348031230001" || b.IDNumber != "22167288734" || b.IDMask != "221****8734" ||
				b.First != "Hussein" || b.Card.ID != 3 || b.Card.BankName != "GT Bank" || b.Card.RecipientCode == "" {
				t.Fatalf("borrower %+v", b)
			}
			if acc.registered != tc.registered {
				t.Fatalf("registered the payout account %d times, want %d", acc.registered, tc.registered)
			}
			if b.File != d {
				t.Fatal("the dossier was not handed on to the decision")
			}
			// The Decider uses the dossier it is handed instead of reading one.
			dec, _ := newDecider(nil)
			dec.Dossiers = dossiers{err: context.Canceled}
			in := input(loan.Device{})
			in.Borrower = *b
			if _, err := dec.Decide(context.Background(), in); err != nil {
				t.Fatalf("decide with the handed-on dossier: %v", err)
			}
		})
	}
}
