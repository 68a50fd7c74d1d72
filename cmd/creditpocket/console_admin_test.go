package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"creditpocket/internal/kyc/kyctest"
	"creditpocket/internal/loan"
	"creditpocket/internal/page"
	"creditpocket/internal/risk"
	"creditpocket/internal/staff"
	"creditpocket/internal/store"
	"creditpocket/internal/store/staffdb"
	"creditpocket/internal/store/storetest"
)

// newPolicy is the default policy under a new version with one rule
// changed, as a risk officer would edit it.
func newPolicy(t *testing.T, version string) string {
	t.Helper()
	src := string(risk.DefaultPolicyYAML())
	src = regexp.MustCompile(`(?m)^version: .*$`).ReplaceAllString(src, "version: \""+version+"\"")
	return strings.Replace(src, "when: age > 65,", "when: age > 70,", 1)
}

func TestConsoleRiskPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newConsoleApp(t, e)
		officer := a.as(a.staff("risk@lender.example", staff.RiskOfficer))

		t.Run("a policy that does not compile is refused and the running one stays", func(t *testing.T) {
			live := a.app.Risk.Policy().Version
			st, body := officer.do("POST", "/console/risk/policies", url.Values{"csrf": {officer.csrf}, "action": {"activate"},
				"policy": {"version: bad\nname: bad\npolicy_sets:\n  - uuid: 5b0c6d1e-0000-4000-8000-000000000001\n    name: x\n    mode: FirstMatch\n    rules:\n      - {id: X1, name: x, when: no_such_feature > 1, decision: Reject}\n"}})
			refusal := regexp.MustCompile(`id="policy-refused">([^<]*)<`).FindStringSubmatch(body)
			if st != http.StatusBadRequest || refusal == nil || !strings.Contains(refusal[1], "no_such_feature") {
				t.Fatalf("bad policy = %d: %.400s", st, body)
			}
			if a.app.Risk.Policy().Version != live {
				t.Fatal("a refused policy went live")
			}
		})

		t.Run("simulating a candidate shows its decision mix beside the live one", func(t *testing.T) {
			tok := a.borrower("08035550001")
			a.applyReq(tok, "301")
			st, body := officer.do("POST", "/console/risk/policies", url.Values{"csrf": {officer.csrf}, "action": {"simulate"},
				"policy": {newPolicy(t, "2026-11-23.sim")}, "since": {a.clock.Now().AddDate(0, 0, -1).Format("2006-01-02")}})
			if st != http.StatusOK || !strings.Contains(body, `id="simulation"`) || !strings.Contains(body, "over 1 stored decisions") {
				t.Fatalf("simulate = %d: %.600s", st, body)
			}
		})

		t.Run("an activated policy goes live and its diff shows the change", func(t *testing.T) {
			st, _ := officer.do("POST", "/console/risk/policies", url.Values{"csrf": {officer.csrf}, "action": {"activate"}, "policy": {newPolicy(t, "2026-11-23.console")}})
			if st != http.StatusSeeOther || a.app.Risk.Policy().Version != "2026-11-23.console" {
				t.Fatalf("activate = %d, live %s", st, a.app.Risk.Policy().Version)
			}
			st, body := officer.do("GET", "/console/risk/policies/2026-11-23.console?against=2026-11-23.console", nil)
			if st != http.StatusOK || !strings.Contains(body, "age &gt; 70") {
				t.Fatalf("policy page = %d: %.300s", st, body)
			}
		})

		t.Run("a shadowed candidate runs on every server and after a restart, until stopped", func(t *testing.T) {
			st, _ := officer.do("POST", "/console/risk/policies", url.Values{"csrf": {officer.csrf}, "action": {"shadow"}, "policy": {newPolicy(t, "2026-11-23.shadow")}})
			if st != http.StatusSeeOther || a.app.Risk.Shadow() == nil || a.app.Risk.Shadow().Version != "2026-11-23.shadow" {
				t.Fatalf("shadow = %d, shadow policy %v", st, a.app.Risk.Shadow())
			}
			// Another server over the same database, started now (or restarted).
			other, err := Open(t0ctx, a.app.Config, nil, Options{Hasher: fastHasher, QuietRequests: true})
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if sh := other.Risk.Shadow(); sh == nil || sh.Version != "2026-11-23.shadow" {
				t.Fatalf("the other server shadows %v", sh)
			}
			if st, _ := officer.do("POST", "/console/risk/shadow/stop", url.Values{"csrf": {officer.csrf}}); st != http.StatusSeeOther || a.app.Risk.Shadow() != nil {
				t.Fatalf("stop = %d, shadow %v", st, a.app.Risk.Shadow())
			}
			if changed, err := other.Risk.SyncShadow(t0ctx, other.RiskStore); err != nil || !changed || other.Risk.Shadow() != nil {
				t.Fatalf("the other server's sync after the stop: changed %v, %v, shadow %v", changed, err, other.Risk.Shadow())
			}
			// A version stored already with another document is refused.
			st, body := officer.do("POST", "/console/risk/policies", url.Values{"csrf": {officer.csrf}, "action": {"shadow"},
				"policy": {strings.Replace(newPolicy(t, "2026-11-23.shadow"), "age > 70", "age > 75", 1)}})
			if st != http.StatusConflict || !strings.Contains(body, "new version") || a.app.Risk.Shadow() != nil {
				t.Fatalf("a reused version = %d: %.300s", st, body)
			}
		})

		t.Run("list entries are added masked and removed", func(t *testing.T) {
			st, _ := officer.do("POST", "/console/risk/lists", url.Values{"csrf": {officer.csrf}, "list": {"black"}, "kind": {"phone"},
				"value": {"2348035550009"}, "reason": {"confirmed fraud"}})
			if st != http.StatusSeeOther {
				t.Fatalf("add = %d", st)
			}
			_, body := officer.do("GET", "/console/risk/lists", nil)
			if strings.Contains(body, "2348035550009") || !strings.Contains(body, "confirmed fraud") {
				t.Fatalf("the list page shows %.600s", body)
			}
			id := regexp.MustCompile(`/console/risk/lists/(rle_[0-9a-f]+)/remove`).FindStringSubmatch(body)
			if id == nil {
				t.Fatal("no remove form")
			}
			if st, _ := officer.do("POST", "/console/risk/lists/"+id[1]+"/remove", url.Values{"csrf": {officer.csrf}}); st != http.StatusSeeOther {
				t.Fatalf("remove = %d", st)
			}
			if st, body := officer.do("POST", "/console/risk/lists", url.Values{"csrf": {officer.csrf}, "list": {"black"}, "kind": {"phone"},
				"value": {"not a phone"}, "reason": {"x"}}); st != http.StatusBadRequest || !strings.Contains(body, "alert bad") {
				t.Fatalf("bad value = %d", st)
			}
		})

		t.Run("every change is in the audit log", func(t *testing.T) {
			admin := a.as(a.staff("admin@lender.example", staff.Admin))
			_, body := admin.do("GET", "/console/audit", nil)
			for _, action := range []string{"risk.policy.refused", "risk.policy.simulate", "risk.policy.activate", "risk.list.add", "risk.list.remove"} {
				if !strings.Contains(body, action) {
					t.Errorf("audit log lacks %s", action)
				}
			}
		})
	})
}

func TestConsoleProductAndPartnerPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newConsoleApp(t, e)
		admin := a.as(a.staff("admin@lender.example", staff.Admin))

		t.Run("the catalogue shows each product's price", func(t *testing.T) {
			_, body := admin.do("GET", "/console/products", nil)
			if !strings.Contains(body, `data-value="850000"`) { // product 301 owes 850000 at its due date
				t.Fatalf("products page: %.500s", body)
			}
		})
		t.Run("the edit form holds the stored terms as the numbers it takes back", func(t *testing.T) {
			_, body := admin.do("GET", "/console/products?edit=301", nil)
			for _, want := range []string{`name="principal" value="600000"`, `name="interestRate" value="5000"`, `name="serviceFee" value="229000"`} {
				if !strings.Contains(body, want) {
					t.Errorf("edit form lacks %s", want)
				}
			}
		})
		t.Run("a product is added, and a bad one is refused naming the field", func(t *testing.T) {
			form := url.Values{"csrf": {admin.csrf}, "id": {"401"}, "name": {"Starter"}, "currency": {"NGN"}, "principal": {"500000"},
				"cycle": {"7"}, "interestRate": {"5000"}, "serviceFee": {"100000"}, "feeMode": {"suffix"}, "penaltyRate": {"10000"},
				"penaltyCap": {"1000000"}, "extensionFee": {"50000"}, "minSettled": {"0"}, "onSale": {"1"}}
			if st, _ := admin.do("POST", "/console/products", form); st != http.StatusSeeOther {
				t.Fatalf("save = %d", st)
			}
			if p, err := a.app.Loans.Product(t0ctx, "401"); err != nil || p.Principal != 500000 || !p.OnSale {
				t.Fatalf("stored product = %+v, %v", p, err)
			}
			form.Set("cycle", "0")
			if st, body := admin.do("POST", "/console/products", form); st != http.StatusBadRequest || !strings.Contains(body, "cycle") {
				t.Fatalf("bad product = %d: %.300s", st, body)
			}
			form.Set("cycle", "7")
			for field, amount := range map[string]string{"principal": "9223372036854775807", "serviceFee": "1000000000000001", "extensionFee": "99999999999999999999"} {
				bad := url.Values{}
				for k, v := range form {
					bad[k] = v
				}
				bad.Set(field, amount)
				if st, body := admin.do("POST", "/console/products", bad); st != http.StatusBadRequest || !strings.Contains(body, field+": must") {
					t.Fatalf("%s %s = %d: %.300s", field, amount, st, body)
				}
			}
			if st, _ := admin.do("POST", "/console/products/401/sale", url.Values{"csrf": {admin.csrf}, "onSale": {"0"}}); st != http.StatusSeeOther {
				t.Fatalf("off sale = %d", st)
			}
			if p, _ := a.app.Loans.Product(t0ctx, "401"); p.OnSale {
				t.Fatal("still on sale")
			}
		})
		t.Run("partner credentials are issued once and revoked", func(t *testing.T) {
			st, body := admin.do("POST", "/console/partners", url.Values{"csrf": {admin.csrf}, "name": {"Acme Credit"}, "scopes": {"ocr", "risk"}, "quota": {"1000"}})
			m := regexp.MustCompile(`<dt>API id</dt><dd><code>(pk_[0-9a-f]+)</code></dd><dt>Secret</dt><dd><code>(sk_[^<]+)</code>`).FindStringSubmatch(body)
			if st != http.StatusOK || m == nil {
				t.Fatalf("create = %d: %.500s", st, body)
			}
			if _, err := a.app.Partners.Authenticate(t0ctx, m[1], m[2], "risk"); err != nil {
				t.Fatalf("the new credentials do not work: %v", err)
			}
			if _, again := admin.do("GET", "/console/partners", nil); strings.Contains(again, m[2]) {
				t.Fatal("the secret is shown again")
			}
			if st, _ := admin.do("POST", "/console/partners/"+m[1]+"/revoke", url.Values{"csrf": {admin.csrf}}); st != http.StatusSeeOther {
				t.Fatalf("revoke = %d", st)
			}
			if _, err := a.app.Partners.Authenticate(t0ctx, m[1], m[2], "risk"); err == nil {
				t.Fatal("revoked credentials still work")
			}
		})
	})
}

