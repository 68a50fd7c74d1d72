package loandb_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"creditpocket/internal/bookstats"
	"creditpocket/internal/errs"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/store"
	"creditpocket/internal/store/loandb"
	"creditpocket/internal/store/storetest"
)

// bookLoan describes a loan as the book sees it; zero times are unset.
type bookLoan struct {
	applied, decided, reviewed, disbursed time.Time
	status                                loan.Status
	audit                                 loan.AuditRiskStatus
	reason                                string
	owed                                  ledger.Buckets
	overDays                              int
	payments                              []bookPayment
}

type bookPayment struct {
	kind, status string
	paid         ledger.Money
	at           time.Time
}

// storeBookLoan stores l for a borrower of its own, with its payments.
func storeBookLoan(t *testing.T, db *store.DB, n int, l bookLoan) {
	t.Helper()
	u := mustUser(t, db, fmt.Sprintf("2347068425%03d", n))
	a, err := loan.Apply(0, u.ID, loan.DemoProducts()[0], l.applied)
	if err != nil {
		t.Fatal(err)
	}
	r := &loan.Record{Loan: *a, RiskReason: l.reason}
	r.Status, r.AuditRiskStatus, r.DecidedAt, r.DisbursedAt = l.status, l.audit, l.decided, l.disbursed
	r.Outstanding, r.OverDays = l.owed, l.overDays
	if !l.reviewed.IsZero() {
		r.AuditUserID, r.AuditUserReason, r.AuditUserAt = "ops", "checked", l.reviewed
	}
	err = loandb.New(db).Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
		if err := tx.InsertLoan(ctx, r); err != nil {
			return err
		}
		for i, p := range l.payments {
			if err := tx.InsertPayment(ctx, &loan.Payment{Reference: fmt.Sprintf("pay-%d-%d", n, i), LoanID: r.ID,
				UserID: u.ID, Kind: p.kind, Amount: p.paid, Paid: p.paid, Status: p.status,
				IdempotencyKey: fmt.Sprintf("k%d", i), CreatedAt: p.at.Add(-time.Minute), UpdatedAt: p.at}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestBookStatsCountsEachFigureOnItsBusinessDay(t *testing.T) {
	lagos, err := time.LoadLocation("Africa/Lagos")
	if err != nil {
		t.Skip("no zone data:", err)
	}
	at := func(month, day, hour, minute int) time.Time {
		return time.Date(2026, time.Month(month), day, hour, minute, 0, 0, lagos)
	}
	full := ledger.Buckets{Principal: 600000, Interest: 21000, Fee: 229000}
	late := func(penalty ledger.Money) ledger.Buckets { b := full; b.Penalty = penalty; return b }
	book := []bookLoan{
		// 20 Nov: applied, approved and disbursed at once; still repaying.
		{applied: at(11, 20, 10, 0), decided: at(11, 20, 10, 0), disbursed: at(11, 20, 10, 5),
			status: loan.StatusRepaying, audit: loan.AuditApproved, reason: reasonEligible, owed: full},
		// 00:30 on 21 Nov in Lagos is still 20 Nov in UTC: a 21 Nov rejection.
		{applied: at(11, 21, 0, 30), decided: at(11, 21, 0, 30),
			status: loan.StatusRiskRejected, audit: loan.AuditRejected, reason: reasonBlacklistedID},
		// Applied before the period, approved by a reviewer on 21 Nov, now 12 days overdue.
		{applied: at(11, 19, 12, 0), decided: at(11, 21, 9, 0), reviewed: at(11, 21, 9, 0), disbursed: at(11, 21, 9, 10),
			status: loan.StatusOverdue, audit: loan.AuditApproved, reason: reasonGreylisted, owed: late(72000), overDays: 12},
		// 21 Nov: referred to review and still waiting.
		{applied: at(11, 21, 11, 0), decided: at(11, 21, 11, 0),
			status: loan.StatusManualReview, audit: loan.AuditReview, reason: reasonGreylisted},
		// 22 Nov: referred, then rejected by a reviewer the same day.
		{applied: at(11, 22, 8, 0), decided: at(11, 22, 15, 0), reviewed: at(11, 22, 15, 0),
			status: loan.StatusManualRejected, audit: loan.AuditRejected, reason: reasonGreylisted},
		// Long overdue (70 days), partly repaid on 22 Nov; a failed attempt counts for nothing.
		{applied: at(10, 1, 9, 0), decided: at(10, 1, 9, 0), disbursed: at(10, 1, 9, 5),
			status: loan.StatusOverdue, audit: loan.AuditApproved, reason: reasonEligible,
			owed: ledger.Buckets{Principal: 500000, Penalty: 180000}, overDays: 70,
			payments: []bookPayment{
				{loan.PayRepayment, loan.PaySuccess, 100000, at(11, 22, 12, 0)},
				{loan.PayRepayment, loan.PayFailed, 0, at(11, 22, 13, 0)},
			}},
		// Settled on 20 Nov; its payout and a pending checkout are not repayments.
		{applied: at(11, 10, 9, 0), decided: at(11, 10, 9, 0), disbursed: at(11, 10, 9, 5),
			status: loan.StatusSettled, audit: loan.AuditApproved, reason: reasonWhitelist,
			payments: []bookPayment{
				{loan.PayDisbursement, loan.PaySuccess, 600000, at(11, 10, 9, 5)},
				{loan.PayRepayment, loan.PaySuccess, 850000, at(11, 20, 14, 0)},
				{loan.PayRepayment, loan.PayPending, 0, at(11, 20, 15, 0)},
			}},
		// Extended on 21 Nov: the extension fee is cash collected.
		{applied: at(11, 5, 9, 0), decided: at(11, 5, 9, 0), disbursed: at(11, 5, 9, 5),
			status: loan.StatusExtended, audit: loan.AuditApproved, reason: reasonEligible, owed: full,
			payments: []bookPayment{{loan.PayExtension, loan.PaySuccess, 120000, at(11, 21, 16, 0)}}},
		// Three days overdue.
		{applied: at(11, 1, 9, 0), decided: at(11, 1, 9, 0), disbursed: at(11, 1, 9, 5),
			status: loan.StatusOverdue, audit: loan.AuditApproved, reason: reasonEligible, owed: late(18000), overDays: 3},
		// After the period (00:10 on 23 Nov): open, but not in the days.
		{applied: at(11, 23, 0, 10), decided: at(11, 23, 0, 10), disbursed: at(11, 23, 0, 15),
			status: loan.StatusRepaying, audit: loan.AuditApproved, reason: reasonEligible, owed: full},
		// Written off: not open.
		{applied: at(8, 1, 9, 0), decided: at(8, 1, 9, 0), disbursed: at(8, 1, 9, 5),
			status: loan.StatusWrittenOff, audit: loan.AuditApproved, reason: reasonEligible, overDays: 95},
	}
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		for i, l := range book {
			storeBookLoan(t, db, i, l)
		}
		q := bookstats.Query{From: at(11, 20, 0, 0), To: at(11, 22, 0, 0)}
		got, err := loandb.New(db).BookStats(ctx, q, lagos)
		if err != nil {
			t.Fatal(err)
		}

		t.Run("each day counts what happened in it in the business zone", func(t *testing.T) {
			want := []bookstats.Day{
				{Date: at(11, 20, 0, 0), Applications: 1, Approved: 1, Disbursed: 600000, DisbursedLoans: 1, Repaid: 850000, Repayments: 1},
				{Date: at(11, 21, 0, 0), Applications: 2, Approved: 1, Rejected: 1, Disbursed: 600000, DisbursedLoans: 1, Repaid: 120000, Repayments: 1},
				{Date: at(11, 22, 0, 0), Applications: 1, Rejected: 1, Repaid: 100000, Repayments: 1},
			}
			if len(got.Days) != len(want) {
				t.Fatalf("%d days, want %d", len(got.Days), len(want))
			}
			for i := range want {
				g := got.Days[i]
				if !g.Date.Equal(want[i].Date) {
					t.Errorf("day %d starts %v, want %v", i, g.Date, want[i].Date)
				}
				g.Date = want[i].Date
				if g != want[i] {
					t.Errorf("day %s:\n got %+v\nwant %+v", want[i].Date.Format(time.DateOnly), g, want[i])
				}
			}
		})
		t.Run("the open book is every repaying, overdue and extended loan", func(t *testing.T) {
			// 3 × full (850,000) + 12-day (922,000) + 70-day (680,000) + 3-day (868,000).
			if got.OpenLoans != 6 || got.Outstanding != 3*850000+922000+680000+868000 {
				t.Fatalf("open %d loans owing %d", got.OpenLoans, got.Outstanding)
			}
			if got.OverdueLoans != 3 || got.OverdueOutstanding != 922000+680000+868000 {
				t.Fatalf("overdue %d loans owing %d", got.OverdueLoans, got.OverdueOutstanding)
			}
		})
		t.Run("overdue loans fall in their days-past-due bucket", func(t *testing.T) {
			want := bookstats.DPDBuckets()
			want[0].Loans, want[0].Outstanding = 1, 868000
			want[1].Loans, want[1].Outstanding = 1, 922000
			want[3].Loans, want[3].Outstanding = 1, 680000
			if !reflect.DeepEqual(got.OverdueBuckets, want) {
				t.Fatalf("buckets\n got %+v\nwant %+v", got.OverdueBuckets, want)
			}
		})
		t.Run("the decision mix counts the period's applications by their automatic decision", func(t *testing.T) {
			want := []bookstats.RuleCount{
				{Rule: reasonGreylisted, Decision: bookstats.Review, Count: 2},
				{Rule: reasonEligible, Decision: bookstats.Accept, Count: 1},
				{Rule: reasonBlacklistedID, Decision: bookstats.Reject, Count: 1},
			}
			if !reflect.DeepEqual(got.DecisionMix, want) {
				t.Fatalf("mix\n got %+v\nwant %+v", got.DecisionMix, want)
			}
		})
		t.Run("the review queue is the loans waiting for a person", func(t *testing.T) {
			if got.ReviewQueueLoans != 1 {
				t.Fatalf("review queue %d, want 1", got.ReviewQueueLoans)
			}
		})
		t.Run("a period with nothing in it is all zeros", func(t *testing.T) {
			quiet, err := loandb.New(db).BookStats(ctx, bookstats.Query{From: at(12, 1, 0, 0), To: at(12, 31, 0, 0)}, lagos)
			if err != nil {
				t.Fatal(err)
			}
			if tot := quiet.Totals(); len(quiet.Days) != 31 || tot != (bookstats.Day{}) || len(quiet.DecisionMix) != 0 {
				t.Fatalf("quiet December: %d days, totals %+v, mix %v", len(quiet.Days), tot, quiet.DecisionMix)
			}
		})
		t.Run("a bad period is refused", func(t *testing.T) {
			_, err := loandb.New(db).BookStats(ctx, bookstats.Query{From: at(11, 22, 0, 0), To: at(11, 20, 0, 0)}, lagos)
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("reversed period: %v", err)
			}
			if _, err := loandb.New(db).BookStats(ctx, q, nil); err == nil {
				t.Fatal("no time zone was accepted")
			}
		})
	})
}

