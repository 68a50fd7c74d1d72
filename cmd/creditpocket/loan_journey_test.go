package main

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"testing"
	"time"

	"creditpocket/internal/loan"
	"creditpocket/internal/loan/cob"
	"creditpocket/internal/store"
	"creditpocket/internal/store/loandb"
	"creditpocket/internal/store/storetest"
)

// TestLoanJourneyFromSignUpToSettlement walks the whole happy path on each
// engine: register → profile → card → apply → decision → disbursement
// webhook → status 6 → partial repayment → full repayment → status 8, and
// the ledger verifies clean.
func TestLoanJourneyFromSignUpToSettlement(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newLoanApp(t, e, nil)
		tok := a.borrower("07068425023")

		var products []struct {
			ID            string `json:"id"`
			ServiceFee    int64  `json:"serviceFee"`
			SuffixFee     int64  `json:"suffixFee"`
			ShouldbackFee string `json:"shouldbackFee"`
		}
		a.ok("GET", "/home/products", nil, "").decode(t, &products)
		if len(products) != 4 || products[0].ID != "301" || products[0].SuffixFee != 250000 || products[0].ShouldbackFee != "850000" {
			t.Fatalf("home products = %+v", products)
		}

		e1 := a.applyReq(tok, "301")
		if e1.Status != 200 {
			t.Fatalf("apply = %d %q", e1.Status, e1.Message)
		}
		var page struct {
			List  []loanRecord `json:"list"`
			Total string       `json:"total"`
		}
		e1.decode(t, &page)
		if page.Total != "1" || len(page.List) != 1 {
			t.Fatalf("apply answered %+v", page)
		}
		l := page.List[0]
		if l.Status != int(loan.StatusDisbursing) || l.AuditRiskStatus != 2 || l.AuditRiskReson != "System automatic approve" || l.HeadImgCode == "" {
			t.Fatalf("after apply: %+v", l)
		}
		if l.ActualBalance != "0" || l.ServiceFee != 229000 || l.SuffixFee != 250000 || l.ShouldbackFee != "850000" {
			t.Fatalf("priced wrong: %+v", l)
		}
		t.Run("a second application while one is unfinished is refused", func(t *testing.T) {
			if r := a.applyReq(tok, "301"); r.Status != http.StatusConflict {
				t.Fatalf("second apply = %d %q", r.Status, r.Message)
			}
		})

		a.deliver()
		l = a.latest(tok)
		if l.Status != int(loan.StatusRepaying) || l.ActualBalance != "600000" || l.RemainingAmount != "850000" || l.ShouldbackTime == "" {
			t.Fatalf("after the payout webhook: %+v", l)
		}

		c := a.pay(tok, l.ID, "k-part", 300000)
		l = a.latest(tok)
		if l.Status != int(loan.StatusRepaying) || l.ActualbackAmt != "300000" || l.RemainingAmount != "550000" {
			t.Fatalf("after a partial repayment: %+v", l)
		}
		t.Run("the same key and body answer the first checkout", func(t *testing.T) {
			var again checkout
			r := a.repay(tok, "k-part", map[string]string{"id": l.ID, "amount": "300000"})
			r.decode(t, &again)
			if r.Status != 200 || again.Reference != c.Reference {
				t.Fatalf("replay = %d %q %+v, want reference %s", r.Status, r.Message, again, c.Reference)
			}
		})
		t.Run("the same key with another body is a conflict", func(t *testing.T) {
			if r := a.repay(tok, "k-part", map[string]string{"id": l.ID, "amount": "1"}); r.Status != http.StatusConflict {
				t.Fatalf("reused key = %d %q", r.Status, r.Message)
			}
		})
		t.Run("a repayment without a key is refused", func(t *testing.T) {
			if r := a.req("POST", "/loan/record/repay", map[string]string{"id": l.ID}, tok); r.Status != 400 || !strings.HasPrefix(r.Message, "Idempotency-Key") {
				t.Fatalf("no key = %d %q", r.Status, r.Message)
			}
		})

		// The seed's GET repays everything outstanding.
		var full checkout
		a.ok("GET", "/loan/record/repay?id="+l.ID, nil, tok).decode(t, &full)
		if full.Amount != "550000" || !strings.Contains(full.CheckoutURL, full.Reference) {
			t.Fatalf("full repayment checkout = %+v", full)
		}
		var same checkout
		a.ok("GET", "/loan/record/repay?id="+l.ID, nil, tok).decode(t, &same)
		if same.Reference != full.Reference {
			t.Fatalf("a repeated GET opened another checkout: %s then %s", full.Reference, same.Reference)
		}
		a.ok("POST", "/sandbox/payments/"+full.Reference+"/complete", map[string]string{}, "")
		a.deliver()
		l = a.latest(tok)
		if l.Status != int(loan.StatusSettled) || l.ActualbackAmt != "850000" || l.RemainingAmount != "" {
			t.Fatalf("after the full repayment: %+v", l)
		}
		if r := a.req("GET", "/loan/record/latestUnfinished", nil, tok); r.Status != 200 || string(r.Data) != "null" {
			t.Fatalf("latestUnfinished after settlement = %d %s", r.Status, r.Data)
		}
		var msgs struct {
			List []struct {
				Title string `json:"title"`
			} `json:"list"`
		}
		a.ok("GET", "/message/page?pageSize=20", nil, tok).decode(t, &msgs)
		var titles []string
		for _, m := range msgs.List {
			titles = append(titles, m.Title)
		}
		for _, want := range []string{"Loan approved", "Loan disbursed", "Payment received"} {
			if !strings.Contains(strings.Join(titles, "|"), want) {
				t.Errorf("message centre %v lacks %q", titles, want)
			}
		}
		a.verifyClean()

		t.Run("ledger verify as a command exits zero, and non-zero naming a tampered loan", func(t *testing.T) {
			var out, errOut strings.Builder
			args := []string{"ledger", "verify", "--data", a.app.Config.DataDir}
			if a.app.Config.DatabaseURL != "" {
				args = append(args, "--database-url", a.app.Config.DatabaseURL)
			}
			if err := run(context.Background(), args, noEnv, &out, &errOut); err != nil {
				t.Fatalf("ledger verify: %v\n%s%s", err, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), "no violations") {
				t.Fatalf("ledger verify said %q", out.String())
			}
			// A loan record that disagrees with the ledger is named.
			if err := a.app.DB.Transact(context.Background(), sql.LevelReadCommitted, func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.Exec(context.Background(), `UPDATE loans SET received = received + 1 WHERE id = $1`, money(l.ID))
				return err
			}); err != nil {
				t.Fatal(err)
			}
			out.Reset()
			if err := run(context.Background(), args, noEnv, &out, &errOut); err == nil {
				t.Fatalf("ledger verify passed a tampered loan:\n%s", out.String())
			}
			if !strings.Contains(out.String(), "VIOLATION repaid-mismatch loan="+l.ID) {
				t.Fatalf("ledger verify did not name the broken rule: %q", out.String())
			}
		})
	})
}

