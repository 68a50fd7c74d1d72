package main

import (
	"bytes"
	"context"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"creditpocket/internal/clientip"
	"creditpocket/internal/loan"
	"creditpocket/internal/store"
	"creditpocket/internal/store/loandb"
	"creditpocket/internal/store/storetest"
)

// decisionOf reads the stored risk decision of the borrower's newest loan
// through the operator API.
func (a *testApp) decisionOf(token string) (seq string, features map[string]any, outcome map[string]any) {
	a.t.Helper()
	l := a.latest(token)
	var ol struct{ RiskSequenceID string }
	a.opsReq("GET", "/ops/loans/"+l.ID, nil).decode(a.t, &ol)
	if ol.RiskSequenceID == "" {
		a.t.Fatalf("loan %s has no risk decision", l.ID)
	}
	var rec struct {
		Features map[string]any `json:"features"`
		Outcome  map[string]any `json:"outcome"`
	}
	r := a.opsReq("GET", "/ops/risk/decisions/"+ol.RiskSequenceID, nil)
	if r.Status != 200 {
		a.t.Fatalf("decision %s = %d %q", ol.RiskSequenceID, r.Status, r.Message)
	}
	r.decode(a.t, &rec)
	return ol.RiskSequenceID, rec.Features, rec.Outcome
}

