package loan

import (
	"fmt"
	"time"

	"creditpocket/internal/ledger"
)

// Pricing is the price of a loan of a product, each amount named for what
// it is (the app's names, in parentheses, stay in the HTTP views). Quote
// computes it once at application and the loan keeps it frozen.
type Pricing struct {
	ProductID string
	Currency  string
	Cycle     int

	Principal  ledger.Money // principal owed ("balance")
	Disbursed  ledger.Money // paid out at disbursement ("actualBalance" once disbursed)
	ServiceFee ledger.Money // "serviceFee"
	Interest   ledger.Money // contractual interest for one cycle
	PrefixFee  ledger.Money // withheld at disbursement (prefix mode), else 0
	FeesDue    ledger.Money // owed with the repayment besides principal ("suffixFee")
	Due        ledger.Money // Principal + FeesDue: what repays the loan ("shouldbackFee")
	PenaltyCap ledger.Money // most penalty the loan can ever be charged

	DueAt time.Time // now + cycle days, as if disbursed now ("shouldbackTime" of a product)
}

// Quote prices a loan of p applied for at now. It fails on an invalid
// product, or when the loan's worst case — everything owed plus the full
// penalty cap — would not fit in 64 bits; that guarantee lets later
// arithmetic on the loan's receivables assume no overflow.
func Quote(p Product, now time.Time) (Pricing, error) {
	if err := p.Validate(); err != nil {
		return Pricing{}, err
	}
	fail := func(what string, err error) (Pricing, error) {
		return Pricing{}, fmt.Errorf("loan: pricing product %s: %s: %w", p.ID, what, err)
	}
	// Rate ≤ 1e6 and cycle ≤ 3650, so the multiplier fits easily in 64 bits;
	// the product with principal is formed in 128 bits by MulDiv.
	interest, err := ledger.MulDiv(p.Principal, uint64(p.InterestRate)*uint64(p.Cycle), PerMillion)
	if err != nil {
		return fail("interest", err)
	}
	penaltyCap, err := ledger.MulDiv(p.Principal, uint64(p.PenaltyCap), PerMillion)
	if err != nil {
		return fail("penalty cap", err)
	}
	q := Pricing{
		ProductID:  p.ID,
		Currency:   p.Currency,
		Cycle:      p.Cycle,
		Principal:  p.Principal,
		Disbursed:  p.Principal,
		ServiceFee: p.ServiceFee,
		Interest:   interest,
		FeesDue:    interest,
		PenaltyCap: penaltyCap,
	}
	switch p.FeeMode {
	case FeePrefix:
		q.PrefixFee = p.ServiceFee
		q.Disbursed = p.Principal - p.ServiceFee // Validate: fee < principal
	default:
		if q.FeesDue, err = interest.Add(p.ServiceFee); err != nil {
			return fail("suffix fee", err)
		}
	}
	if q.Due, err = p.Principal.Add(q.FeesDue); err != nil {
		return fail("shouldback fee", err)
	}
	if _, err := q.Due.Add(penaltyCap); err != nil {
		return fail("worst-case exposure", err)
	}
	q.DueAt = now.AddDate(0, 0, p.Cycle)
	return q, nil
}
