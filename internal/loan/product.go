package loan

import (
	"fmt"

	"creditpocket/internal/errs"
	"creditpocket/internal/ledger"
)

// Rate is a rate in parts per million: 5000 is 0.5 %.
type Rate int64

// PerMillion is the denominator of Rate.
const PerMillion = 1_000_000

func (r Rate) String() string { return fmt.Sprintf("%dppm", int64(r)) }

// FeeMode says when the service fee is collected.
type FeeMode string

const (
	// FeeSuffix collects the service fee with the repayment.
	FeeSuffix FeeMode = "suffix"
	// FeePrefix withholds the service fee from the payout, so the
	// borrower receives actualBalance = balance − serviceFee.
	FeePrefix FeeMode = "prefix"
)

// Bounds on product terms: they keep every price computable without
// overflow checks failing on sane input, and catch typos (a 5 % daily rate
// entered as 50000000).
const (
	MaxCycleDays       = 3650
	MaxDailyRate  Rate = PerMillion      // 100 % a day
	MaxPenaltyCap Rate = 10 * PerMillion // 1000 % of principal
)

// Product is a loan offer. A loan snapshots the product when it is applied
// for (Loan.Product), so editing a product never reprices existing loans.
type Product struct {
	ID       string
	Name     string
	Currency string // ISO 4217, e.g. "NGN"

	Principal    ledger.Money // the app's "balance"
	Cycle        int          // term in days
	InterestRate Rate         // per day, on principal
	ServiceFee   ledger.Money // flat, per loan
	FeeMode      FeeMode

	// PenaltyRate is charged per overdue day on the outstanding principal
	// at close of business; PenaltyCap bounds the penalty charged over the
	// loan's whole life, as a share of the original principal.
	PenaltyRate Rate
	PenaltyCap  Rate

	// ExtensionFee is paid to move the due date by one Cycle; zero means
	// the product cannot be extended.
	ExtensionFee ledger.Money

	// MinSettledLoans is how many loans a borrower must have settled
	// before this product is offered (the seed's loanCount ladder).
	MinSettledLoans int
	OnSale          bool
}

// Validate checks the product's terms. Errors are errs.Invalid with the
// offending field named.
func (p Product) Validate() error {
	fail := func(field, rule string, args ...any) error {
		return errs.WithField("product", errs.InvalidField(field, rule, args...))
	}
	switch {
	case p.ID == "":
		return fail("id", "is required")
	case len(p.Currency) != 3:
		return fail("currency", "must be a 3-letter ISO 4217 code, got %q", p.Currency)
	case p.Principal <= 0:
		return fail("balance", "must be positive, got %d", p.Principal)
	case p.Principal > ledger.MaxAmount:
		return fail("balance", "must be at most %d minor units, got %d", ledger.MaxAmount, p.Principal)
	case p.ServiceFee > ledger.MaxAmount:
		return fail("serviceFee", "must be at most %d minor units, got %d", ledger.MaxAmount, p.ServiceFee)
	case p.ExtensionFee > ledger.MaxAmount:
		return fail("extensionFee", "must be at most %d minor units, got %d", ledger.MaxAmount, p.ExtensionFee)
	case p.Cycle < 1 || p.Cycle > MaxCycleDays:
		return fail("cycle", "must be 1–%d days, got %d", MaxCycleDays, p.Cycle)
	case p.InterestRate < 0 || p.InterestRate > MaxDailyRate:
		return fail("interestRate", "must be 0–%d ppm a day, got %d", MaxDailyRate, p.InterestRate)
	case p.ServiceFee < 0:
		return fail("serviceFee", "must not be negative, got %d", p.ServiceFee)
	case p.FeeMode != FeeSuffix && p.FeeMode != FeePrefix:
		return fail("feeMode", "must be %q or %q, got %q", FeeSuffix, FeePrefix, p.FeeMode)
	case p.FeeMode == FeePrefix && p.ServiceFee >= p.Principal:
		return fail("serviceFee", "a prefix fee of %d leaves nothing of the balance %d to pay out", p.ServiceFee, p.Principal)
	case p.PenaltyRate < 0 || p.PenaltyRate > MaxDailyRate:
		return fail("penaltyRate", "must be 0–%d ppm a day, got %d", MaxDailyRate, p.PenaltyRate)
	case p.PenaltyCap < 0 || p.PenaltyCap > MaxPenaltyCap:
		return fail("penaltyCap", "must be 0–%d ppm of principal, got %d", MaxPenaltyCap, p.PenaltyCap)
	case p.ExtensionFee < 0:
		return fail("extensionFee", "must not be negative, got %d", p.ExtensionFee)
	case p.MinSettledLoans < 0:
		return fail("loanCount", "must not be negative, got %d", p.MinSettledLoans)
	}
	return nil
}

// DemoProducts returns the products of the seed's sample loans, priced so
// that Quote reproduces their serviceFee, suffixFee and shouldbackFee to
// the unit (0.5 % a day interest, flat service fees, suffix mode). The
// penalty (1 % a day, capped at 30 % of principal), the extension fees
// (20 % of principal) and the loan-count ladder are demo choices the seed
// does not show. The foundation seeds them into the database.
func DemoProducts() []Product {
	demo := func(id string, principal ledger.Money, cycle int, fee ledger.Money, minSettled int) Product {
		return Product{
			ID:              id,
			Name:            fmt.Sprintf("CycleCash %s, %d days", id, cycle),
			Currency:        "NGN",
			Principal:       principal,
			Cycle:           cycle,
			InterestRate:    5000,
			ServiceFee:      fee,
			FeeMode:         FeeSuffix,
			PenaltyRate:     10000,
			PenaltyCap:      300000,
			ExtensionFee:    principal / 5,
			MinSettledLoans: minSettled,
			OnSale:          true,
		}
	}
	return []Product{
		demo("301", 600000, 7, 229000, 0),
		demo("302", 800000, 7, 302000, 1),
		demo("306", 1600000, 7, 604000, 2),
		demo("375", 1600000, 14, 778000, 3),
	}
}
