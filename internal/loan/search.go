package loan

import "time"

// Search selects loans for an operator's list (the console's). Zero fields
// do not filter.
type Search struct {
	LoanID   ID     // 0: any
	Mobile   string // national number (with or without the trunk 0) or E.164 digits
	Statuses []Status
	Overdue  bool      // only loans past due (status overdue)
	From, To time.Time // applied at or after From, before To
	// UpdatedBefore keeps loans last changed before it; PayoutWaiting
	// keeps failed payouts (status 33) with no automatic retry scheduled.
	UpdatedBefore time.Time
	PayoutWaiting bool
}
