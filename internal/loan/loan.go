package loan

import (
	"fmt"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/ledger"
)

// Loan is one borrower's loan and all the state the rules need. Its money
// fields mirror the ledger: every method that moves money returns the
// ledger transactions to append in the same database transaction as the
// updated Loan, and Facts states what the ledger must then agree with.
//
// Methods either succeed entirely or leave the Loan untouched.
type Loan struct {
	ID     ID
	UserID int64 // the borrower

	// Product is the product as it was at application; Pricing its price
	// then. Neither changes when the product is edited later.
	Product Product
	Pricing Pricing

	Status          Status
	AuditRiskStatus AuditRiskStatus

	Outstanding    ledger.Buckets // still owed, per component
	PaidOut        ledger.Money   // "actualBalance": 0 until disbursed
	Received       ledger.Money   // "actualbackAmt": all cash received from the borrower
	PenaltyCharged ledger.Money   // "overdueFee": penalty charged over the loan's life
	Credit         ledger.Money   // overpayment held for the borrower
	WrittenOff     ledger.Money   // total given up at write-off
	Extensions     int            // extensions paid
	OverDays       int            // "overDays" as of the last close of business
	AccruedThrough Date           // last business date whose penalty was accrued
	DueDate        Date           // the calendar date DueAt falls on

	AppliedAt    time.Time // "createdTime"
	DecidedAt    time.Time // "auditRiskTime" (or the manual decision)
	DisbursedAt  time.Time // "arriveTime"
	InitialDueAt time.Time // "initialrepaymentTime": due time before any extension
	DueAt        time.Time // "shouldbackTime"
	LastPaidAt   time.Time // "lastbackTime"
	ClosedAt     time.Time // settled, written off, rejected or cancelled
	UpdatedAt    time.Time // "updatedTime"
}

// Apply opens an application with id for product p at now. Call
// CheckEligibility first: Apply prices the loan but does not judge the
// borrower.
func Apply(id ID, userID int64, p Product, now time.Time) (*Loan, error) {
	if id < 0 {
		return nil, errs.InvalidField("id", "must not be negative")
	}
	l, err := NewApplication(userID, p, now)
	if err != nil {
		return nil, err
	}
	l.ID = id
	return l, nil
}

// NewApplication is Apply for a loan whose id the store assigns when it
// is inserted (Tx.InsertLoan): pricing does not need the id, and nothing
// names the loan before it is stored.
func NewApplication(userID int64, p Product, now time.Time) (*Loan, error) {
	if userID == 0 {
		return nil, errs.Required("uid")
	}
	pr, err := Quote(p, now)
	if err != nil {
		return nil, err
	}
	return &Loan{
		UserID:          userID,
		Product:         p,
		Pricing:         pr,
		Status:          StatusApplied,
		AuditRiskStatus: AuditPending,
		AppliedAt:       now,
		UpdatedAt:       now,
	}, nil
}

// ExtensionStatus is the app's "extensionStatus": 1 once extended, else 0.
func (l *Loan) ExtensionStatus() int {
	if l.Extensions > 0 {
		return 1
	}
	return 0
}

func (l *Loan) book() ledger.LoanBook { return ledger.ForLoan(l.ID.String(), l.Pricing.Currency) }

// step moves a copy of l through event and returns it; the caller commits
// it with *l = next once everything else has succeeded.
func (l *Loan) step(event Event, now time.Time) (Loan, error) {
	to, err := Next(l.Status, event)
	if err != nil {
		return Loan{}, fmt.Errorf("loan %s: %w", l.ID, err)
	}
	next := *l
	next.Status = to
	next.UpdatedAt = now
	if to.Finished() && !l.Status.Finished() {
		next.ClosedAt = now
	}
	return next, nil
}

// moneyEvents are events with postings; Fire refuses them so the ledger
// cannot be bypassed.
var moneyEvents = map[Event]string{
	EventDisbursed:     "Disburse",
	EventRepayPartly:   "Repay",
	EventSettle:        "Repay",
	EventOverpay:       "Repay",
	EventBecomeOverdue: "CloseOfBusiness",
	EventAccruePenalty: "CloseOfBusiness",
	EventExtend:        "Extend",
	EventWriteOff:      "WriteOff",
	EventRefundCredit:  "Refund",
	EventKeepCredit:    "KeepCredit",
}