func TestConsoleBorrowerCreditReport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newConsoleApp(t, e)
		tok := a.reportOwner("08035550101", "110269196203272848", "1962-03-27")
		a.attachReport(tok, "typical-gopdf-2")
		var info struct{ UID string }
		a.ok("GET", "/user/info", nil, tok).decode(t, &info)
		viewer := a.as(a.staff("vera@lender.example", staff.Viewer))

		_, page := viewer.do("GET", "/console/borrowers/"+info.UID, nil)
		if !strings.Contains(page, `id="credit-report"`) || !strings.Contains(page, "<dt>Bad debts</dt><dd>2</dd>") {
			t.Fatalf("borrower page: %.800s", page)
		}
		if st, _ := viewer.do("POST", "/console/borrowers/"+info.UID+"/credit-report", url.Values{"csrf": {viewer.csrf}}); st != http.StatusBadRequest {
			t.Fatalf("open without a purpose = %d", st)
		}
		st, report := viewer.do("POST", "/console/borrowers/"+info.UID+"/credit-report", url.Values{"csrf": {viewer.csrf}, "purpose": {"manual review"}})
		if st != http.StatusOK || !strings.Contains(report, `id="report-accounts"`) || strings.Contains(report, "110269196203272848") {
			t.Fatalf("report page = %d: %.600s", st, report)
		}
		if n := strings.Count(report, `class="m s`); n == 0 {
			t.Error("no repayment-grid months shown")
		}
		admin := a.as(a.staff("ada@lender.example", staff.Admin))
		if _, audit := admin.do("GET", "/console/audit", nil); !strings.Contains(audit, "borrower.credit_report.view") || !strings.Contains(audit, "manual review") {
			t.Error("the report view is not in the audit log with its purpose")
		}
	})
}

