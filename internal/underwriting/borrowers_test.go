package underwriting

import (
	"context"
	"errors"
	"testing"

	"creditpocket/internal/account"
	"creditpocket/internal/errs"
	"creditpocket/internal/loan"
)

// accounts serves one dossier, counting the reads, and registers payout
// accounts, counting the registrations.
type accounts struct {
	dossiers
	read, registered int
	registerErr      error
}

func (a *accounts) Dossier(ctx context.Context, userID int64) (*account.Dossier, error) {
	a.read++
	return a.dossiers.Dossier(ctx, userID)
}

func (a *accounts) EnsureRecipient(_ context.Context, _, cardID int64) (*account.BankCard, error) {
	if a.registerErr != nil {
		return nil, a.registerErr
	}
	a.registered++
	return &account.BankCard{ID: cardID, RecipientCode: "RCP_1"}, nil
}

func TestBorrowersReadTheDossierOnceForTheLoanEngineAndTheDecision(t *testing.T) {
	for _, tc := range []struct {
		name      string
		recipient string
	}{
		{"a registered payout account is handed on with its code", "RCP_0"},
		{"an unregistered payout account is left for the payout to register", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := dossier()
			d.IDNumber = "22167288734"
			d.Profile.IDNumberMask = "221****8734"
			d.Default.ID, d.Default.BankCode, d.Default.AccountMask, d.Default.RecipientCode = 3, "058", "016****447", tc.recipient
			d.CreditReport = &account.CreditReport{BadDebts: 2}
			acc := &accounts{dossiers: dossiers{d: d}}
			b, err := Borrowers{Accounts: acc}.Borrower(context.Background(), 7)
			if err != nil {
				t.Fatal(err)
			}
			if !b.Complete || b.Phone != "2348031230001" || b.IDNumber != "22167288734" || b.IDMask != "221****8734" ||
				b.First != "Hussein" || b.Card.ID != 3 || b.Card.BankName != "GT Bank" || b.Card.RecipientCode != tc.recipient {
				t.Fatalf("borrower %+v", b)
			}
			if acc.read != 1 || acc.registered != 0 {
				t.Fatalf("read the dossier %d times and registered the account %d times, want 1 and 0", acc.read, acc.registered)
			}
			f := b.File
			if f.AccountNumber != "0163505447" || f.CallingCode != 234 || f.Gender != "male" || f.City != "NG-LA-IKJ" ||
				f.CompanyPhone != "2348021112222" || len(f.Contacts) != 3 || f.CreditReport == nil || f.CreditReport.BadDebts != 2 {
				t.Fatalf("the file handed on to the decision: %+v", f)
			}
			// The Decider uses the file it is handed: it has nothing to read one with.
			dec, _ := newDecider()
			in := input(loan.Device{})
			in.Borrower = *b
			if _, err := dec.Decide(context.Background(), in); err != nil {
				t.Fatalf("decide with the handed-on file: %v", err)
			}
		})
	}
}

func TestBorrowersPassReadErrorsOn(t *testing.T) {
	acc := &accounts{dossiers: dossiers{err: errors.New("database down")}}
	if _, err := (Borrowers{Accounts: acc}).Borrower(context.Background(), 7); err == nil {
		t.Fatal("a failed read answered a borrower")
	}
}

func TestRecipientsRegisterTheCardAndAnswerItsCode(t *testing.T) {
	acc := &accounts{}
	code, err := Recipients{Accounts: acc}.Recipient(context.Background(), 7, 3)
	if err != nil || code != "RCP_1" || acc.registered != 1 {
		t.Fatalf("code %q, err %v, %d registrations", code, err, acc.registered)
	}
	acc.registerErr = errs.E(errs.Unavailable, "the payment provider could not register the account; try again later")
	if _, err := (Recipients{Accounts: acc}).Recipient(context.Background(), 7, 3); !errs.Is(err, errs.Unavailable) {
		t.Fatalf("a failed registration answered %v", err)
	}
}
