// Package bookstats holds the figures of a lender's loan book that the
// operator console's dashboard shows (applications, approvals,
// disbursements, outstanding, overdue by days-past-due bucket, repayments,
// decision mix by rule), and draws them as SVG charts (Render).
//
// The figures are computed by the store (store.DB.BookStats); this package
// knows nothing of SQL or HTTP. Money is ledger.Money (int64 minor units)
// throughout, and no floating point is used, not even for chart geometry:
// every figure a chart shows is exactly the figure the store returned.
//
// The exact definition of each figure is in docs/dashboard.md and on the
// fields below.
package bookstats

import (
	"fmt"
	"math"
	"math/big"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/ledger"
)

// MaxDays caps a Query's period, so a hostile request cannot make the
// store build a statement with millions of day boundaries.
const MaxDays = 366

// Query selects the period the dashboard shows: whole business days from
// From up to and including To. Only the calendar dates of From and To are
// used (their year, month and day as they carry them); the business time
// zone that turns them into instants is the store's loc argument.
type Query struct {
	From, To time.Time
	// StuckBefore counts payouts pending or failed (status 5, 33) since
	// before it as stuck (Book.StuckPayouts); zero counts none.
	StuckBefore time.Time
}

// LastDays is the query for the n business days ending with now's date
// (in now's location), the dashboard's default view.
func LastDays(now time.Time, n int) Query {
	n = max(n, 1)
	return Query{From: now.AddDate(0, 0, 1-n), To: now}
}

// Days is the number of business days in the period (0 if To is before
// From).
func (q Query) Days() int {
	from, to := civil(q.From), civil(q.To)
	if to.Before(from) {
		return 0
	}
	// Both are UTC midnights, so the difference is whole days.
	return int(to.Sub(from)/(24*time.Hour)) + 1
}

// Validate checks the period is non-empty and at most MaxDays long.
func (q Query) Validate() error {
	if q.From.IsZero() || q.To.IsZero() {
		return errs.InvalidField("from", "the period needs a first and a last date")
	}
	switch n := q.Days(); {
	case n == 0:
		return errs.InvalidField("to", "the last date %s is before the first %s",
			q.To.Format(time.DateOnly), q.From.Format(time.DateOnly))
	case n > MaxDays:
		return errs.InvalidField("from", "the period is %d days; at most %d are shown at once", n, MaxDays)
	}
	return nil
}