func TestConsoleStaffRoleAndReset(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newConsoleApp(t, e)
		adaM := a.staff("ada@lender.example", staff.Admin)
		ritaM := a.staff("rita@lender.example", staff.Reviewer)
		ada, rita := a.as(adaM), a.as(ritaM)

		t.Run("a role change ends the member's sessions", func(t *testing.T) {
			if st, _ := ada.do("POST", "/console/staff/role", url.Values{"csrf": {ada.csrf}, "email": {ritaM.Email}, "role": {"viewer"}}); st != http.StatusSeeOther {
				t.Fatalf("role = %d", st)
			}
			if st, _ := rita.do("GET", "/console/review/loans", nil); st != http.StatusSeeOther {
				t.Fatalf("the old session still opens the review queue: %d", st)
			}
			ritaM.Role = "viewer"
			if st, _ := a.as(ritaM).do("GET", "/console/review/loans", nil); st != http.StatusForbidden {
				t.Fatalf("a viewer opens the review queue: %d", st)
			}
		})
		t.Run("an admin cannot change their own role", func(t *testing.T) {
			st, page := ada.do("POST", "/console/staff/role", url.Values{"csrf": {ada.csrf}, "email": {adaM.Email}, "role": {"viewer"}})
			if st != http.StatusForbidden || !strings.Contains(page, "ask another admin") {
				t.Fatalf("own role = %d: %.300s", st, page)
			}
		})
		t.Run("a reset shows new credentials once and they sign in", func(t *testing.T) {
			st, page := ada.do("POST", "/console/staff/reset", url.Values{"csrf": {ada.csrf}, "email": {ritaM.Email}})
			m := regexp.MustCompile(`<dt>Password</dt><dd><code>([^<]+)</code></dd><dt>TOTP secret</dt><dd><code>([A-Z2-7]+)</code>`).FindStringSubmatch(page)
			if st != http.StatusOK || m == nil || !strings.Contains(page, "has new sign-in credentials") {
				t.Fatalf("reset = %d: %.500s", st, page)
			}
			ritaM.Password, ritaM.Secret = m[1], m[2]
			a.as(ritaM)
		})
		t.Run("the CLI resets a locked-out admin", func(t *testing.T) {
			env := map[string]string{"CREDITPOCKET_DATA": a.app.Config.DataDir, "CREDITPOCKET_DATABASE_URL": a.app.Config.DatabaseURL, "CREDITPOCKET_DEV": "1"}
			var out, errb bytes.Buffer
			err := cmdStaff(t0ctx, []string{"reset", "--email", adaM.Email, "--password-stdin", "--json"},
				func(k string) (string, bool) { v, ok := env[k]; return v, ok }, strings.NewReader("a fresh admin password\n"), &out, &errb)
			if err != nil {
				t.Fatalf("staff reset: %v (%s)", err, errb.String())
			}
			var got struct {
				Secret string `json:"totp_secret"`
			}
			if err := json.Unmarshal(out.Bytes(), &got); err != nil || got.Secret == "" {
				t.Fatalf("staff reset printed %q", out.String())
			}
			adaM.Password, adaM.Secret = "a fresh admin password", got.Secret
			a.as(adaM)
		})
	})
}

