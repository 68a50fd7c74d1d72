package repay

import (
	"context"

	"creditpocket/internal/errs"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
)

// DefaultPaymentSurplus is how much more than a loan can absorb a payment
// may bring by default: 10,000,000 minor units (₦100,000). It keeps an
// honest overpayment (a borrower rounding up, two payments crossing) as
// borrower credit while a provider's report of an absurd amount is refused.
const DefaultPaymentSurplus ledger.Money = 10_000_000

// CheckPaymentFits refuses a successful charge of paid on payment p of
// loan r that is more than the loan can absorb plus surplus. What the
// loan can absorb is the larger of what it owes now and what p asked for
// when it was opened (an extension's fee, a repayment checkout the lender
// accepted). No single amount may exceed ledger.MaxAmount either, so the
// sum below cannot overflow. The refusal names the field amount.
func CheckPaymentFits(r *loan.Record, p *loan.Payment, paid, surplus ledger.Money) error {
	if err := ledger.CheckAmount(paid); err != nil {
		return errs.InvalidField("amount", "%v", err)
	}
	owed, err := r.Outstanding.Total()
	if err != nil {
		return errs.E(errs.Conflict, "loan %s: what it owes cannot be summed: %v", r.ID, err)
	}
	limit := max(owed, p.Amount)
	if limit, err = limit.Add(max(surplus, 0)); err != nil {
		return errs.InvalidField("amount", "loan %s cannot absorb a payment beside %d owed", r.ID, owed)
	}
	if paid > limit {
		return errs.InvalidField("amount", "%d is more than loan %s can absorb (%d owed, %d asked) plus the allowed surplus %d",
			paid, r.ID, owed, p.Amount, surplus)
	}
	return nil
}

// CheckPayment tells, without booking anything, whether a successful
// charge of paid on payment reference would be refused by
// CheckPaymentFits, so the sandbox provider refuses it when the borrower
// "pays" rather than by a webhook it would retry. A payout, whose amount
// is never taken from the provider, always fits.
func (s *Service) CheckPayment(ctx context.Context, reference string, paid ledger.Money) error {
	// A write transaction only because the store reads a payment
	// locked; nothing is written.
	return s.Store.Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
		p, err := tx.PaymentForUpdate(ctx, reference)
		if err != nil || p.Kind == loan.PayDisbursement || !p.AwaitsOutcome(true) {
			return err
		}
		r, err := tx.Loan(ctx, p.LoanID)
		if err != nil {
			return err
		}
		return CheckPaymentFits(r, p, paid, s.PaymentSurplus)
	})
}