// Bounds returns the instants at which the period's business days start
// in loc, and after them the instant the last day ends: len = Days()+1.
// A day is from one bound (inclusive) to the next (exclusive); days are 23
// or 25 hours long where loc changes its clocks.
func (q Query) Bounds(loc *time.Location) ([]time.Time, error) {
	if loc == nil {
		return nil, fmt.Errorf("bookstats: no business time zone")
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	y, m, d := q.From.Date()
	out := make([]time.Time, q.Days()+1)
	for i := range out {
		out[i] = time.Date(y, m, d+i, 0, 0, 0, 0, loc)
	}
	return out, nil
}

// civil is t's calendar date as a UTC midnight.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Day is one business day's figures. Each counts events whose time falls
// in the day in the business time zone.
type Day struct {
	Date time.Time // midnight starting the day, in the business time zone

	// Applications counts loans applied for (loans.applied_at).
	Applications int64
	// Approved counts loans approved, automatically or by a reviewer
	// (the latest decision, loans.decided_at, with auditRiskStatus 2).
	Approved int64
	// Rejected counts loans rejected, automatically or by a reviewer
	// (loans.decided_at with auditRiskStatus −1).
	Rejected int64
	// Disbursed is the principal ("balance") of the loans whose payout
	// the provider confirmed (loans.disbursed_at): the ledger's debit to
	// assets:receivable:principal in disbursement transactions.
	Disbursed      ledger.Money
	DisbursedLoans int64
	// Repaid is the cash collected from borrowers: successful repayment
	// and extension payments (payments.paid at payments.updated_at), which
	// is the ledger's debit to assets:cash:provider in repayment and
	// extension transactions booked that day.
	Repaid     ledger.Money
	Repayments int64
}

// Decisions is the number of approvals and rejections of the day.
func (d Day) Decisions() int64 { return d.Approved + d.Rejected }

// ApprovalRate is Approved out of Decisions, in basis points (10000 =
// 100 %); ok is false on a day without decisions.
func (d Day) ApprovalRate() (bp int64, ok bool) { return ratio(d.Approved, d.Decisions(), 10000) }

// Bucket is the overdue part of the book in one days-past-due range.
type Bucket struct {
	Label       string // "1-7", "8-30", "31-60", "60+"
	MinDPD      int
	MaxDPD      int // 0 means no upper bound
	Loans       int64
	Outstanding ledger.Money
}

// DPDBuckets are the days-past-due ranges the dashboard shows, with no
// figures. "60+" is 61 days and more (31-60 ends at 60).
func DPDBuckets() []Bucket {
	return []Bucket{
		{Label: "1-7", MinDPD: 1, MaxDPD: 7},
		{Label: "8-30", MinDPD: 8, MaxDPD: 30},
		{Label: "31-60", MinDPD: 31, MaxDPD: 60},
		{Label: "60+", MinDPD: 61},
	}
}

// BucketOf returns the index in DPDBuckets of a loan dpd days past due;
// anything below 1 (an overdue loan not yet counted by close of business)
// falls in the first.
func BucketOf(dpd int) int {
	bs := DPDBuckets()
	for i, b := range bs {
		if b.MaxDPD == 0 || dpd <= b.MaxDPD {
			return i
		}
	}
	return len(bs) - 1
}

// Decisions as RuleCount.Decision names them (the risk engine's words).
const (
	Accept = "Accept"
	Review = "Review"
	Reject = "Reject"
)

// RuleCount is how often a rule decided applications in the period.
type RuleCount struct {
	// Rule is the deciding rule as the decision records it: the reason
	// text of the rule (or of the policy's default) that decided, as
	// stored with the loan (auditRiskReson). It comes from policy files:
	// treat it as untrusted text.
	Rule     string
	Decision string // Accept, Review or Reject: the automatic decision
	Count    int64
}

// Book is the dashboard's figures for a period.
type Book struct {
	Query Query
	Zone  string // the business time zone's name
	Days  []Day  // one per day of the period, in order

	// As of GeneratedAt: open loans are those repaying, overdue or
	// extended (status 6, 7, 9); Outstanding is everything they still owe
	// (principal, interest, fee and penalty).
	OpenLoans   int64
	Outstanding ledger.Money
	// Overdue loans are open loans in status 7; their days past due are
	// overDays as of the last close of business. OverdueBuckets has one
	// entry per DPDBuckets range, in order, even when empty.
	OverdueLoans       int64
	OverdueOutstanding ledger.Money
	OverdueBuckets     []Bucket
	// DecisionMix counts the automatic decisions on the period's
	// applications by deciding rule, most frequent first.
	DecisionMix []RuleCount
	// ReviewQueueLoans counts loans waiting in manual review (status 3).
	ReviewQueueLoans int64
	// StuckPayouts counts loans whose payout is pending or failed
	// (status 5, 33) with no change since Query.StuckBefore;
	// PayoutsWaiting those whose payout failed with no automatic retry
	// left, waiting for an operator.
	StuckPayouts, PayoutsWaiting int64
	// PayoutsUnbooked counts loans the provider reported a payout paid on
	// that the loan could not take (paid out already by another attempt,
	// or cancelled): money sent that staff must recover.
	PayoutsUnbooked int64
	GeneratedAt     time.Time
}

// Totals sums the period's days.
func (b *Book) Totals() Day {
	var t Day
	for _, d := range b.Days {
		t.Applications = addSat(t.Applications, d.Applications)
		t.Approved = addSat(t.Approved, d.Approved)
		t.Rejected = addSat(t.Rejected, d.Rejected)
		t.Disbursed = ledger.Money(addSat(int64(t.Disbursed), int64(d.Disbursed)))
		t.DisbursedLoans = addSat(t.DisbursedLoans, d.DisbursedLoans)
		t.Repaid = ledger.Money(addSat(int64(t.Repaid), int64(d.Repaid)))
		t.Repayments = addSat(t.Repayments, d.Repayments)
	}
	return t
}

// OverdueRate is OverdueOutstanding out of Outstanding, in basis points;
// ok is false when nothing is outstanding.
func (b *Book) OverdueRate() (bp int64, ok bool) {
	return ratio(int64(b.OverdueOutstanding), int64(b.Outstanding), 10000)
}

// ratio is num/den scaled by scale and rounded half up; ok is false when
// den is not positive. Negative numerators count as zero.
func ratio(num, den, scale int64) (int64, bool) {
	if den <= 0 {
		return 0, false
	}
	r, err := ledger.MulDiv(ledger.Money(max(num, 0)), uint64(scale), uint64(den))
	if err != nil {
		return 0, false
	}
	return int64(r), true
}

// AddMoney is a+b for display: saturated at the int64 limits (as addSat)
// rather than an error, so no figure of the dashboard can fail it.
func AddMoney(a, b ledger.Money) ledger.Money { return ledger.Money(addSat(int64(a), int64(b))) }

// FromParts is hi×2³²+lo, the sum the store reads in two halves (the
// sums of the values' high and low 32 bits, so that no SQL aggregate can
// overflow), saturated at the int64 limits: a total the books could not
// hold shows as the largest figure, never as an error or a wrapped one.
func FromParts(hi, lo int64) ledger.Money {
	v := new(big.Int).Lsh(big.NewInt(hi), 32)
	v.Add(v, big.NewInt(lo))
	switch {
	case v.IsInt64():
		return ledger.Money(v.Int64())
	case v.Sign() > 0:
		return ledger.Money(math.MaxInt64)
	default:
		return ledger.Money(math.MinInt64)
	}
}

// addSat adds without wrapping: the sums are for display, and a total
// that does not fit shows as the largest value rather than a negative one.
func addSat(a, b int64) int64 {
	s := a + b
	switch {
	case b > 0 && s < a:
		return 1<<63 - 1
	case b < 0 && s > a:
		return -1 << 63
	}
	return s
}
