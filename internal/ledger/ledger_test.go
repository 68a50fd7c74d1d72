package ledger

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

const testLoan = "151776"

var book = ForLoan(testLoan, "NGN")

// must fails t on a builder error: must(t)(book.Interest(1)).
func must(t testing.TB) func(Transaction, error) Transaction {
	return func(tx Transaction, err error) Transaction {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
}

func TestChartNamesAreUniqueAndResolve(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range Chart() {
		if seen[a.Name] {
			t.Errorf("%s appears twice", a.Name)
		}
		seen[a.Name] = true
		name := a.Name
		if a.PerLoan {
			name = LoanAccount(a.Name, "L1")
		}
		got, loanID, err := LookupAccount(name)
		if err != nil || got.Name != a.Name || (a.PerLoan && loanID != "L1") {
			t.Errorf("LookupAccount(%q) = %v, %q, %v", name, got.Name, loanID, err)
		}
	}
}

func TestLookupAccountRejects(t *testing.T) {
	for _, name := range []string{
		"",
		"assets:receivable:principal",     // per-loan account without a loan
		"assets:receivable:principal:",    // empty loan id
		"assets:receivable:principal:a b", // bad loan id
		"assets:cash:provider:151776",     // global account with a loan
		"assets:receivable:principal:" + strings.Repeat("9", 65),
		"income:gambling",
	} {
		if _, _, err := LookupAccount(name); err == nil {
			t.Errorf("LookupAccount(%q) accepted", name)
		}
	}
}

func TestBuildersProduceBalancedTransactions(t *testing.T) {
	P := func(base string) string { return LoanAccount(base, testLoan) }
	tests := []struct {
		name string
		tx   func() (Transaction, error)
		kind Kind
		ref  string
		want []Posting
	}{
		{"disbursement in suffix mode pays out the whole principal", func() (Transaction, error) { return book.Disbursement(1600000, 0) },
			KindDisbursement, "disbursement:151776",
			[]Posting{{P(ReceivablePrincipal), 1600000}, {ProviderCash, -1600000}}},
		{"disbursement in prefix mode withholds the fee", func() (Transaction, error) { return book.Disbursement(600000, 229000) },
			KindDisbursement, "disbursement:151776",
			[]Posting{{P(ReceivablePrincipal), 600000}, {ProviderCash, -371000}, {IncomeFee, -229000}}},
		{"service fee is owed and earned", func() (Transaction, error) { return book.ServiceFee(604000) },
			KindFee, "fee:151776",
			[]Posting{{P(ReceivableFee), 604000}, {IncomeFee, -604000}}},
		{"interest is owed and earned", func() (Transaction, error) { return book.Interest(56000) },
			KindInterest, "interest:151776",
			[]Posting{{P(ReceivableInterest), 56000}, {IncomeInterest, -56000}}},
		{"penalty is keyed by business date", func() (Transaction, error) { return book.Penalty("2022-01-23", 16000) },
			KindPenalty, "penalty:151776:2022-01-23",
			[]Posting{{P(ReceivablePenalty), 16000}, {IncomePenalty, -16000}}},
		{"repayment credits each bucket and the excess", func() (Transaction, error) {
			return book.Repayment("PAY1", Buckets{Principal: 1, Interest: 2, Fee: 3, Penalty: 4}, 5)
		}, KindRepayment, "repayment:151776:PAY1",
			[]Posting{{ProviderCash, 15}, {P(ReceivablePenalty), -4}, {P(ReceivableFee), -3}, {P(ReceivableInterest), -2}, {P(ReceivablePrincipal), -1}, {P(BorrowerCredit), -5}}},
		{"payment with nothing applied is an overpayment", func() (Transaction, error) { return book.Repayment("PAY2", Buckets{}, 700) },
			KindOverpayment, "repayment:151776:PAY2",
			[]Posting{{ProviderCash, 700}, {P(BorrowerCredit), -700}}},
		{"extension earns its fee and clears penalty", func() (Transaction, error) { return book.Extension("EXT1", 320000, 16000) },
			KindExtension, "extension:151776:EXT1",
			[]Posting{{ProviderCash, 336000}, {IncomeExtension, -320000}, {P(ReceivablePenalty), -16000}}},
		{"write-off expenses every bucket", func() (Transaction, error) {
			return book.WriteOff(Buckets{Principal: 100, Interest: 10, Penalty: 1})
		}, KindWriteOff, "writeoff:151776",
			[]Posting{{ExpenseWriteOff, 111}, {P(ReceivablePenalty), -1}, {P(ReceivableInterest), -10}, {P(ReceivablePrincipal), -100}}},
		{"refund pays credit back out", func() (Transaction, error) { return book.Refund("R1", 700) },
			KindRefund, "refund:151776:R1",
			[]Posting{{P(BorrowerCredit), 700}, {ProviderCash, -700}}},
		{"funding brings lender capital in", func() (Transaction, error) { return Funding("F1", "NGN", 1_000_000_000) },
			KindFunding, "funding:F1",
			[]Posting{{ProviderCash, 1_000_000_000}, {LenderFunding, -1_000_000_000}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx := must(t)(tc.tx())
			if err := tx.Validate(); err != nil {
				t.Fatal(err)
			}
			if tx.Kind != tc.kind || tx.Reference != tc.ref {
				t.Errorf("kind, ref = %s, %s; want %s, %s", tx.Kind, tx.Reference, tc.kind, tc.ref)
			}
			if !slices.Equal(tx.Postings, tc.want) {
				t.Errorf("postings\n got %v\nwant %v", tx.Postings, tc.want)
			}
		})
	}
}

func TestBuildersRefuse(t *testing.T) {
	tests := []struct {
		name string
		tx   func() (Transaction, error)
	}{
		{"a zero disbursement", func() (Transaction, error) { return book.Disbursement(0, 0) }},
		{"a prefix fee above principal", func() (Transaction, error) { return book.Disbursement(10, 11) }},
		{"a negative fee", func() (Transaction, error) { return book.ServiceFee(-1) }},
		{"a zero interest", func() (Transaction, error) { return book.Interest(0) }},
		{"a penalty without a date", func() (Transaction, error) { return book.Penalty("", 1) }},
		{"a repayment without a reference", func() (Transaction, error) { return book.Repayment("", Buckets{Fee: 1}, 0) }},
		{"a repayment of nothing", func() (Transaction, error) { return book.Repayment("P", Buckets{}, 0) }},
		{"a negative bucket", func() (Transaction, error) { return book.Repayment("P", Buckets{Fee: 2, Interest: -1}, 0) }},
		{"a repayment that overflows", func() (Transaction, error) {
			return book.Repayment("P", Buckets{Principal: math.MaxInt64}, 1)
		}},
		{"an extension without a reference", func() (Transaction, error) { return book.Extension("", 1, 0) }},
		{"a write-off of nothing", func() (Transaction, error) { return book.WriteOff(Buckets{}) }},
		{"a refund without a reference", func() (Transaction, error) { return book.Refund("", 1) }},
		{"a bad loan id", func() (Transaction, error) { return ForLoan("no spaces", "NGN").Interest(1) }},
		{"a bad currency", func() (Transaction, error) { return ForLoan("L", "naira").Interest(1) }},
		{"funding without a reference", func() (Transaction, error) { return Funding("", "NGN", 1) }},
	}
	for _, tc := range tests {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			if tx, err := tc.tx(); err == nil {
				t.Fatalf("built %+v", tx)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	good := must(t)(book.Interest(56000))
	tests := []struct {
		name   string
		mutate func(*Transaction)
		want   string
	}{
		{"an empty reference", func(tx *Transaction) { tx.Reference = "" }, "empty reference"},
		{"a long reference", func(tx *Transaction) { tx.Reference = strings.Repeat("r", 201) }, "at most 200"},
		{"an unknown kind", func(tx *Transaction) { tx.Kind = "gift" }, "unknown kind"},
		{"a missing currency", func(tx *Transaction) { tx.Currency = "" }, "currency"},
		{"a missing loan id", func(tx *Transaction) { tx.LoanID = "" }, "empty loan id"},
		{"funding with a loan", func(tx *Transaction) { tx.Kind = KindFunding }, "funding carries loan id"},
		{"no postings", func(tx *Transaction) { tx.Postings = nil }, "at least 2"},
		{"one posting", func(tx *Transaction) { tx.Postings = tx.Postings[:1] }, "at least 2"},
		{"too many postings", func(tx *Transaction) { tx.Postings = make([]Posting, 65) }, "at most 64"},
		{"a zero posting", func(tx *Transaction) {
			tx.Postings = append(tx.Postings, Posting{IncomeFee, 0})
		}, "zero amount"},
		{"an unknown account", func(tx *Transaction) { tx.Postings[1].Account = "income:gift" }, "not in the chart"},
		{"another loan's account", func(tx *Transaction) {
			tx.Postings[0].Account = LoanAccount(ReceivableInterest, "other")
		}, `belongs to loan "other"`},
		{"an imbalance", func(tx *Transaction) { tx.Postings[1].Amount-- }, "postings sum to -1, want 0"},
		{"an overflowing sum", func(tx *Transaction) {
			tx.Postings = []Posting{{IncomeFee, math.MaxInt64}, {IncomeInterest, 1}, {IncomePenalty, math.MinInt64}}
		}, "overflow"},
	}
	for _, tc := range tests {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			tx := good
			tx.Postings = slices.Clone(good.Postings)
			tc.mutate(&tx)
			err := tx.Validate()
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate() = %v, want *ValidationError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestBalancesPostIsAllOrNothing(t *testing.T) {
	b := Balances{IncomeFee: math.MaxInt64 - 1}
	tx := Transaction{Reference: "x", Kind: KindFee, LoanID: "L", Currency: "NGN", Postings: []Posting{
		{LoanAccount(ReceivableFee, "L"), -5},
		{IncomeFee, 5},
	}}
	if err := b.Post(tx); !errors.Is(err, ErrOverflow) {
		t.Fatalf("Post = %v, want overflow", err)
	}
	if len(b) != 1 || b[IncomeFee] != math.MaxInt64-1 {
		t.Errorf("balances changed on failure: %v", b)
	}
	dup := Transaction{Reference: "d", Kind: KindFee, LoanID: "L", Currency: "NGN", Postings: []Posting{
		{IncomeFee, 3}, {IncomeFee, 4}, {IncomeInterest, -7},
	}}
	b = Balances{}
	if err := b.Post(dup); err != nil {
		t.Fatal(err)
	}
	if b[IncomeFee] != 7 {
		t.Errorf("two postings to one account folded to %d, want 7", b[IncomeFee])
	}
	if n, _ := b.Natural(IncomeInterest); n != 7 {
		t.Errorf("natural balance of a credit account = %d, want 7", n)
	}
}

func FuzzLookupAccount(f *testing.F) {
	for _, s := range []string{ProviderCash, LoanAccount(ReceivableFee, "151776"), "assets:receivable:fee:", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		typ, loanID, err := LookupAccount(name)
		if err != nil {
			return
		}
		rebuilt := typ.Name
		if typ.PerLoan {
			rebuilt = LoanAccount(typ.Name, loanID)
		}
		if rebuilt != name {
			t.Fatalf("LookupAccount(%q) resolved to %q", name, rebuilt)
		}
	})
}

// FuzzVerify feeds hostile rows, as a verify command might load them, and
// requires an answer rather than a panic.
func FuzzVerify(f *testing.F) {
	f.Add("r", "repayment", "L1", "NGN", ProviderCash, int64(5), LoanAccount(ReceivableFee, "L1"), int64(-5), int64(0))
	f.Add("", "", "", "", "", int64(math.MinInt64), "", int64(math.MaxInt64), int64(math.MinInt64))
	f.Fuzz(func(t *testing.T, ref, kind, loanID, cur, a1 string, m1 int64, a2 string, m2, outstanding int64) {
		tx := Transaction{Reference: ref, Kind: Kind(kind), LoanID: loanID, Currency: cur,
			Postings: []Posting{{a1, Money(m1)}, {a2, Money(m2)}}}
		facts := LoanFacts{LoanID: loanID, Currency: cur, Principal: Money(m1), FeesDue: Money(m2),
			Outstanding: Buckets{Principal: Money(outstanding)}, Credit: Money(m2)}
		_ = Verify([]Transaction{tx, tx}, []LoanFacts{facts})
	})
}

func TestPostJudgesTheBalancesATransactionLeavesNotTheOrderOfItsPostings(t *testing.T) {
	t.Parallel()
	tx := func(ps ...Posting) Transaction {
		return Transaction{Reference: "order", Kind: KindFunding, Currency: "NGN", Postings: ps}
	}
	t.Run("a balance that would overflow only part way through the postings is booked", func(t *testing.T) {
		b := Balances{IncomeFee: 10}
		err := b.Post(tx(Posting{IncomeFee, math.MaxInt64 - 5}, Posting{IncomeFee, -20}, Posting{IncomeInterest, -(math.MaxInt64 - 25)}))
		if err != nil || b[IncomeFee] != math.MaxInt64-15 {
			t.Fatalf("Post = %v, balances %v", err, b)
		}
	})
	t.Run("a net change that overflows is refused and changes nothing", func(t *testing.T) {
		b := Balances{IncomeFee: 10}
		err := b.Post(tx(Posting{IncomeFee, math.MaxInt64 - 5}, Posting{IncomeInterest, -(math.MaxInt64 - 5)}))
		if !errors.Is(err, ErrOverflow) || b[IncomeFee] != 10 || b[IncomeInterest] != 0 {
			t.Fatalf("Post = %v, balances %v", err, b)
		}
	})
}
