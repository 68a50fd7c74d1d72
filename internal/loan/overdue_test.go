package loan

import (
	"testing"

	"creditpocket/internal/ledger"
)

func date(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAccrue(t *testing.T) {
	due := date(t, "2022-01-22")
	base := OverdueState{DueDate: due, Principal: 1600000, PenaltyRate: 10000, PenaltyCap: 480000}
	tests := []struct {
		name     string
		state    func(OverdueState) OverdueState
		business string
		want     Accrual
	}{
		{"charges nothing before the due date", nil, "2022-01-21", Accrual{}},
		{"charges nothing on the due date itself", nil, "2022-01-22", Accrual{}},
		{"charges one day the day after", nil, "2022-01-23", Accrual{OverDays: 1, Days: 1, Penalty: 16000}},
		{"charges the next day on top", func(s OverdueState) OverdueState {
			s.AccruedThrough, s.PenaltyCharged = due.AddDays(1), 16000
			return s
		}, "2022-01-24", Accrual{OverDays: 2, Days: 1, Penalty: 16000}},
		{"posts nothing on a re-run of an accrued date", func(s OverdueState) OverdueState {
			s.AccruedThrough, s.PenaltyCharged = due.AddDays(1), 16000
			return s
		}, "2022-01-23", Accrual{OverDays: 1}},
		{"catches up missed runs in one posting", func(s OverdueState) OverdueState {
			s.AccruedThrough, s.PenaltyCharged = due.AddDays(1), 16000
			return s
		}, "2022-01-26", Accrual{OverDays: 4, Days: 3, Penalty: 48000}},
		{"stops at the cap", func(s OverdueState) OverdueState {
			s.AccruedThrough, s.PenaltyCharged = due.AddDays(29), 470000
			return s
		}, "2022-02-21", Accrual{OverDays: 30, Days: 1, Penalty: 10000, CapReached: true}},
		{"charges nothing past the cap", func(s OverdueState) OverdueState {
			s.AccruedThrough, s.PenaltyCharged = due.AddDays(30), 480000
			return s
		}, "2022-02-22", Accrual{OverDays: 31, Days: 1, CapReached: true}},
		{"caps a long catch-up without overflowing", func(s OverdueState) OverdueState {
			s.PenaltyRate = MaxDailyRate
			return s
		}, "9999-12-31", Accrual{OverDays: date(t, "9999-12-31").DaysSince(due), Days: date(t, "9999-12-31").DaysSince(due), Penalty: 480000, CapReached: true}},
		{"charges on the principal left after a partial repayment", func(s OverdueState) OverdueState {
			s.Principal = 1000000
			return s
		}, "2022-01-23", Accrual{OverDays: 1, Days: 1, Penalty: 10000}},
		{"rounds the daily penalty half up", func(s OverdueState) OverdueState {
			s.Principal = 150 // 1 % of 150 = 1.5
			return s
		}, "2022-01-23", Accrual{OverDays: 1, Days: 1, Penalty: 2}},
		{"starts afresh from a due date moved by an extension", func(s OverdueState) OverdueState {
			s.DueDate, s.AccruedThrough, s.PenaltyCharged = due.AddDays(7), due.AddDays(3), 48000
			return s
		}, "2022-01-30", Accrual{OverDays: 1, Days: 1, Penalty: 16000}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := base
			if tc.state != nil {
				s = tc.state(s)
			}
			business := date(t, tc.business)
			tc.want.BusinessDate = business
			got, err := Accrue(s, business)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Accrue(%s)\n got %+v\nwant %+v", tc.business, got, tc.want)
			}
			if again, _ := Accrue(s, business); again != got {
				t.Errorf("a re-run gave %+v", again)
			}
		})
	}
	t.Run("refuses a missing business date", func(t *testing.T) {
		if _, err := Accrue(base, Date{}); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("refuses negative inputs", func(t *testing.T) {
		s := base
		s.Principal = -1
		if _, err := Accrue(s, due.AddDays(1)); err == nil {
			t.Fatal("no error")
		}
	})
}

func TestPenaltyNeverExceedsTheCap(t *testing.T) {
	s := OverdueState{DueDate: date(t, "2022-01-22"), Principal: 1600000, PenaltyRate: 7777, PenaltyCap: 100001}
	for d := 1; d <= 60; d++ {
		a, err := Accrue(s, s.DueDate.AddDays(d))
		if err != nil {
			t.Fatal(err)
		}
		s.PenaltyCharged += a.Penalty
		s.AccruedThrough = a.BusinessDate
		if s.PenaltyCharged > s.PenaltyCap {
			t.Fatalf("day %d: charged %d over cap %d", d, s.PenaltyCharged, s.PenaltyCap)
		}
	}
	if s.PenaltyCharged != s.PenaltyCap {
		t.Errorf("charged %d after 60 days, want the cap %d", s.PenaltyCharged, ledger.Money(100001))
	}
}
