package reportgen

import (
	"bytes"
	"strings"
	"testing"

	cr "creditpocket/internal/creditreport"
)

func TestGenerate(t *testing.T) {
	t.Run("the same profile and seed give the same report", func(t *testing.T) {
		for _, p := range Profiles {
			a, _ := Generate(p, 7)
			b, _ := Generate(p, 7)
			ja, _ := cr.Marshal(a)
			jb, _ := cr.Marshal(b)
			if !bytes.Equal(ja, jb) {
				t.Errorf("%s: two runs differ", p)
			}
		}
	})
	t.Run("different seeds give different reports", func(t *testing.T) {
		a, _ := Generate(Typical, 1)
		b, _ := Generate(Typical, 2)
		if a.CreditHeader.SerialNo == b.CreditHeader.SerialNo {
			t.Error("seeds 1 and 2 share a serial number")
		}
	})
	t.Run("an unknown profile is an error", func(t *testing.T) {
		if _, err := Generate("bogus", 1); err == nil {
			t.Error("no error")
		}
	})
	t.Run("a thin report has no account", func(t *testing.T) {
		r, _ := Generate(Thin, 1)
		if n := accountCount(r); n != 0 {
			t.Errorf("%d accounts", n)
		}
	})
	t.Run("a thick report has 40+ accounts and 30+ queries", func(t *testing.T) {
		r, _ := Generate(Thick, 1)
		if n := accountCount(r); n < 40 {
			t.Errorf("%d accounts", n)
		}
		if n := len(r.QueryRecord); n < 30 {
			t.Errorf("%d queries", n)
		}
	})
	t.Run("the hint total counts every loan and card", func(t *testing.T) {
		for _, p := range Profiles {
			r, _ := Generate(p, 3)
			d := r.CreditTransInfoDetail
			want := itoa(len(d.AcyclicCreditAccount) + len(d.CyclicalAmountPerAccount) + len(d.CyclicalLoanAccount) + len(d.CreditAccount) + len(d.QuasiCreditAccount))
			if got := r.InfoSummary.CreditTransInfoHint.TotalAccountNum; got != want {
				t.Errorf("%s: total %s, want %s", p, got, want)
			}
		}
	})
}

func accountCount(r *cr.Report) int {
	d := r.CreditTransInfoDetail
	return len(d.RecoveryInfo) + len(d.AcyclicCreditAccount) + len(d.CyclicalAmountPerAccount) + len(d.CyclicalLoanAccount) +
		len(d.CreditAccount) + len(d.QuasiCreditAccount) + len(d.ConcernedRefundDutyInfo.ConcernRefundPersonBorrow) +
		len(d.ConcernedRefundDutyInfo.ConcernRefundCompanyBorrow)
}

// TestEveryStateProfileCoversEveryState checks the promise of the profile:
// every state of every account kind, each with exactly one state table, and
// every repayment status code somewhere in a grid.
func TestEveryStateProfileCoversEveryState(t *testing.T) {
	r, err := Generate(EveryState, 5)
	if err != nil {
		t.Fatal(err)
	}
	d := r.CreditTransInfoDetail
	for name, list := range map[string][]cr.LoanAccount{"acyclic": d.AcyclicCreditAccount, "cyclic amount": d.CyclicalAmountPerAccount, "cyclic loan": d.CyclicalLoanAccount} {
		var got []string
		for _, a := range list {
			s := a.AccountState
			if n := countSet(s.Normal != nil, s.BadDebt != nil, s.Transfer != nil, s.Clear != nil); n != 1 {
				t.Errorf("%s %s: %d state tables filled", name, s.Value, n)
			}
			got = append(got, s.Value)
		}
		if strings.Join(got, ",") != strings.Join(loanStates, ",") {
			t.Errorf("%s states = %v", name, got)
		}
	}
	for _, a := range d.CreditAccount {
		s := a.AccountState
		if n := countSet(s.Normal != nil, s.BadDebt != nil, s.AccountCanceled != nil, s.Inactive != nil); n != 1 {
			t.Errorf("card %s: %d state tables filled", s.Value, n)
		}
	}
	if len(d.CreditAccount) != len(cardStates) || len(d.QuasiCreditAccount) != len(quasiStates) {
		t.Errorf("%d cards, %d quasi cards", len(d.CreditAccount), len(d.QuasiCreditAccount))
	}
	codes := map[string]bool{}
	for _, a := range d.AcyclicCreditAccount {
		for _, y := range a.RefundRecord.Detail {
			for _, m := range y.Month {
				codes[m.State] = true
			}
		}
	}
	for _, c := range "N*1234567BCDZGMA#/" {
		if !codes[string(c)] {
			t.Errorf("status %q never appears", c)
		}
	}
	if r.AntiHackInfo == nil || len(r.ObjectionLabel) == 0 || len(r.QueryRecord) < 30 {
		t.Error("anti-fraud warning, objection or 30+ queries missing")
	}
	p := r.PublicInfoDetail
	if countSet(len(p.OwingTaxRecord) > 0, len(p.CivilJudgmentRecord) > 0, len(p.ForceExecuteRecord) > 0, len(p.AdministrativePenaltyRecord) > 0,
		len(p.HousingProvidentFundContributionRecord) > 0, len(p.LowSecurityRescueRecord) > 0, len(p.ExecutiveQualificationRecord) > 0, len(p.AdministrativeRewardRecord) > 0) != 8 {
		t.Error("a public-record kind is missing")
	}
}

func countSet(flags ...bool) int {
	n := 0
	for _, f := range flags {
		if f {
			n++
		}
	}
	return n
}

func TestMoney(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 500000: "500,000", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := money(in); got != want {
			t.Errorf("money(%d) = %q, want %q", in, got, want)
		}
	}
}
