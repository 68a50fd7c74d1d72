package repay

import (
	"errors"
	"math"
	"testing"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
)

func TestCheckPaymentFits(t *testing.T) {
	t.Parallel()
	owing := &loan.Record{Loan: loan.Loan{ID: 7, Outstanding: ledger.Buckets{Principal: 600000, Interest: 21000, Fee: 229000}}}
	settled := &loan.Record{Loan: loan.Loan{ID: 8}}
	checkout := &loan.Payment{Amount: 850000}
	big := &loan.Payment{Amount: 1_700_000} // a checkout of twice the debt, which Repay allows
	const surplus = 10_000
	tests := []struct {
		name string
		r    *loan.Record
		p    *loan.Payment
		paid ledger.Money
		ok   bool
	}{
		{"what is owed fits", owing, checkout, 850000, true},
		{"what is owed plus the surplus fits", owing, checkout, 860000, true},
		{"one unit beyond the surplus is refused", owing, checkout, 860001, false},
		{"what the checkout asked plus the surplus fits", owing, big, 1_710_000, true},
		{"a payment on a settled loan fits within what its checkout asked", settled, checkout, 850000, true},
		{"a payment on a settled loan beyond that is refused", settled, checkout, 860001, false},
		{"the largest int64 is refused", owing, checkout, math.MaxInt64, false},
		{"more than ledger.MaxAmount is refused even with a huge surplus", owing, checkout, ledger.MaxAmount + 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := ledger.Money(surplus)
			if tc.paid > ledger.MaxAmount {
				s = ledger.MaxAmount
			}
			err := CheckPaymentFits(tc.r, tc.p, tc.paid, s)
			if tc.ok != (err == nil) {
				t.Fatalf("CheckPaymentFits(%d) = %v, want ok %t", tc.paid, err, tc.ok)
			}
			if err != nil {
				var e *errs.Error
				if !errors.As(err, &e) || e.Code != errs.Invalid || e.Field != "amount" {
					t.Fatalf("refusal %v does not name amount", err)
				}
			}
		})
	}
}

// TestACheckoutNoWebhookCouldReportIsRefused: a loan at the product
// bound owes more than ledger.MaxAmount, the most a webhook may report. A
// checkout of all of it used to be opened: the borrower paid, and every
// report of the payment was refused, so the money was never booked.
func TestACheckoutNoWebhookCouldReportIsRefused(t *testing.T) {
	t.Parallel()
	huge := &loan.Record{Loan: loan.Loan{ID: 9, Status: loan.StatusRepaying,
		Outstanding: ledger.Buckets{Principal: ledger.MaxAmount, Interest: 35_000_000_000_000, Fee: 1}}}
	for _, tc := range []struct {
		name   string
		amount ledger.Money
		ok     bool
	}{
		{"everything owed, beyond what a payment may be, is refused", 0, false},
		{"an explicit amount beyond it is refused", ledger.MaxAmount + 1, false},
		{"a part of at most ledger.MaxAmount opens", ledger.MaxAmount, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newCheckout(huge, Input{Amount: tc.amount, IdempotencyKey: "k"}, time.Now())
			if tc.ok != (err == nil) {
				t.Fatalf("newCheckout(%d) = %v, want ok %t", tc.amount, err, tc.ok)
			}
			var e *errs.Error
			if err != nil && (!errors.As(err, &e) || e.Code != errs.Invalid || e.Field != "amount") {
				t.Fatalf("refusal %v does not name amount", err)
			}
		})
	}
}