// Fire applies an event that moves no money: risk and manual decisions,
// cancellation, and the disbursement hand-off to the provider and its
// failure. It records the risk decision in AuditRiskStatus.
func (l *Loan) Fire(event Event, now time.Time) error {
	if method, ok := moneyEvents[event]; ok {
		return errs.E(errs.Invalid, "loan %s: event %q moves money: call Loan.%s", l.ID, event, method)
	}
	next, err := l.step(event, now)
	if err != nil {
		return err
	}
	switch event {
	case EventRiskApprove, EventManualApprove:
		next.AuditRiskStatus, next.DecidedAt = AuditApproved, now
	case EventRiskReject, EventManualReject:
		next.AuditRiskStatus, next.DecidedAt = AuditRejected, now
	case EventRiskRefer:
		next.AuditRiskStatus, next.DecidedAt = AuditReview, now
	}
	*l = next
	return nil
}

// Disburse records the provider's confirmation that the payout arrived at
// now. The due time is now + one cycle; now's location is taken as the
// business time zone for the due date. It returns the disbursement and the
// charges now owed (suffix service fee, interest).
func (l *Loan) Disburse(now time.Time) ([]ledger.Transaction, error) {
	next, err := l.step(EventDisbursed, now)
	if err != nil {
		return nil, err
	}
	pr, b := l.Pricing, l.book()
	fee := pr.ServiceFee - pr.PrefixFee // suffix fee part; 0 in prefix mode
	txs := make([]ledger.Transaction, 0, 3)
	add := func(t ledger.Transaction, err error) error {
		if err == nil {
			txs = append(txs, t)
		}
		return err
	}
	if err := add(b.Disbursement(pr.Principal, pr.PrefixFee)); err != nil {
		return nil, err
	}
	if fee > 0 {
		if err := add(b.ServiceFee(fee)); err != nil {
			return nil, err
		}
	}
	if pr.Interest > 0 {
		if err := add(b.Interest(pr.Interest)); err != nil {
			return nil, err
		}
	}
	next.Outstanding = ledger.Buckets{Principal: pr.Principal, Interest: pr.Interest, Fee: fee}
	next.PaidOut = pr.Disbursed
	next.DisbursedAt = now
	next.DueAt = now.AddDate(0, 0, pr.Cycle)
	next.InitialDueAt = next.DueAt
	next.DueDate = DateOf(next.DueAt)
	*l = next
	return txs, nil
}

// Repay applies a payment of amount identified by the provider's
// paymentRef: partial payments keep the status, a payment that clears
// everything settles the loan, and anything beyond that becomes credit. A
// payment on a settled loan (a late duplicate transfer) is all credit.
func (l *Loan) Repay(paymentRef string, amount ledger.Money, now time.Time) (Allocation, ledger.Transaction, error) {
	if amount <= 0 {
		return Allocation{}, ledger.Transaction{}, errs.InvalidField("amount", "must be positive, got %d", amount)
	}
	alloc, err := Allocate(l.Outstanding, amount)
	if err != nil {
		return Allocation{}, ledger.Transaction{}, err
	}
	event := EventRepayPartly
	switch {
	case l.Status == StatusSettled:
		event = EventOverpay
	case alloc.Remaining.IsZero():
		event = EventSettle
	}
	next, err := l.step(event, now)
	if err != nil {
		return Allocation{}, ledger.Transaction{}, err
	}
	if next.Received, err = l.Received.Add(amount); err != nil {
		return Allocation{}, ledger.Transaction{}, fmt.Errorf("loan %s: amount received: %w", l.ID, err)
	}
	if next.Credit, err = l.Credit.Add(alloc.Excess); err != nil {
		return Allocation{}, ledger.Transaction{}, fmt.Errorf("loan %s: credit: %w", l.ID, err)
	}
	tx, err := l.book().Repayment(paymentRef, alloc.Applied, alloc.Excess)
	if err != nil {
		return Allocation{}, ledger.Transaction{}, err
	}
	next.Outstanding = alloc.Remaining
	// OverDays is kept on settlement: how late the loan was is history
	// the borrower's next application is judged on.
	next.LastPaidAt = now
	*l = next
	return alloc, tx, nil
}

