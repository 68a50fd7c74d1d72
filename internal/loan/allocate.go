package loan

import (
	"fmt"

	"creditpocket/internal/ledger"
)

// Allocation is how one payment was applied to a loan's outstanding.
type Allocation struct {
	Applied   ledger.Buckets // paid off, per component
	Remaining ledger.Buckets // still owed afterwards
	Excess    ledger.Money   // left over after everything is paid: borrower credit
}

// Allocate applies amount to outstanding in the order penalty → fee →
// interest → principal, so the costliest-to-carry and least-secured
// components go first and principal, the base of the penalty, last. What is
// left after all four is Excess. It does not allocate memory.
func Allocate(outstanding ledger.Buckets, amount ledger.Money) (Allocation, error) {
	if amount < 0 {
		return Allocation{}, fmt.Errorf("loan: allocate a negative amount %d", amount)
	}
	if outstanding.Principal < 0 || outstanding.Interest < 0 || outstanding.Fee < 0 || outstanding.Penalty < 0 {
		return Allocation{}, fmt.Errorf("loan: allocate against a negative outstanding %+v", outstanding)
	}
	a := Allocation{Remaining: outstanding}
	left := amount
	for _, bucket := range [...]struct{ owed, paid *ledger.Money }{
		{&a.Remaining.Penalty, &a.Applied.Penalty},
		{&a.Remaining.Fee, &a.Applied.Fee},
		{&a.Remaining.Interest, &a.Applied.Interest},
		{&a.Remaining.Principal, &a.Applied.Principal},
	} {
		pay := min(left, *bucket.owed)
		*bucket.paid = pay
		*bucket.owed -= pay
		left -= pay
	}
	a.Excess = left
	return a, nil
}