func TestLoanApplyIsDecidedByTheRiskEngine(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newLoanApp(t, e, nil)

		t.Run("the decision is stored with the features the application gave", func(t *testing.T) {
			tok := a.borrower("08031230001")
			a.applyReq(tok, "301")
			l := a.latest(tok)
			if l.Status != 5 || l.AuditRiskStatus != 2 || l.AuditRiskReson != "System automatic approve" {
				t.Fatalf("clean first-time borrower: %+v", l)
			}
			_, f, o := a.decisionOf(tok)
			want := map[string]any{
				"face_images": 1.0, "device_missing": false, "contact_count": 2.0, "contact_family": 1.0,
				"history_loans": 0.0, "report_attached": false, "id_events_1h": 1.0, "scenario": "cashloan",
			}
			for k, v := range want {
				if f[k] != v {
					t.Errorf("feature %s = %v, want %v", k, f[k], v)
				}
			}
			if o["final_decision"] != "Accept" || o["policy_version"] == "" {
				t.Errorf("outcome = %v", o)
			}
			var msgs struct {
				List []struct{ Title, Content string }
			}
			a.ok("GET", "/message/page", nil, tok).decode(t, &msgs)
			if len(msgs.List) == 0 || msgs.List[0].Title != "Loan approved" || !strings.HasPrefix(msgs.List[0].Content, "Loan "+l.ID+" ") {
				t.Errorf("the decision's message: %+v", msgs.List)
			}
			// The stored record keeps identifiers only as masks.
			for _, v := range []string{personBasic("08031230001")["idNumber"], "2348031230001", personCard("08031230001")["bankAccNo"]} {
				var n int
				_ = a.app.DB.View(t0ctx, func(ctx context.Context, tx *store.Tx) error {
					return tx.QueryRow(t0ctx, `SELECT COUNT(*) FROM risk_decisions WHERE record LIKE $1`, "%"+v+"%").Scan(&n)
				})
				if n != 0 {
					t.Errorf("%s is stored in the clear in %d decision records", v, n)
				}
			}
		})

		t.Run("a loopback address does not feed IP velocity", func(t *testing.T) {
			tok := a.borrower("08031230002")
			a.applyReq(tok, "301")
			if _, f, _ := a.decisionOf(tok); f["ip_events_24h"] != 0.0 {
				t.Fatalf("ip_events_24h = %v for an application from 127.0.0.1", f["ip_events_24h"])
			}
		})

		t.Run("behind a trusted proxy the client's public address feeds IP velocity", func(t *testing.T) {
			proxies, err := clientip.Parse("127.0.0.0/8, ::1")
			if err != nil {
				t.Fatal(err)
			}
			serve := func(p clientip.Proxies) { a.app.Server.Proxies = p; a.srv.Config.Handler = a.app.Server.Handler() }
			serve(proxies)
			defer serve(clientip.Proxies{})
			tok := a.borrower("08031230090")
			if r := a.applyWith(tok, "301", true, "X-Forwarded-For: 203.0.113.9"); r.Status != 200 {
				t.Fatalf("apply = %d %q", r.Status, r.Message)
			}
			if _, f, _ := a.decisionOf(tok); f["ip_events_24h"] != 1.0 {
				t.Fatalf("ip_events_24h = %v for an application from 203.0.113.9 through the proxy", f["ip_events_24h"])
			}
		})

		t.Run("a device fingerprint without consent is refused and nothing is written", func(t *testing.T) {
			tok := a.borrower("08031230003")
			before := a.rowCounts()
			var body bytes.Buffer
			w := multipart.NewWriter(&body)
			_ = w.WriteField("id", "301")
			_ = w.WriteField("blackBox", "device-abc")
			_ = w.Close()
			r := a.req("POST", "/loan/record/apply", body.String(), tok, "Content-Type: "+w.FormDataContentType())
			if r.Status != 400 || r.Message[:9] != "blackBox:" {
				t.Fatalf("apply = %d %q", r.Status, r.Message)
			}
			if d := diffCounts(before, a.rowCounts()); d != "" {
				t.Fatalf("a refused application wrote: %s", d)
			}
		})

		t.Run("without consent the device is missing from the decision", func(t *testing.T) {
			tok := a.borrower("08031230004")
			var body bytes.Buffer
			w := multipart.NewWriter(&body)
			_ = w.WriteField("id", "301")
			_ = w.Close()
			if r := a.req("POST", "/loan/record/apply", body.String(), tok, "Content-Type: "+w.FormDataContentType()); r.Status != 200 {
				t.Fatalf("apply = %d %q", r.Status, r.Message)
			}
			if _, f, _ := a.decisionOf(tok); f["device_missing"] != true || f["face_images"] != 0.0 {
				t.Fatalf("features = device_missing %v face_images %v", f["device_missing"], f["face_images"])
			}
		})

		t.Run("an operator attaches a report for a borrower and the decision reads it", func(t *testing.T) {
			tok := a.reportOwner("08031230007", "110269196203272848", "1962-03-27")
			var info struct{ UID string }
			a.ok("GET", "/user/info", nil, tok).decode(t, &info)
			if r := a.postMultipart("/ops/borrowers/"+info.UID+"/credit-report", "wrong-token", a.fixtureReport("typical-gopdf-2")); r.Status != 401 {
				t.Fatalf("attach without the operator token = %d", r.Status)
			}
			if r := a.postMultipart("/ops/borrowers/"+info.UID+"/credit-report", testOpsToken, a.fixtureReport("typical-gopdf-1")); r.Status != 400 {
				t.Fatalf("someone else's report = %d %q", r.Status, r.Message)
			}
			if r := a.postMultipart("/ops/borrowers/"+info.UID+"/credit-report", testOpsToken, a.fixtureReport("typical-gopdf-2")); r.Status != 200 {
				t.Fatalf("operator attach = %d %q", r.Status, r.Message)
			}
			a.applyReq(tok, "301")
			if l := a.latest(tok); l.Status != 31 || l.AuditRiskReson != "Bad debt in the credit report" {
				t.Fatalf("after the operator's report: %+v", l)
			}
		})

		t.Run("bad debt in the attached credit report rejects", func(t *testing.T) {
			tok := a.reportOwner("08031230005", "110269196203272848", "1962-03-27")
			a.attachReport(tok, "typical-gopdf-2")
			a.applyReq(tok, "301")
			l := a.latest(tok)
			if l.Status != 31 || l.AuditRiskStatus != -1 || l.AuditRiskReson != "Bad debt in the credit report" {
				t.Fatalf("bad debt: %+v", l)
			}
			if _, f, _ := a.decisionOf(tok); f["report_attached"] != true || f["report_bad_debts"] != 2.0 || f["report_longest_overdue_months"] != 7.0 {
				t.Fatalf("report features = %v %v %v", f["report_attached"], f["report_bad_debts"], f["report_longest_overdue_months"])
			}
		})

		t.Run("a report with short overdues adds to the score and tips a new borrower into review", func(t *testing.T) {
			tok := a.reportOwner("08031230006", "110959196209187439", "1962-09-18")
			a.attachReport(tok, "typical-gopdf-1")
			a.applyReq(tok, "301")
			if l := a.latest(tok); l.Status != 3 || l.AuditRiskReson != "Combined risk score needs review" {
				t.Fatalf("short overdues: %+v", l)
			}
			_, f, o := a.decisionOf(tok)
			if f["report_overdue_accounts"] != 2.0 || f["report_longest_overdue_months"] != 1.0 {
				t.Fatalf("report features = %v %v", f["report_overdue_accounts"], f["report_longest_overdue_months"])
			}
			hit := false
			for _, h := range o["hit_rules"].([]any) {
				hit = hit || h.(map[string]any)["id"] == "W14"
			}
			if !hit {
				t.Fatalf("rule W14 (overdue on report) did not fire: %v", o["hit_rules"])
			}
		})
	})
}

