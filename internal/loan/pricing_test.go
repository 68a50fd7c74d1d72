package loan

import (
	"errors"
	"math"
	"testing"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/ledger"
)

var appliedAt = time.Date(2022, 1, 15, 15, 34, 51, 0, time.UTC)

func demo(t testing.TB, id string) Product {
	t.Helper()
	for _, p := range DemoProducts() {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("no demo product %s", id)
	return Product{}
}

// The seed's sample loans, field for field.
func TestQuoteReproducesTheSeedLoans(t *testing.T) {
	tests := []struct {
		product                              string
		balance                              ledger.Money
		cycle                                int
		serviceFee, suffixFee, shouldbackFee ledger.Money
	}{
		{"301", 600000, 7, 229000, 250000, 850000},
		{"302", 800000, 7, 302000, 330000, 1130000},
		{"306", 1600000, 7, 604000, 660000, 2260000},
		{"375", 1600000, 14, 778000, 890000, 2490000},
	}
	for _, tc := range tests {
		t.Run("product "+tc.product+" prices as in the seed", func(t *testing.T) {
			q, err := Quote(demo(t, tc.product), appliedAt)
			if err != nil {
				t.Fatal(err)
			}
			got := [...]ledger.Money{q.Principal, q.Disbursed, q.ServiceFee, q.FeesDue, q.Due}
			want := [...]ledger.Money{tc.balance, tc.balance, tc.serviceFee, tc.suffixFee, tc.shouldbackFee}
			if got != want {
				t.Errorf("balance, actualBalance, serviceFee, suffixFee, shouldbackFee = %v, want %v", got, want)
			}
			if q.Cycle != tc.cycle {
				t.Errorf("cycle = %d, want %d", q.Cycle, tc.cycle)
			}
			if want := appliedAt.AddDate(0, 0, tc.cycle); !q.DueAt.Equal(want) {
				t.Errorf("shouldbackTime = %v, want %v", q.DueAt, want)
			}
		})
	}
}

func TestQuoteRoundsInterestHalfUp(t *testing.T) {
	tests := []struct {
		name      string
		principal ledger.Money
		rate      Rate
		cycle     int
		want      ledger.Money
	}{
		{"rounds exactly half a unit up", 100, 5000, 1, 1},     // 0.5
		{"rounds just under half a unit down", 99, 5000, 1, 0}, // 0.495
		{"rounds 1.665 up", 333, 5000, 1, 2},
		{"rounds 2.331 down", 333, 1000, 7, 2},
		{"rounds over the whole cycle, not per day", 101, 5000, 3, 2}, // 1.515; per day would give 3
		{"charges nothing at rate zero", 1600000, 0, 14, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := demo(t, "301")
			p.Principal, p.InterestRate, p.Cycle, p.ServiceFee = tc.principal, tc.rate, tc.cycle, 0
			q, err := Quote(p, appliedAt)
			if err != nil {
				t.Fatal(err)
			}
			if q.Interest != tc.want || q.FeesDue != tc.want {
				t.Errorf("interest, suffixFee = %d, %d; want %d", q.Interest, q.FeesDue, tc.want)
			}
		})
	}
}

func TestQuoteFeeModes(t *testing.T) {
	suffix := demo(t, "306")
	prefix := suffix
	prefix.FeeMode = FeePrefix
	tests := []struct {
		name                                               string
		p                                                  Product
		actualBalance, prefixFee, suffixFee, shouldbackFee ledger.Money
	}{
		{"suffix mode pays out the whole balance and collects the fee later", suffix, 1600000, 0, 660000, 2260000},
		{"prefix mode withholds the fee and collects only interest later", prefix, 996000, 604000, 56000, 1656000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Quote(tc.p, appliedAt)
			if err != nil {
				t.Fatal(err)
			}
			got := [...]ledger.Money{q.Disbursed, q.PrefixFee, q.FeesDue, q.Due}
			want := [...]ledger.Money{tc.actualBalance, tc.prefixFee, tc.suffixFee, tc.shouldbackFee}
			if got != want {
				t.Errorf("actualBalance, prefixFee, suffixFee, shouldbackFee = %v, want %v", got, want)
			}
		})
	}
}