// Reasons the default risk policy gives, as loans record them.
const (
	reasonEligible      = "System automatic approve"
	reasonGreylisted    = "Borrower on the internal greylist"
	reasonWhitelist     = "Whitelist customers system automatic approve"
	reasonBlacklistedID = "BVN in the internal Blacklist"
)

// TestBookStatsNeverOverflow stores a book whose figures cannot be held in
// 64 bits — outstanding amounts, payouts and repayments near the int64
// limit on several loans of one day — and checks the dashboard's sums
// come back saturated at the largest figure, exact where they fit, and
// never as an error.
func TestBookStatsNeverOverflow(t *testing.T) {
	day := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	huge := ledger.Money(math.MaxInt64)
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		for i := range 3 {
			storeBookLoan(t, db, i, bookLoan{applied: day, decided: day, disbursed: day,
				status: loan.StatusOverdue, audit: loan.AuditApproved, reason: reasonEligible, overDays: 3,
				owed:     ledger.Buckets{Principal: huge, Interest: huge, Fee: huge, Penalty: huge},
				payments: []bookPayment{{loan.PayRepayment, loan.PaySuccess, huge, day}}})
		}
		// One loan that fits, to show exact sums of the two halves.
		storeBookLoan(t, db, 3, bookLoan{applied: day, decided: day, disbursed: day,
			status: loan.StatusRepaying, audit: loan.AuditApproved, reason: reasonEligible,
			owed: ledger.Buckets{Principal: 1<<40 + 7, Interest: 1<<32 - 1}})
		if err := db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE loans SET balance = $1 WHERE status = $2`, int64(huge), int(loan.StatusOverdue))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		got, err := loandb.New(db).BookStats(ctx, bookstats.Query{From: day, To: day}, time.UTC)
		if err != nil {
			t.Fatalf("BookStats: %v", err)
		}
		d := got.Days[0]
		if d.Disbursed != huge || d.Repaid != huge || got.Outstanding != huge || got.OverdueOutstanding != huge {
			t.Fatalf("saturated figures: disbursed %d, repaid %d, outstanding %d, overdue %d", d.Disbursed, d.Repaid, got.Outstanding, got.OverdueOutstanding)
		}
		if got.OpenLoans != 4 || got.OverdueLoans != 3 {
			t.Fatalf("open %d, overdue %d", got.OpenLoans, got.OverdueLoans)
		}
		if charts := bookstats.Render(got); len(charts) == 0 {
			t.Fatal("no charts rendered")
		}
	})
}

func TestBookStatsSumsExactlyInTwoHalves(t *testing.T) {
	day := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		owed := []ledger.Buckets{{Principal: 1<<40 + 7, Interest: 1<<32 - 1}, {Principal: math.MaxInt64 / 4, Fee: 3}, {Principal: 5}}
		var want ledger.Money
		for i, o := range owed {
			storeBookLoan(t, db, i, bookLoan{applied: day, decided: day, disbursed: day,
				status: loan.StatusRepaying, audit: loan.AuditApproved, reason: reasonEligible, owed: o})
			total, _ := o.Total()
			want += total
		}
		got, err := loandb.New(db).BookStats(ctx, bookstats.Query{From: day, To: day}, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if got.Outstanding != want {
			t.Fatalf("outstanding %d, want %d", got.Outstanding, want)
		}
	})
}
