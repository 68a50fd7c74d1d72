package loan

import (
	"time"

	"creditpocket/internal/ledger"
)

// The rules of repayment and extension checkouts:
//
//   - A loan has at most one open checkout (a pending repayment or
//     extension). Opening one supersedes the open one, in the same
//     transaction, under the loan's row lock; the store's partial unique
//     index on open checkouts holds the rule if code ever forgets it.
//   - Open checkouts close when the loan stops owing (settled, written off),
//     in the transaction that ends it.
//   - The provider is told to cancel a superseded or closed checkout after
//     the commit, where it can. Money that still arrives on one is booked,
//     never dropped: while the loan owes, it repays the loan like any
//     payment (what exceeds the debt is credit), so a borrower whose money
//     the lender holds is never left overdue and penalised for it; on a
//     loan that no longer owes, all of it is borrower credit (BookCredit).
//     Either way staff see the payment marked as arrived on a closed
//     checkout.
//   - An extension is bought once per cycle: an extension payment extends
//     only the cycle it was opened in, otherwise it is a repayment.

// IsCheckout reports whether a payment of kind is paid by the borrower
// through a checkout (as opposed to a payout).
func IsCheckout(kind string) bool { return kind == PayRepayment || kind == PayExtension }

// Open reports whether p is a checkout that may still be paid.
func (p Payment) Open() bool { return IsCheckout(p.Kind) && p.Status == PayPending }

// ClosedUnpaid reports whether p is a checkout closed before money arrived
// on it.
func (p Payment) ClosedUnpaid() bool {
	return IsCheckout(p.Kind) && (p.Status == PaySuperseded || p.Status == PayClosed)
}

// ArrivedOnClosedCheckout reports whether p's money arrived after its
// checkout was closed: kept as borrower credit (PayCredited), or applied
// to what the loan still owed (PaySuccess with the reason it was closed).
func (p Payment) ArrivedOnClosedCheckout() bool {
	return p.Status == PayCredited || p.Status == PaySuccess && p.ClosedReason != ""
}

// AwaitsOutcome reports whether a provider's outcome for p changes
// anything: a pending payment moves once; a closed checkout still takes
// money that arrives on it, and a failed payment money the provider
// reports moved after all (a failure on either changes nothing).
func (p Payment) AwaitsOutcome(succeeded bool) bool {
	return p.Status == PayPending || succeeded && (p.ClosedUnpaid() || p.Status == PayFailed)
}

// Close marks an open checkout closed with status (PaySuperseded or
// PayClosed) and why.
func (p *Payment) Close(status, reason string, now time.Time) {
	p.Status, p.ClosedReason, p.UpdatedAt = status, reason, now
}

// Booking is how money received on a checkout is booked.
type Booking int

const (
	// BookRepayment allocates the money to what is owed (penalty → fee →
	// interest → principal); anything beyond is credit.
	BookRepayment Booking = iota + 1
	// BookExtension buys the extension of the loan's current cycle.
	BookExtension
	// BookCredit keeps all of it as borrower credit.
	BookCredit
)

func (b Booking) String() string {
	switch b {
	case BookRepayment:
		return "repayment"
	case BookExtension:
		return "extension"
	case BookCredit:
		return "credit"
	}
	return "unknown"
}

// BookingFor decides how paid, received on checkout p, is booked on l.
// Money on a loan that no longer owes is credit; money on a checkout
// closed before it was paid repays what the loan still owes (the rest is
// credit), whatever the checkout was for. An extension payment extends only when it pays
// exactly what the extension costs, the loan owes, and the cycle it was
// opened in is still the loan's (so two extension payments of one cycle
// extend once); any other payment is a repayment. Extend may still refuse
// (an extension that would leave the loan overdue): that money too is a
// repayment.
func BookingFor(l *Loan, p *Payment, paid ledger.Money) Booking {
	if !l.Status.Owing() {
		return BookCredit
	}
	if p.ClosedUnpaid() || p.Kind != PayExtension {
		return BookRepayment
	}
	if !p.CycleDue.IsZero() && p.CycleDue != l.DueDate {
		return BookRepayment
	}
	fee, penalty := l.ExtensionDue()
	if due, err := fee.Add(penalty); err != nil || fee <= 0 || due != paid {
		return BookRepayment
	}
	return BookExtension
}