func TestQuoteNearTheLimits(t *testing.T) {
	base := Product{ID: "big", Currency: "NGN", Cycle: 1, FeeMode: FeeSuffix}
	tests := []struct {
		name    string
		mutate  func(*Product)
		refused string // the field named when the product is refused
	}{
		{"prices the largest principal at rate zero", func(p *Product) { p.Principal = ledger.MaxAmount }, ""},
		// 1e15 × 1e6 × 3650 ≈ 3.7e24 overflows int64 before the division;
		// the result, 3.65e18, fits: with every term at its bound, every
		// price (and the penalty cap) stays within 64 bits.
		{"prices every term at its bound without overflow", func(p *Product) {
			p.Principal, p.InterestRate, p.Cycle = ledger.MaxAmount, MaxDailyRate, MaxCycleDays
			p.ServiceFee, p.PenaltyCap, p.ExtensionFee = ledger.MaxAmount, MaxPenaltyCap, ledger.MaxAmount
		}, ""},
		{"refuses a principal above MaxAmount", func(p *Product) { p.Principal = math.MaxInt64 }, "product.balance"},
		{"refuses a service fee above MaxAmount", func(p *Product) {
			p.Principal, p.InterestRate, p.ServiceFee = 1_000_000, 5000, math.MaxInt64
		}, "product.serviceFee"},
		{"refuses an extension fee above MaxAmount", func(p *Product) {
			p.Principal, p.ExtensionFee = 1_000_000, ledger.MaxAmount+1
		}, "product.extensionFee"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := base
			tc.mutate(&p)
			q, err := Quote(p, appliedAt)
			if tc.refused != "" {
				var e *errs.Error
				if !errors.As(err, &e) || e.Code != errs.Invalid || e.Field != tc.refused {
					t.Fatalf("Quote = %+v, %v; want errs.Invalid naming %s", q, err, tc.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if q.Due < q.Principal {
				t.Errorf("shouldbackFee %d < balance %d", q.Due, q.Principal)
			}
		})
	}
}

func TestProductValidate(t *testing.T) {
	tests := []struct {
		field  string
		mutate func(*Product)
	}{
		{"id", func(p *Product) { p.ID = "" }},
		{"currency", func(p *Product) { p.Currency = "naira" }},
		{"balance", func(p *Product) { p.Principal = 0 }},
		{"cycle", func(p *Product) { p.Cycle = 0 }},
		{"cycle", func(p *Product) { p.Cycle = MaxCycleDays + 1 }},
		{"interestRate", func(p *Product) { p.InterestRate = -1 }},
		{"interestRate", func(p *Product) { p.InterestRate = MaxDailyRate + 1 }},
		{"serviceFee", func(p *Product) { p.ServiceFee = -1 }},
		{"feeMode", func(p *Product) { p.FeeMode = "midfix" }},
		{"serviceFee", func(p *Product) { p.FeeMode, p.ServiceFee = FeePrefix, p.Principal }},
		{"penaltyRate", func(p *Product) { p.PenaltyRate = -1 }},
		{"penaltyCap", func(p *Product) { p.PenaltyCap = MaxPenaltyCap + 1 }},
		{"extensionFee", func(p *Product) { p.ExtensionFee = -1 }},
		{"loanCount", func(p *Product) { p.MinSettledLoans = -1 }},
	}
	for _, tc := range tests {
		t.Run("rejects a bad "+tc.field, func(t *testing.T) {
			p := demo(t, "301")
			tc.mutate(&p)
			err := p.Validate()
			var e *errs.Error
			if !errors.As(err, &e) || e.Code != errs.Invalid || e.Field != "product."+tc.field {
				t.Fatalf("Validate() = %#v, want invalid product.%s", err, tc.field)
			}
		})
	}
	for _, p := range DemoProducts() {
		if err := p.Validate(); err != nil {
			t.Errorf("demo product %s: %v", p.ID, err)
		}
	}
}

func TestLoanKeepsItsPricingWhenTheProductChanges(t *testing.T) {
	p := demo(t, "306")
	l, err := Apply(1, 3, p, appliedAt)
	if err != nil {
		t.Fatal(err)
	}
	p.ServiceFee, p.InterestRate, p.PenaltyRate = 1, 1, 1 // the product is edited later
	if l.Pricing.Due != 2260000 || l.Product.PenaltyRate != 10000 {
		t.Errorf("loan repriced: %+v", l.Pricing)
	}
}

func TestApplyRejects(t *testing.T) {
	p := demo(t, "301")
	for name, apply := range map[string]func() (*Loan, error){
		"a negative id":      func() (*Loan, error) { return Apply(-1, 3, p, appliedAt) },
		"a missing borrower": func() (*Loan, error) { return Apply(1, 0, p, appliedAt) },
		"an invalid product": func() (*Loan, error) { return Apply(1, 3, Product{}, appliedAt) },
	} {
		t.Run("rejects "+name, func(t *testing.T) {
			if _, err := apply(); errs.ErrorCode(err) != errs.Invalid {
				t.Fatalf("Apply error = %v, want invalid", err)
			}
		})
	}
}

func BenchmarkQuote(b *testing.B) {
	p := demo(b, "375")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Quote(p, appliedAt); err != nil {
			b.Fatal(err)
		}
	}
}

func TestQuoteDoesNotAllocate(t *testing.T) {
	p := demo(t, "375")
	if n := testing.AllocsPerRun(100, func() { _, _ = Quote(p, appliedAt) }); n != 0 {
		t.Errorf("%v allocations per Quote", n)
	}
}
