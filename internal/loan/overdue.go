package loan

import (
	"fmt"
	"math/bits"

	"creditpocket/internal/ledger"
)

// OverdueState is what close of business needs to know about one loan.
type OverdueState struct {
	DueDate Date
	// AccruedThrough is the last business date already accrued (zero if
	// none): the watermark that makes re-runs post nothing twice.
	AccruedThrough Date
	// Principal is the principal outstanding at close of business, after
	// the day's repayments: the penalty base. Charging on principal, not
	// on interest, fee or penalty, keeps penalty from compounding.
	Principal      ledger.Money
	PenaltyRate    Rate         // per overdue day
	PenaltyCharged ledger.Money // over the loan's life so far
	PenaltyCap     ledger.Money // lifetime ceiling on PenaltyCharged
}

// Accrual is what close of business on one business date posts for a loan.
type Accrual struct {
	BusinessDate Date
	// OverDays is the app's "overDays": business date − due date, or 0
	// when the loan is not past due.
	OverDays int
	// Days is how many overdue days this run charges: 1 normally, more
	// when earlier runs were missed (they are caught up in one posting
	// keyed by this business date), 0 when already accrued.
	Days       int
	Penalty    ledger.Money // to post; 0 when nothing is due or the cap is reached
	CapReached bool         // PenaltyCharged + Penalty has hit PenaltyCap
}

// Accrue computes close of business for business. A loan is overdue from
// the day after its due date: due on the 22nd, 1 day overdue at close of
// the 23rd. Each overdue day costs
//
//	MulDiv(Principal, PenaltyRate, 1e6)   (half-up to the minor unit)
//
// and the penalty charged over the loan's life never exceeds PenaltyCap.
//
// The result depends only on its inputs, so re-running a date before its
// result is stored yields the same posting (same ledger reference), and
// re-running after it is stored (AccruedThrough advanced) yields nothing.
func Accrue(s OverdueState, business Date) (Accrual, error) {
	if s.DueDate.IsZero() || business.IsZero() {
		return Accrual{}, fmt.Errorf("loan: accrue: due date %q and business date %q are both required", s.DueDate, business)
	}
	if s.Principal < 0 || s.PenaltyRate < 0 || s.PenaltyCharged < 0 || s.PenaltyCap < 0 {
		return Accrual{}, fmt.Errorf("loan: accrue: negative input %+v", s)
	}
	a := Accrual{BusinessDate: business}
	if !business.After(s.DueDate) {
		return a, nil
	}
	a.OverDays = business.DaysSince(s.DueDate)
	from := s.DueDate
	if s.AccruedThrough.After(from) {
		from = s.AccruedThrough
	}
	if !business.After(from) {
		a.CapReached = s.PenaltyCharged >= s.PenaltyCap
		return a, nil
	}
	a.Days = business.DaysSince(from)

	remaining := max(s.PenaltyCap-s.PenaltyCharged, 0)
	daily, err := ledger.MulDiv(s.Principal, uint64(s.PenaltyRate), PerMillion)
	if err != nil {
		return Accrual{}, fmt.Errorf("loan: accrue: daily penalty: %w", err)
	}
	// daily × days; a product past 64 bits is far past any cap.
	hi, lo := bits.Mul64(uint64(daily), uint64(a.Days))
	if hi == 0 && lo < uint64(remaining) {
		a.Penalty = ledger.Money(lo)
	} else {
		a.Penalty = remaining
	}
	a.CapReached = s.PenaltyCharged+a.Penalty >= s.PenaltyCap
	return a, nil
}
