package loan

import (
	"slices"
	"testing"
)

func TestCheckEligibility(t *testing.T) {
	p375 := func(t *testing.T) Product { return demo(t, "375") } // needs 3 settled loans
	tests := []struct {
		name    string
		product func(*testing.T) Product
		history History
		want    []ReasonCode
	}{
		{"a first-time borrower may take the entry product", func(t *testing.T) Product { return demo(t, "301") }, History{}, nil},
		{"a borrower with enough settled loans is eligible", p375, historyOf(StatusSettled, StatusSettled, StatusSettled, StatusRiskRejected), nil},
		{"too few settled loans are refused", p375, historyOf(StatusSettled, StatusSettled), []ReasonCode{ReasonTooFewSettled}},
		{"an unfinished loan blocks a second one", p375, historyOf(StatusSettled, StatusSettled, StatusSettled, StatusRepaying), []ReasonCode{ReasonUnfinishedLoan}},
		{"a failed disbursement still counts as unfinished", func(t *testing.T) Product { return demo(t, "301") }, historyOf(StatusDisbursementFailed), []ReasonCode{ReasonUnfinishedLoan}},
		{"a written-off loan is refused", func(t *testing.T) Product { return demo(t, "301") }, historyOf(StatusWrittenOff), []ReasonCode{ReasonWrittenOffLoans}},
		{"a product off sale is refused", func(t *testing.T) Product {
			p := demo(t, "301")
			p.OnSale = false
			return p
		}, History{}, []ReasonCode{ReasonNotOnSale}},
		{"every failed rule is reported", func(t *testing.T) Product {
			p := demo(t, "375")
			p.OnSale, p.Cycle = false, 0
			return p
		}, historyOf(StatusOverdue, StatusWrittenOff), []ReasonCode{ReasonProductInvalid, ReasonNotOnSale, ReasonTooFewSettled, ReasonUnfinishedLoan, ReasonWrittenOffLoans}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []ReasonCode
			for _, r := range CheckEligibility(tc.product(t), tc.history) {
				if r.Message == "" {
					t.Errorf("reason %s has no message", r.Code)
				}
				got = append(got, r.Code)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("reasons = %v, want %v", got, tc.want)
			}
		})
	}
}

// historyOf is the History of loans with these statuses, each paid out
// when its status says it was.
func historyOf(statuses ...Status) History {
	past := make([]PastLoan, len(statuses))
	for i, s := range statuses {
		past[i] = PastLoan{Status: s, Disbursed: s.Owing() || s == StatusSettled || s == StatusWrittenOff}
	}
	return HistoryOf(past...)
}

func TestHistoryOfCountsWhatEligibilityAndTheRiskDecisionRead(t *testing.T) {
	tests := []struct {
		name string
		past []PastLoan
		want History
	}{
		{"a first-time borrower has no history", nil, History{}},
		{"a refused application is neither paid out nor unfinished", []PastLoan{{Status: StatusRiskRejected}}, History{}},
		{"a loan waiting for its payout is unfinished but not paid out", []PastLoan{{Status: StatusDisbursing}},
			History{Unfinished: 1}},
		{"a settled loan keeps how late it was", []PastLoan{{Status: StatusSettled, Disbursed: true, OverDays: 4}},
			History{Settled: 1, Disbursed: 1, WorstDaysOverdue: 4}},
		{"an overdue loan is owing and overdue now", []PastLoan{
			{Status: StatusSettled, Disbursed: true, OverDays: 9},
			{Status: StatusOverdue, Disbursed: true, OverDays: 3},
		}, History{Settled: 1, Unfinished: 1, Disbursed: 2, Owing: 1, WorstDaysOverdue: 9, CurrentDaysOverdue: 3}},
		{"repaying and extended loans are owing, not overdue now", []PastLoan{
			{Status: StatusRepaying, Disbursed: true}, {Status: StatusExtended, Disbursed: true, OverDays: 2},
		}, History{Unfinished: 2, Disbursed: 2, Owing: 2, WorstDaysOverdue: 2}},
		{"a written-off loan was paid out", []PastLoan{{Status: StatusWrittenOff, Disbursed: true, OverDays: 60}},
			History{WrittenOff: 1, Disbursed: 1, WorstDaysOverdue: 60}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := HistoryOf(tc.past...); got != tc.want {
				t.Fatalf("HistoryOf = %+v, want %+v", got, tc.want)
			}
		})
	}
}