// KeepCredit books amount, received on a checkout that was closed before
// it was paid (superseded, or closed when the loan stopped owing), as
// borrower credit identified by paymentRef: nothing owed changes and the
// status stays. Money received is always booked; the refund is separate.
func (l *Loan) KeepCredit(paymentRef string, amount ledger.Money, now time.Time) (ledger.Transaction, error) {
	if amount <= 0 {
		return ledger.Transaction{}, errs.InvalidField("amount", "must be positive, got %d", amount)
	}
	next, err := l.step(EventKeepCredit, now)
	if err != nil {
		return ledger.Transaction{}, err
	}
	if next.Received, err = l.Received.Add(amount); err != nil {
		return ledger.Transaction{}, fmt.Errorf("loan %s: amount received: %w", l.ID, err)
	}
	if next.Credit, err = l.Credit.Add(amount); err != nil {
		return ledger.Transaction{}, fmt.Errorf("loan %s: credit: %w", l.ID, err)
	}
	tx, err := l.book().Repayment(paymentRef, ledger.Buckets{}, amount)
	if err != nil {
		return ledger.Transaction{}, err
	}
	*l = next
	return tx, nil
}

// CloseOfBusiness runs the daily overdue job for business on an owing
// loan: it marks the loan overdue once past its due date, updates OverDays
// and returns the penalty posting, if any. Re-running a business date is
// harmless: the AccruedThrough watermark makes it post nothing.
func (l *Loan) CloseOfBusiness(business Date, now time.Time) (Accrual, []ledger.Transaction, error) {
	if !l.Status.Owing() {
		_, err := Next(l.Status, EventAccruePenalty)
		return Accrual{}, nil, fmt.Errorf("loan %s: close of business: %w", l.ID, err)
	}
	a, err := Accrue(l.overdueState(), business)
	if err != nil {
		return Accrual{}, nil, fmt.Errorf("loan %s: %w", l.ID, err)
	}
	if a.OverDays == 0 {
		return a, nil, nil
	}
	event := EventAccruePenalty
	if l.Status != StatusOverdue {
		event = EventBecomeOverdue
	}
	next, err := l.step(event, now)
	if err != nil {
		return Accrual{}, nil, err
	}
	next.OverDays = a.OverDays
	if business.After(l.AccruedThrough) {
		next.AccruedThrough = business
	}
	var txs []ledger.Transaction
	if a.Penalty > 0 {
		tx, err := l.book().Penalty(business.String(), a.Penalty)
		if err != nil {
			return Accrual{}, nil, err
		}
		txs = append(txs, tx)
		// Both stay ≤ PenaltyCap, which Quote proved fits with the rest.
		next.PenaltyCharged += a.Penalty
		next.Outstanding.Penalty += a.Penalty
	}
	*l = next
	return a, txs, nil
}

func (l *Loan) overdueState() OverdueState {
	return OverdueState{
		DueDate:        l.DueDate,
		AccruedThrough: l.AccruedThrough,
		Principal:      l.Outstanding.Principal,
		PenaltyRate:    l.Product.PenaltyRate,
		PenaltyCharged: l.PenaltyCharged,
		PenaltyCap:     l.Pricing.PenaltyCap,
	}
}

// ExtensionDue is what an extension costs now: the product's extension fee
// plus all accrued penalty. Penalty must be cleared with the extension so
// the new cycle starts clean; principal, interest and fee stay owed.
func (l *Loan) ExtensionDue() (fee, penalty ledger.Money) {
	return l.Product.ExtensionFee, l.Outstanding.Penalty
}

