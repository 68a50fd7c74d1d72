package ledger

import (
	"fmt"
	"slices"
	"testing"
)

// cleanBooks is a loan of product 306 (1600000 over 7 days, suffix fees)
// that was disbursed, went one day overdue and was partly repaid, with
// facts that agree with its transactions.
func cleanBooks(t *testing.T) ([]Transaction, LoanFacts) {
	m := must(t)
	txs := []Transaction{
		m(Funding("F1", "NGN", 10_000_000)),
		m(book.Disbursement(1600000, 0)),
		m(book.ServiceFee(604000)),
		m(book.Interest(56000)),
		m(book.Penalty("2022-01-23", 16000)),
		m(book.Repayment("PAY1", Buckets{Penalty: 16000, Fee: 604000, Interest: 56000, Principal: 24000}, 0)),
	}
	facts := LoanFacts{
		LoanID: testLoan, Currency: "NGN",
		Principal: 1600000, PaidOut: 1600000, FeesDue: 660000, Due: 2260000,
		Received: 700000, PenaltyCharged: 16000,
		Outstanding: Buckets{Principal: 1576000},
	}
	return txs, facts
}

func TestVerifyAcceptsCleanBooks(t *testing.T) {
	txs, facts := cleanBooks(t)
	if vs := Verify(txs, []LoanFacts{facts}); len(vs) != 0 {
		t.Fatalf("violations on clean books: %v", vs)
	}
}

func TestVerifyCatches(t *testing.T) {
	principal := LoanAccount(ReceivablePrincipal, testLoan)
	tests := []struct {
		name       string
		breakBooks func(t *testing.T, txs []Transaction, f *LoanFacts) []Transaction
		want       Violation
	}{
		{"an unbalanced transaction", func(t *testing.T, txs []Transaction, f *LoanFacts) []Transaction {
			txs[3].Postings = slices.Clone(txs[3].Postings)
			txs[3].Postings[1].Amount = -55000
			f.Outstanding.Interest = 1000 // what the broken row leaves is not the point here
			return txs
		}, Violation{Rule: RuleInvalidTransaction, Reference: "interest:151776", LoanID: testLoan, Actual: 1000}},
		{"a transaction posted twice", func(t *testing.T, txs []Transaction, f *LoanFacts) []Transaction {
			return append(txs, txs[4])
		}, Violation{Rule: RuleDuplicateReference, Reference: "penalty:151776:2022-01-23", LoanID: testLoan}},
		{"postings for a loan nobody knows", func(t *testing.T, txs []Transaction, f *LoanFacts) []Transaction {
			return append(txs, must(t)(ForLoan("ghost", "NGN").Interest(1)))
		}, Violation{Rule: RuleUnknownLoan, Reference: "interest:ghost", LoanID: "ghost"}},
		{"a loan booked in two currencies", func(t *testing.T, txs []Transaction, f *LoanFacts) []Transaction {
			txs[3].Currency = "USD"
			return txs
		}, Violation{Rule: RuleCurrencyMismatch, Reference: "interest:151776", LoanID: testLoan}},
		{"a receivable driven below zero", func(t *testing.T, txs []Transaction, f *LoanFacts) []Transaction {
			f.Outstanding.Principal = -1
			f.Received += 1576001
			return append(txs, must(t)(book.Repayment("PAY2", Buckets{Principal: 1576001}, 0)))
		}, Violation{Rule: RuleNegativeBalance, LoanID: testLoan, Account: principal, Actual: -1}},
		{"provider cash paid out before it was funded", func(t *testing.T, txs []Transaction, f *LoanFacts) []Transaction {
			return txs[1:]
		}, Violation{Rule: RuleNegativeBalance, Account: ProviderCash, Actual: -900000}},
		{"an outstanding that disagrees with the receivable", func(t *testing.T, txs []Transaction, f *LoanFacts) []Transaction {
			f.Outstanding.Principal = 1575000
			return txs
		}, Violation{Rule: RuleOutstandingMismatch, LoanID: testLoan, Account: principal, Expected: 1576000, Actual: 1575000}},
		{"credit the ledger does not hold", func(t *testing.T, txs []Transaction, f *LoanFacts) []Transaction {
			f.Credit = 5
			return txs
		}, Violation{Rule: RuleCreditMismatch, LoanID: testLoan, Account: LoanAccount(BorrowerCredit, testLoan), Expected: 0, Actual: 5}},
		{"a shouldbackFee that is not balance + suffixFee", func(t *testing.T, txs []Transaction, f *LoanFacts) []Transaction {
			f.Due = 2250000
			return txs
		}, Violation{Rule: RuleShouldbackMismatch, LoanID: testLoan, Expected: 2260000, Actual: 2250000}},
		{"an actualBalance that was never paid out", func(t *testing.T, txs []Transaction, f *LoanFacts) []Transaction {
			f.PaidOut = 1000000
			return txs
		}, Violation{Rule: RuleDisbursedMismatch, LoanID: testLoan, Account: ProviderCash, Expected: 1600000, Actual: 1000000}},
		{"an actualbackAmt that was never received", func(t *testing.T, txs []Transaction, f *LoanFacts) []Transaction {
			f.Received = 2260000
			return txs
		}, Violation{Rule: RuleRepaidMismatch, LoanID: testLoan, Account: ProviderCash, Expected: 700000, Actual: 2260000}},
		{"an overdueFee that was never charged", func(t *testing.T, txs []Transaction, f *LoanFacts) []Transaction {
			f.PenaltyCharged = 32000
			return txs
		}, Violation{Rule: RulePenaltyMismatch, LoanID: testLoan, Account: IncomePenalty, Expected: 16000, Actual: 32000}},
		{"a settled loan that still owes principal", func(t *testing.T, txs []Transaction, f *LoanFacts) []Transaction {
			f.Closed = true
			return txs
		}, Violation{Rule: RuleClosedWithReceivable, LoanID: testLoan, Account: principal, Actual: 1576000}},
	}
	for _, tc := range tests {
		t.Run("catches "+tc.name, func(t *testing.T) {
			txs, facts := cleanBooks(t)
			txs = tc.breakBooks(t, txs, &facts)
			vs := Verify(txs, []LoanFacts{facts})
			for _, v := range vs {
				v.Detail = ""
				if v == tc.want {
					return
				}
			}
			t.Errorf("want %v among %d violations:", tc.want, len(vs))
			for _, v := range vs {
				t.Logf("  %v", v)
			}
		})
	}
}