// A reviewer's decision is in the audit log before it is made, so none is
// made without its trace; one that then fails (the loan was decided
// elsewhere meanwhile) is followed by an entry saying so.
func TestConsoleDecisionsAreLoggedBeforeTheyAreMade(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newConsoleApp(t, e)
		rita := a.as(a.staff("rita@lender.example", staff.Reviewer))
		tok := a.reviewLoan()
		id := a.latest(tok).ID
		if st, _ := rita.do("POST", "/console/review/loans/"+id+"/take", url.Values{"csrf": {rita.csrf}}); st != http.StatusSeeOther {
			t.Fatalf("take = %d", st)
		}
		// Another reviewer's decision, through the engine, lands first.
		if _, err := a.app.Loans.Decide(t0ctx, loan.ManualDecision{LoanID: loanIDOf(t, id), Reviewer: "ops@lender.example", Reason: "duplicate", Approve: false}); err != nil {
			t.Fatal(err)
		}
		if st, _ := rita.do("POST", "/console/review/loans/"+id+"/decide", url.Values{"csrf": {rita.csrf}, "action": {"approve"}}); st != http.StatusConflict {
			t.Fatalf("deciding a decided loan = %d, want 409", st)
		}
		ents, err := staffdb.New(a.app.DB).AuditPage(t0ctx, page.Request{Num: 1, Size: 2})
		if err != nil || len(ents.Items) != 2 {
			t.Fatalf("audit: %+v, %v", ents, err)
		}
		failed, tried := ents.Items[0], ents.Items[1] // newest first
		if tried.Action != "loan.approve" || tried.Target != "loan "+id || tried.Actor != "rita@lender.example" ||
			failed.Action != "loan.approve.failed" || failed.Target != "loan "+id || failed.Detail == "" {
			t.Fatalf("the attempt and its failure: %+v then %+v", tried, failed)
		}
	})
}

// A KYC document that is a PDF is downloaded, not shown in the page; like
// an image it opens only with a stated purpose, logged first.
func TestConsoleKYCPDFIsDownloadedForAStatedPurpose(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newConsoleApp(t, e)
		a.reviewKYC()
		q, err := a.app.KYC.ReviewQueue(t0ctx, 10)
		if err != nil || len(q) != 1 {
			t.Fatalf("queue %v, %v", q, err)
		}
		rita := a.as(a.staff("rita@lender.example", staff.Reviewer))
		path := fmt.Sprintf("/console/review/kyc/%d/document", q[0].ID)
		if st, _ := rita.do("POST", path, url.Values{"csrf": {rita.csrf}, "field": {"poa_doc"}}); st != http.StatusBadRequest {
			t.Fatalf("without a purpose = %d, want 400", st)
		}
		resp, got := rita.send("POST", path, url.Values{"csrf": {rita.csrf}, "field": {"poa_doc"}, "purpose": {"address check"}})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" ||
			!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") || !bytes.Equal(got, kyctest.PDF) {
			t.Fatalf("download = %d %q %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), len(got))
		}
		ents, err := staffdb.New(a.app.DB).AuditPage(t0ctx, page.Request{Num: 1, Size: 1})
		if err != nil || len(ents.Items) != 1 || ents.Items[0].Action != "kyc.document.view" || ents.Items[0].Detail != "address check" {
			t.Fatalf("the view's audit entry: %+v, %v", ents, err)
		}
	})
}

// TestConsoleFormsRefuseTextTheStoreCannotKeep posts a product whose
// name, id or currency holds a NUL or bytes that are not UTF-8: a 400
// naming the field, where PostgreSQL used to make it an internal error.
func TestConsoleFormsRefuseTextTheStoreCannotKeep(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newConsoleApp(t, e)
		admin := a.as(a.staff("admin@lender.example", staff.Admin))
		for _, field := range []string{"id", "name", "currency"} {
			for _, bad := range []string{"N\x00G", "\xffNG"} {
				t.Run(fmt.Sprintf("a product %s of %q is refused naming it", field, bad), func(t *testing.T) {
					form := url.Values{"csrf": {admin.csrf}, "id": {"401"}, "name": {"Starter"}, "currency": {"NGN"}, "principal": {"500000"},
						"cycle": {"7"}, "interestRate": {"5000"}, "serviceFee": {"100000"}, "feeMode": {"suffix"}, "penaltyRate": {"10000"},
						"penaltyCap": {"1000000"}, "extensionFee": {"50000"}, "minSettled": {"0"}, "onSale": {"1"}}
					form.Set(field, bad)
					if st, body := admin.do("POST", "/console/products", form); st != http.StatusBadRequest || !strings.Contains(body, field) {
						t.Fatalf("save = %d: %.300s", st, body)
					}
				})
			}
		}
	})
}
