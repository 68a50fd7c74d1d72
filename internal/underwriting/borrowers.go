package underwriting

import (
	"context"

	"creditpocket/internal/account"
	"creditpocket/internal/loan"
)

// Borrowers implements loan.Borrowers from the borrower's dossier: one
// read gives the loan engine's checks and the risk event both. It only
// reads; the payout account is registered with the provider when the
// payout needs it (Recipients).
type Borrowers struct {
	Accounts Dossiers
}

// Borrower reads the applicant's dossier.
func (b Borrowers) Borrower(ctx context.Context, userID int64) (*loan.Borrower, error) {
	d, err := b.Accounts.Dossier(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := BorrowerOf(d)
	out.UserID = userID
	return &out, nil
}

// BorrowerOf is what the loan engine and the risk decision know of the
// borrower whose dossier d is.
func BorrowerOf(d *account.Dossier) loan.Borrower {
	u := d.User
	out := loan.Borrower{
		UserID: u.ID, Phone: u.Phone, Mobile: u.Mobile, IDNumber: d.IDNumber, Complete: account.Complete(d.Steps()),
		File: loan.BorrowerFile{CallingCode: u.CallingCode, RegisteredAt: u.CreatedAt, AccountNumber: d.AccountNumber},
	}
	f := &out.File
	if p := d.Profile; p != nil {
		out.Email, out.IDType, out.IDMask = p.Email, p.IDType, p.IDNumberMask
		out.First, out.Middle, out.Last = p.FirstName, p.MiddleName, p.LastName
		f.Gender, f.BirthDate, f.MaritalStatus, f.Education, f.Nationality = p.Gender, p.BirthDate, p.MaritalStatus, p.Education, p.Nationality
		f.IDCountry, f.IDValidDate = p.IDCountry, p.IDValidDate
		f.State, f.City, f.Address = p.State, p.CityCode, p.Address
	}
	if w := d.Work; w != nil {
		f.CompanyName, f.CompanyAddress, f.CompanyPhone, f.Profession = w.CompanyName, w.CompanyAddress, w.CompanyPhone, w.Profession
	}
	for _, c := range d.Contacts {
		f.Contacts = append(f.Contacts, loan.Contact{Name: c.Name, Phone: c.Phone, Relationship: c.Relationship})
	}
	if cr := d.CreditReport; cr != nil {
		f.CreditReport = &loan.CreditReport{OverdueAccounts: cr.OverdueAccounts, LongestOverdueMonths: cr.LongestOverdueMonths,
			BadDebts: cr.BadDebts, QueriesLastMonth: cr.QueriesLastMonth}
	}
	if c := d.Default; c != nil {
		out.Card = loan.Card{ID: c.ID, BankCode: c.BankCode, BankName: c.BankName, AccountMask: c.AccountMask,
			AccountName: c.AccountName, PANMask: c.PANMask, RecipientCode: c.RecipientCode}
	}
	return out
}

// Registrar registers a bank card with the payment provider
// (account.Service implements it).
type Registrar interface {
	EnsureRecipient(ctx context.Context, userID, cardID int64) (*account.BankCard, error)
}

// Recipients implements loan.Recipients with the borrower's account: the
// card is registered with the provider once, and its code reused after.
type Recipients struct {
	Accounts Registrar
}

// Recipient implements loan.Recipients.
func (r Recipients) Recipient(ctx context.Context, userID, cardID int64) (string, error) {
	c, err := r.Accounts.EnsureRecipient(ctx, userID, cardID)
	if err != nil {
		return "", err
	}
	return c.RecipientCode, nil
}