// Extend records an extension paid with amount (exactly ExtensionDue's
// total) on business date business. It moves the due date by one cycle and
// ends any overdue spell. It is allowed while repaying, extended or
// overdue, not after settlement, and only if the new due date is still
// after business: an extension that leaves the loan overdue is refused.
func (l *Loan) Extend(paymentRef string, amount ledger.Money, business Date, now time.Time) (ledger.Transaction, error) {
	if business.IsZero() {
		return ledger.Transaction{}, errs.Required("businessDate")
	}
	next, err := l.step(EventExtend, now)
	if err != nil {
		return ledger.Transaction{}, err
	}
	fee, penalty := l.ExtensionDue()
	if fee <= 0 {
		return ledger.Transaction{}, errs.E(errs.Conflict, "loan %s: product %s cannot be extended", l.ID, l.Product.ID)
	}
	due, err := fee.Add(penalty)
	if err != nil {
		return ledger.Transaction{}, fmt.Errorf("loan %s: extension due: %w", l.ID, err)
	}
	if amount != due {
		return ledger.Transaction{}, errs.InvalidField("amount",
			"an extension costs %d (fee %d + penalty %d), got %d", due, fee, penalty, amount)
	}
	newDue := l.DueDate.AddDays(l.Pricing.Cycle)
	if !newDue.After(business) {
		return ledger.Transaction{}, errs.E(errs.Conflict,
			"loan %s: extending to %s would leave it overdue on %s", l.ID, newDue, business)
	}
	if next.Received, err = l.Received.Add(amount); err != nil {
		return ledger.Transaction{}, fmt.Errorf("loan %s: amount received: %w", l.ID, err)
	}
	tx, err := l.book().Extension(paymentRef, fee, penalty)
	if err != nil {
		return ledger.Transaction{}, err
	}
	next.Outstanding.Penalty = 0
	next.Extensions++
	next.OverDays = 0
	next.DueDate = newDue
	next.DueAt = l.DueAt.AddDate(0, 0, l.Pricing.Cycle)
	next.LastPaidAt = now
	*l = next
	return tx, nil
}

// WriteOff gives up everything an overdue loan still owes.
func (l *Loan) WriteOff(now time.Time) (ledger.Transaction, error) {
	next, err := l.step(EventWriteOff, now)
	if err != nil {
		return ledger.Transaction{}, err
	}
	total, err := l.Outstanding.Total()
	if err != nil {
		return ledger.Transaction{}, fmt.Errorf("loan %s: write-off: %w", l.ID, err)
	}
	tx, err := l.book().WriteOff(l.Outstanding)
	if err != nil {
		return ledger.Transaction{}, err
	}
	next.WrittenOff = total
	next.Outstanding = ledger.Buckets{}
	*l = next
	return tx, nil
}

// Refund pays amount of the borrower's credit back out, identified by the
// provider's refundRef.
func (l *Loan) Refund(refundRef string, amount ledger.Money, now time.Time) (ledger.Transaction, error) {
	next, err := l.step(EventRefundCredit, now)
	if err != nil {
		return ledger.Transaction{}, err
	}
	if amount <= 0 || amount > l.Credit {
		return ledger.Transaction{}, errs.InvalidField("amount", "must be 1–%d (the credit held), got %d", l.Credit, amount)
	}
	tx, err := l.book().Refund(refundRef, amount)
	if err != nil {
		return ledger.Transaction{}, err
	}
	next.Credit -= amount
	*l = next
	return tx, nil
}

// Facts states what the ledger must agree with for this loan.
func (l *Loan) Facts() ledger.LoanFacts {
	return ledger.LoanFacts{
		LoanID:         l.ID.String(),
		Currency:       l.Pricing.Currency,
		Principal:      l.Pricing.Principal,
		PaidOut:        l.PaidOut,
		FeesDue:        l.Pricing.FeesDue,
		Due:            l.Pricing.Due,
		Received:       l.Received,
		PenaltyCharged: l.PenaltyCharged,
		Outstanding:    l.Outstanding,
		Credit:         l.Credit,
		Closed:         !l.Status.Owing(),
	}
}
