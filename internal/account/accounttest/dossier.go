package accounttest

import (
	"context"
	"reflect"
	"testing"

	"creditpocket/internal/account"
)

func overviewAndCreditReport(t *testing.T, st account.Store) {
	u := mustUser(t, st, "08031234567")
	read := func(t *testing.T) (o, alone *account.Overview, cr *account.CreditReport) {
		t.Helper()
		err := st.View(ctx, func(ctx context.Context, x account.Tx) error {
			var err error
			if o, cr, err = x.OverviewAndCreditReport(ctx, u.ID); err != nil {
				return err
			}
			alone, err = x.Overview(ctx, u.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return o, alone, cr
	}
	t.Run("without a report the overview comes alone", func(t *testing.T) {
		o, alone, cr := read(t)
		if cr != nil || !reflect.DeepEqual(o, alone) {
			t.Fatalf("overview %+v and report %+v; want the overview %+v and no report", o, cr, alone)
		}
	})
	t.Run("the newest report comes with the overview", func(t *testing.T) {
		var newest *account.CreditReport
		for i, serial := range []string{"S-1", "S-2"} {
			r := &account.CreditReport{UserID: u.ID, SerialNo: serial, ReportTime: "2026-11-2" + serial[2:], IDNumberHash: "h",
				Accounts: 3 + i, OverdueAccounts: 1 + i, LongestOverdueMonths: 2, BadDebts: i, QueriesLastMonth: 4, BlobKey: "k" + serial, CreatedAt: t0}
			if err := st.Tx(ctx, func(ctx context.Context, x account.Tx) error { return x.SaveCreditReport(ctx, r) }); err != nil {
				t.Fatal(err)
			}
			newest = r
		}
		o, alone, cr := read(t)
		if !reflect.DeepEqual(o, alone) {
			t.Errorf("overview %+v; want %+v", o, alone)
		}
		if cr == nil || !reflect.DeepEqual(*cr, *newest) {
			t.Errorf("report = %+v; want the newest %+v", cr, newest)
		}
	})
}
