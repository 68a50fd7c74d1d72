package loan

import (
	"fmt"
	"time"

	"creditpocket/internal/ledger"
)

// Pricing is the price of a loan of a product, in the app's terms. Quote
// computes it once at application and the loan keeps it frozen.
type Pricing struct {
	ProductID string
	Currency  string
	Cycle     int

	Balance       ledger.Money // principal owed ("balance")
	ActualBalance ledger.Money // paid out at disbursement ("actualBalance" once disbursed)
	ServiceFee    ledger.Money // "serviceFee"
	Interest      ledger.Money // contractual interest for one cycle
	PrefixFee     ledger.Money // withheld at disbursement (prefix mode), else 0
	SuffixFee     ledger.Money // owed with the repayment besides principal ("suffixFee")
	ShouldbackFee ledger.Money // balance + suffixFee ("shouldbackFee")
	PenaltyCap    ledger.Money // most penalty the loan can ever be charged

	ShouldbackTime time.Time // now + cycle days, as if disbursed now
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
		ProductID:     p.ID,
		Currency:      p.Currency,
		Cycle:         p.Cycle,
		Balance:       p.Principal,
		ActualBalance: p.Principal,
		ServiceFee:    p.ServiceFee,
		Interest:      interest,
		SuffixFee:     interest,
		PenaltyCap:    penaltyCap,
	}
	switch p.FeeMode {
	case FeePrefix:
		q.PrefixFee = p.ServiceFee
		q.ActualBalance = p.Principal - p.ServiceFee // Validate: fee < principal
	default:
		if q.SuffixFee, err = interest.Add(p.ServiceFee); err != nil {
			return fail("suffix fee", err)
		}
	}
	if q.ShouldbackFee, err = p.Principal.Add(q.SuffixFee); err != nil {
		return fail("shouldback fee", err)
	}
	if _, err := q.ShouldbackFee.Add(penaltyCap); err != nil {
		return fail("worst-case exposure", err)
	}
	q.ShouldbackTime = now.AddDate(0, 0, p.Cycle)
	return q, nil
}