func noEnv(string) (string, bool) { return "", false }

// TestOverdueLoanAccruesPenaltyAndIsRepaid takes a loan past its due date:
// close of business marks it overdue with a capped daily penalty, exactly
// once per business date, and a repayment clears penalty first.
func TestOverdueLoanAccruesPenaltyAndIsRepaid(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		lagos, _ := time.LoadLocation("Africa/Lagos")
		c := &clock{t: time.Date(2026, 1, 15, 10, 0, 0, 0, lagos)}
		a := newLoanApp(t, e, c)
		tok := a.borrower("07068425023")
		if r := a.applyReq(tok, "301"); r.Status != 200 {
			t.Fatalf("apply = %d %q", r.Status, r.Message)
		}
		a.deliver()
		l := a.latest(tok)
		if l.ShouldbackTime != "2026-01-22 10:00:00" {
			t.Fatalf("due %q, want 2026-01-22 10:00:00", l.ShouldbackTime)
		}
		cob := func(date string) cob.COBResult {
			t.Helper()
			d, _ := loan.ParseDate(date)
			res, err := a.app.COB.CloseOfBusiness(context.Background(), loandb.NewLeases(a.app.DB), d, "test")
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		if res := cob("2026-01-22"); res.Penalties != 0 {
			t.Fatalf("cob on the due date posted %d penalties", res.Penalties)
		}
		c.Add(8 * 24 * time.Hour)
		res := cob("2026-01-23")
		if res.NewlyOverdue != 1 || res.Penalty != 6000 {
			t.Fatalf("first overdue day: %+v", res)
		}
		if again := cob("2026-01-23"); !again.AlreadyDone {
			t.Fatalf("a second run of the same date did work: %+v", again)
		}
		t.Run("the command runs a date and says when it is already done", func(t *testing.T) {
			var out, errOut strings.Builder
			args := []string{"cob", "run", "--date", "2026-01-23", "--dev", "--data", a.app.Config.DataDir}
			if a.app.Config.DatabaseURL != "" {
				args = append(args, "--database-url", a.app.Config.DatabaseURL)
			}
			if err := run(context.Background(), args, noEnv, &out, &errOut); err != nil {
				t.Fatalf("cob run: %v %s", err, errOut.String())
			}
			if !strings.Contains(out.String(), "already done") {
				t.Fatalf("cob run said %q", out.String())
			}
		})
		cob("2026-01-24")
		l = a.latest(tok)
		if l.Status != int(loan.StatusOverdue) || l.OverDays != "2" || l.OverdueFee != "12000" || l.RemainingAmount != "862000" {
			t.Fatalf("after two overdue days: %+v", l)
		}
		var msgs struct {
			List []struct {
				Title string `json:"title"`
			} `json:"list"`
		}
		a.ok("GET", "/message/page", nil, tok).decode(t, &msgs)
		if len(msgs.List) == 0 || msgs.List[0].Title != "Loan overdue" {
			t.Fatalf("newest message = %+v, want the overdue notice", msgs.List)
		}

		// 10000 pays the penalty (12000) only in part: penalty goes first.
		a.pay(tok, l.ID, "k1", 10000)
		l = a.latest(tok)
		if l.Status != int(loan.StatusOverdue) || l.RemainingAmount != "852000" {
			t.Fatalf("after paying part of the penalty: %+v", l)
		}
		// Overpay by 1000: settled, with the excess kept as credit.
		a.pay(tok, l.ID, "k2", 853000)
		l = a.latest(tok)
		if l.Status != int(loan.StatusSettled) || l.ActualbackAmt != "863000" {
			t.Fatalf("after the final repayment: %+v", l)
		}
		var credit int64
		if err := a.app.DB.View(context.Background(), func(ctx context.Context, tx *store.Tx) error {
			return tx.QueryRow(context.Background(), `SELECT credit FROM loans WHERE id = $1`, money(l.ID)).Scan(&credit)
		}); err != nil {
			t.Fatal(err)
		}
		if credit != 1000 {
			t.Fatalf("credit = %d, want 1000", credit)
		}
		a.verifyClean()
	})
}

