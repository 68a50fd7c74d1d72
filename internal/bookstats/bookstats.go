// Package bookstats holds the figures of a lender's loan book that the
// operator console's dashboard shows (applications, approvals,
// disbursements, outstanding, overdue by days-past-due bucket, repayments,
// decision mix by rule), and draws them as SVG charts.
//
// The figures are computed by the store (store.DB.BookStats); this package
// knows nothing of SQL or HTTP.
package bookstats

import (
	"time"

	"creditpocket/internal/ledger"
)

// Query selects the period the dashboard shows: whole business days from
// From up to and including To, in the business time zone.
type Query struct {
	From, To time.Time
}

// Day is one business day's figures.
type Day struct {
	Date         time.Time
	Applications int64
	Approved     int64 // approved automatically or by a reviewer
	Rejected     int64
	Disbursed    ledger.Money // principal paid out
	Repaid       ledger.Money // repayments collected
}

// Bucket is the overdue part of the book in one days-past-due range.
type Bucket struct {
	Label       string // "1-7", "8-30", "31-60", "60+"
	MinDPD      int
	MaxDPD      int // 0 means no upper bound
	Loans       int64
	Outstanding ledger.Money
}

// RuleCount is how often a rule decided applications in the period.
type RuleCount struct {
	RuleID   string
	Name     string
	Decision string // Accept, Review, Reject
	Count    int64
}

// Book is the dashboard's figures for a period.
type Book struct {
	Query            Query
	Days             []Day
	OpenLoans        int64
	Outstanding      ledger.Money // principal + charges still owed on open loans
	OverdueLoans     int64
	OverdueBuckets   []Bucket
	DecisionMix      []RuleCount
	ReviewQueueLoans int64
	GeneratedAt      time.Time
}
