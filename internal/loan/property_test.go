package loan

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"creditpocket/internal/errs"
	"creditpocket/internal/ledger"
)

// Random but seeded lifecycles: after every step each transaction is
// balanced, no receivable is negative, and the loan's outstanding equals
// its receivable balances (books.post runs ledger.Verify for all three).
func TestRandomLifecyclesKeepTheBooks(t *testing.T) {
	products := DemoProducts()
	prefix := products[2]
	prefix.ID, prefix.FeeMode = "306p", FeePrefix
	odd := products[0]
	odd.ID, odd.InterestRate, odd.PenaltyRate, odd.PenaltyCap = "301odd", 3333, 7777, 123457
	products = append(products, prefix, odd)

	kinds := map[ledger.Kind]int{}
	for seq := range 200 {
		t.Run(fmt.Sprintf("sequence %d", seq), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(seq), 0x6c6f616e))
			b := newBooks(t, products[r.IntN(len(products))])
			b.fire(EventStartRiskReview, EventRiskApprove, EventStartDisbursement)
			if r.IntN(4) == 0 {
				b.fire(EventDisbursementFailed, EventStartDisbursement)
			}
			txs, err := b.l.Disburse(appliedAt)
			if err != nil {
				t.Fatal(err)
			}
			b.post(txs...)

			day := DateOf(appliedAt)
			for step := range 60 {
				op := r.IntN(6)
				before := *b.l
				tx, err := randomStep(r, b.l, op, step, &day)
				if err != nil {
					if code := errs.ErrorCode(err); code == errs.Internal {
						t.Fatalf("step %d op %d: %v", step, op, err)
					}
					if *b.l != before {
						t.Fatalf("step %d op %d: refused (%v) yet changed the loan", step, op, err)
					}
					continue
				}
				b.post(tx...)
				assertBalancesMatch(t, b)
				if b.l.Status == StatusWrittenOff {
					break
				}
			}
			for _, tx := range b.txs {
				kinds[tx.Kind]++
			}
		})
	}
	// The sequences must reach every kind of movement, or they prove little.
	for _, k := range []ledger.Kind{ledger.KindDisbursement, ledger.KindFee, ledger.KindInterest, ledger.KindPenalty,
		ledger.KindRepayment, ledger.KindOverpayment, ledger.KindExtension, ledger.KindWriteOff, ledger.KindRefund} {
		if kinds[k] == 0 {
			t.Errorf("no %s in any sequence", k)
		}
	}
	t.Logf("movements posted: %v", kinds)
}

func randomStep(r *rand.Rand, l *Loan, op, step int, day *Date) ([]ledger.Transaction, error) {
	ref := fmt.Sprintf("S%d", step)
	switch op {
	case 0, 1: // close of business, sometimes after a missed run
		*day = day.AddDays(1 + r.IntN(3))
		_, txs, err := l.CloseOfBusiness(*day, appliedAt)
		return txs, err
	case 2: // a payment of anything from one unit to a little over the total
		total, _ := l.Outstanding.Total()
		_, tx, err := l.Repay(ref, 1+ledger.Money(r.Int64N(int64(total)+1000)), appliedAt)
		return []ledger.Transaction{tx}, err
	case 3: // rarer, or loans would rarely stay overdue
		if r.IntN(4) != 0 {
			return nil, nil
		}
		fee, penalty := l.ExtensionDue()
		tx, err := l.Extend(ref, fee+penalty, *day, appliedAt)
		return []ledger.Transaction{tx}, err
	case 4:
		if r.IntN(4) != 0 {
			return nil, nil
		}
		tx, err := l.WriteOff(appliedAt)
		return []ledger.Transaction{tx}, err
	default:
		if l.Credit == 0 {
			return nil, nil
		}
		tx, err := l.Refund(ref, 1+ledger.Money(r.Int64N(int64(l.Credit))), appliedAt)
		return []ledger.Transaction{tx}, err
	}
}

// assertBalancesMatch re-derives the receivables straight from the ledger,
// independently of Verify.
func assertBalancesMatch(t *testing.T, b *books) {
	t.Helper()
	bal, err := ledger.BalancesOf(b.txs)
	if err != nil {
		t.Fatal(err)
	}
	got := ledger.Buckets{
		Principal: bal[ledger.LoanAccount(ledger.ReceivablePrincipal, b.l.ID.String())],
		Interest:  bal[ledger.LoanAccount(ledger.ReceivableInterest, b.l.ID.String())],
		Fee:       bal[ledger.LoanAccount(ledger.ReceivableFee, b.l.ID.String())],
		Penalty:   bal[ledger.LoanAccount(ledger.ReceivablePenalty, b.l.ID.String())],
	}
	if got != b.l.Outstanding {
		t.Fatalf("ledger receivables %+v, loan outstanding %+v", got, b.l.Outstanding)
	}
	for _, m := range []ledger.Money{got.Principal, got.Interest, got.Fee, got.Penalty} {
		if m < 0 {
			t.Fatalf("negative receivable %+v", got)
		}
	}
	if b.l.PenaltyCharged > b.l.Pricing.PenaltyCap {
		t.Fatalf("penalty %d over cap %d", b.l.PenaltyCharged, b.l.Pricing.PenaltyCap)
	}
}