// TestExtensionMovesTheDueDateByOneCycle pays the extension fee.
func TestExtensionMovesTheDueDateByOneCycle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		lagos, _ := time.LoadLocation("Africa/Lagos")
		c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, lagos)}
		a := newLoanApp(t, e, c)
		tok := a.borrower("07068425023")
		a.applyReq(tok, "301")
		a.deliver()
		l := a.latest(tok)
		var co checkout
		r := a.repay(tok, "ext-1", map[string]string{"id": l.ID, "type": "extend"})
		r.decode(t, &co)
		if r.Status != 200 || co.Amount != "120000" || co.Type != "extend" {
			t.Fatalf("extension checkout = %d %q %+v", r.Status, r.Message, co)
		}
		a.ok("POST", "/sandbox/payments/"+co.Reference+"/complete", map[string]string{}, "")
		a.deliver()
		l = a.latest(tok)
		if l.Status != int(loan.StatusExtended) || l.ExtensionStatus != 1 || l.ShouldbackTime != "2026-03-15 09:00:00" || l.RemainingAmount != "850000" {
			t.Fatalf("after the extension: %+v", l)
		}
		a.verifyClean()
	})
}

// TestRiskListsAndManualReview checks the default policy's lists and the
// operator's review queue.
func TestRiskListsAndManualReview(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newLoanApp(t, e, nil)
		t.Run("ops endpoints are refused while no operator token is configured", func(t *testing.T) {
			plain := newTestApp(t, e)
			if r := plain.req("GET", "/ops/loans/review", nil, ""); r.Status != http.StatusForbidden {
				t.Fatalf("no configured token = %d %q", r.Status, r.Message)
			}
		})
		t.Run("ops endpoints need the operator token", func(t *testing.T) {
			if r := a.req("GET", "/ops/loans/review", nil, ""); r.Status != http.StatusUnauthorized {
				t.Fatalf("no token = %d", r.Status)
			}
			if r := a.req("GET", "/ops/loans/review", nil, "wrong"); r.Status != http.StatusUnauthorized {
				t.Fatalf("wrong token = %d", r.Status)
			}
		})
		list := func(kind, value, name string) {
			t.Helper()
			if r := a.opsReq("POST", "/ops/risk/list-entries", map[string]string{"kind": kind, "value": value, "list": name, "reason": "test", "created_by": "ada"}); r.Status != 200 {
				t.Fatalf("add %s list entry = %d %q", name, r.Status, r.Message)
			}
		}

		t.Run("a blacklisted BVN is rejected with the seed's words", func(t *testing.T) {
			tok := a.borrower("07068425023")
			list("id_number", personBasic("07068425023")["idNumber"], "black")
			a.applyReq(tok, "301")
			l := a.latest(tok)
			if l.Status != 31 || l.AuditRiskStatus != -1 || l.AuditRiskReson != "BVN in the internal Blacklist" ||
				l.AuditRiskDetail != "We sincerely apologize as you do not meet our lending criteria." {
				t.Fatalf("blacklisted: %+v", l)
			}
		})
		t.Run("a whitelisted phone is approved automatically", func(t *testing.T) {
			tok := a.signUp("08031110000")
			basic := basicInfo()
			basic["idNumber"] = "22167288735"
			a.ok("POST", "/user/info/basic", basic, tok)
			a.ok("POST", "/user/info/contacts", contactsBody(), tok)
			a.ok("POST", "/user/info/work", workBody(), tok)
			a.ok("POST", "/user/bankcard", cardBody(), tok)
			list("phone", "2348031110000", "white")
			a.applyReq(tok, "301")
			if l := a.latest(tok); l.Status != 5 || l.AuditRiskReson != "Whitelist customers system automatic approve" {
				t.Fatalf("whitelisted: %+v", l)
			}
		})
		t.Run("a greylisted phone goes to manual review and the reviewer is recorded", func(t *testing.T) {
			tok := a.signUp("08032220000")
			basic := basicInfo()
			basic["idNumber"] = "22167288736"
			a.ok("POST", "/user/info/basic", basic, tok)
			a.ok("POST", "/user/info/contacts", contactsBody(), tok)
			a.ok("POST", "/user/info/work", workBody(), tok)
			a.ok("POST", "/user/bankcard", cardBody(), tok)
			list("phone", "+234 803 222 0000", "grey")
			a.applyReq(tok, "301")
			l := a.latest(tok)
			if l.Status != 3 || l.AuditRiskStatus != 1 {
				t.Fatalf("greylisted: %+v", l)
			}
			var q struct {
				List []loanRecord `json:"list"`
			}
			a.opsReq("GET", "/ops/loans/review", nil).decode(t, &q)
			if len(q.List) != 1 || q.List[0].ID != l.ID {
				t.Fatalf("review queue = %+v", q.List)
			}
			if r := a.opsReq("POST", "/ops/loans/"+l.ID+"/approve", map[string]string{"reviewer": "ada", "reason": "known customer"}); r.Status != 200 {
				t.Fatalf("approve = %d %q", r.Status, r.Message)
			}
			if r := a.opsReq("POST", "/ops/loans/"+l.ID+"/reject", map[string]string{"reviewer": "ada"}); r.Status != http.StatusConflict {
				t.Fatalf("reject after approval = %d %q", r.Status, r.Message)
			}
			a.deliver()
			if l := a.latest(tok); l.Status != 6 || l.AuditUserID != "ada" {
				t.Fatalf("after manual approval and payout: %+v", l)
			}
		})
		a.verifyClean()
	})
}