// feedbackOf is the risk engine's feedback on the decision of the
// borrower's newest loan.
func (a *testApp) feedbackOf(token string) map[string]any {
	a.t.Helper()
	return a.feedbackOfLoan(a.latest(token).ID)
}

// feedbackOfLoan is the risk engine's feedback on a loan's decision.
func (a *testApp) feedbackOfLoan(id string) map[string]any {
	a.t.Helper()
	var ol struct{ RiskSequenceID string }
	a.opsReq("GET", "/ops/loans/"+id, nil).decode(a.t, &ol)
	var rec struct {
		Feedback map[string]any `json:"feedback"`
	}
	a.opsReq("GET", "/ops/risk/decisions/"+ol.RiskSequenceID, nil).decode(a.t, &rec)
	return rec.Feedback
}

func TestHowDecidedLoansTurnOutIsFedBackToTheRiskEngine(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newLoanApp(t, e, nil)

		t.Run("a reviewer's approval and the settlement", func(t *testing.T) {
			tok := a.borrower("08031240001")
			if r := a.opsReq("POST", "/ops/risk/list-entries", map[string]string{"kind": "phone", "value": "2348031240001",
				"list": "grey", "reason": "watch", "created_by": "ada"}); r.Status != 200 {
				t.Fatalf("greylist = %d %q", r.Status, r.Message)
			}
			a.applyReq(tok, "301")
			l := a.latest(tok)
			if l.Status != 3 {
				t.Fatalf("a greylisted borrower is not in review: %+v", l)
			}
			if fb := a.feedbackOf(tok); fb != nil {
				t.Fatalf("feedback before any outcome: %v", fb)
			}
			if r := a.opsReq("POST", "/ops/loans/"+l.ID+"/approve", map[string]string{"reviewer": "rita", "reason": "known"}); r.Status != 200 {
				t.Fatalf("approve = %d %q", r.Status, r.Message)
			}
			a.deliver()
			if fb := a.feedbackOf(tok); fb["approved"] != true || fb["repayment"] != nil {
				t.Fatalf("after approval: %v", fb)
			}
			a.pay(tok, l.ID, "settle-1", money(a.latest(tok).ShouldbackFee))
			if l := a.latest(tok); l.Status != 8 {
				t.Fatalf("not settled: %+v", l)
			}
			if fb := a.feedbackOf(tok); fb["approved"] != true || fb["repayment"] != "repaid" {
				t.Fatalf("after settlement: %v", fb)
			}
		})
		t.Run("a reviewer's rejection", func(t *testing.T) {
			tok := a.borrower("08031240002")
			a.opsReq("POST", "/ops/risk/list-entries", map[string]string{"kind": "phone", "value": "2348031240002", "list": "grey", "reason": "watch", "created_by": "ada"})
			a.applyReq(tok, "301")
			l := a.latest(tok)
			if r := a.opsReq("POST", "/ops/loans/"+l.ID+"/reject", map[string]string{"reviewer": "rita", "reason": "no"}); r.Status != 200 {
				t.Fatalf("reject = %d %q", r.Status, r.Message)
			}
			if fb := a.feedbackOf(tok); fb["approved"] != false || fb["at"] == nil {
				t.Fatalf("after rejection: %v", fb)
			}
		})
	})
}

func TestALoanThirtyDaysOverdueIsReportedDefaulted(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		c := &clock{t: time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)}
		a := newLoanApp(t, e, c)
		tok := a.borrower("08031240003")
		a.applyReq(tok, "301")
		a.deliver()
		l := a.latest(tok)
		if l.Status != 6 {
			t.Fatalf("not repaying: %+v", l)
		}
		cob := func(date string) {
			t.Helper()
			d, _ := loan.ParseDate(date)
			if _, err := a.app.COB.CloseOfBusiness(t0ctx, loandb.NewLeases(a.app.DB), d, "test"); err != nil {
				t.Fatal(err)
			}
		}
		c.Add(30 * 24 * time.Hour)
		cob("2026-02-20") // due 2026-01-22: 29 days overdue
		if fb := a.feedbackOfLoan(l.ID); fb != nil && fb["repayment"] != nil {
			t.Fatalf("29 days overdue is already %v", fb)
		}
		c.Add(24 * time.Hour)
		cob("2026-02-21")
		if fb := a.feedbackOfLoan(l.ID); fb["approved"] != true || fb["repayment"] != "defaulted" {
			t.Fatalf("30 days overdue: %v", fb)
		}
	})
}
