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
		{"a borrower with enough settled loans is eligible", p375, HistoryOf(StatusSettled, StatusSettled, StatusSettled, StatusRiskRejected), nil},
		{"too few settled loans are refused", p375, HistoryOf(StatusSettled, StatusSettled), []ReasonCode{ReasonTooFewSettled}},
		{"an unfinished loan blocks a second one", p375, HistoryOf(StatusSettled, StatusSettled, StatusSettled, StatusRepaying), []ReasonCode{ReasonUnfinishedLoan}},
		{"a failed disbursement still counts as unfinished", func(t *testing.T) Product { return demo(t, "301") }, HistoryOf(StatusDisbursementFailed), []ReasonCode{ReasonUnfinishedLoan}},
		{"a written-off loan is refused", func(t *testing.T) Product { return demo(t, "301") }, HistoryOf(StatusWrittenOff), []ReasonCode{ReasonWrittenOffLoans}},
		{"a product off sale is refused", func(t *testing.T) Product {
			p := demo(t, "301")
			p.OnSale = false
			return p
		}, History{}, []ReasonCode{ReasonNotOnSale}},
		{"every failed rule is reported", func(t *testing.T) Product {
			p := demo(t, "375")
			p.OnSale, p.Cycle = false, 0
			return p
		}, HistoryOf(StatusOverdue, StatusWrittenOff), []ReasonCode{ReasonProductInvalid, ReasonNotOnSale, ReasonTooFewSettled, ReasonUnfinishedLoan, ReasonWrittenOffLoans}},
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