func TestViolationString(t *testing.T) {
	v := Violation{Rule: RuleOutstandingMismatch, LoanID: "L1", Account: "a", Expected: 2, Actual: 1, Detail: "d"}
	if got, want := v.String(), "outstanding-mismatch loan=L1 account=a expected=2 actual=1: d"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// BenchmarkVerify sizes `creditpocket ledger verify`: 1000 loans of six
// transactions each.
func BenchmarkVerify(b *testing.B) {
	var txs []Transaction
	var facts []LoanFacts
	m := must(b)
	txs = append(txs, m(Funding("F", "NGN", 1<<40)))
	for i := range 1000 {
		lb := ForLoan(fmt.Sprintf("L%d", i), "NGN")
		txs = append(txs,
			m(lb.Disbursement(1600000, 0)), m(lb.ServiceFee(604000)), m(lb.Interest(56000)),
			m(lb.Penalty("2022-01-23", 16000)),
			m(lb.Repayment("P", Buckets{Penalty: 16000, Fee: 604000, Interest: 56000, Principal: 24000}, 0)))
		facts = append(facts, LoanFacts{LoanID: lb.LoanID, Currency: "NGN", Principal: 1600000, PaidOut: 1600000,
			FeesDue: 660000, Due: 2260000, Received: 700000, PenaltyCharged: 16000,
			Outstanding: Buckets{Principal: 1576000}})
	}
	if vs := Verify(txs, facts); len(vs) != 0 {
		b.Fatalf("%d violations, first %v", len(vs), vs[0])
	}
	b.ReportAllocs()
	for b.Loop() {
		Verify(txs, facts)
	}
}

func TestVerifyStoredNamesAnAccountWhoseKeptBalanceDiffers(t *testing.T) {
	t.Parallel()
	fund, err := Funding("cap", "NGN", 500)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("kept balances equal to the postings agree", func(t *testing.T) {
		if vs := VerifyStored([]Transaction{fund}, Balances{ProviderCash: 500, LenderFunding: -500, IncomeFee: 0}); len(vs) != 0 {
			t.Fatalf("violations: %v", vs)
		}
	})
	t.Run("a kept balance that differs is named", func(t *testing.T) {
		vs := VerifyStored([]Transaction{fund}, Balances{ProviderCash: 499, LenderFunding: -500})
		if len(vs) != 1 || vs[0].Rule != RuleStoredBalance || vs[0].Account != ProviderCash || vs[0].Expected != 500 || vs[0].Actual != 499 {
			t.Fatalf("violations: %v", vs)
		}
	})
}
