package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"creditpocket/internal/staff"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

// TestConsoleAdminInBrowser drives the risk, products and partners pages
// in Chromium: a risk officer uploads a policy that does not compile and
// sees it refused while the live one stays; an admin walks the catalogue
// and the partner list. Each page is kept as a screenshot.
func TestConsoleAdminInBrowser(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newConsoleApp(t, e)
		officer := a.staff("rui@example.com", staff.RiskOfficer)
		b := newBrowser(t, a, string(e)+"-admin")
		b.signIn(officer)

		t.Run("a policy that does not compile is refused and the live one stays", func(t *testing.T) {
			b.t = t
			live := a.app.Risk.Policy().Version
			b.open("/console/risk", "#candidate")
			b.screenshot("risk")
			if got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("#candidate textarea").value`)); err != nil || !strings.Contains(got, "policy_sets:") {
				t.Errorf("the candidate does not start from the live policy: %.80q %v", got, err)
			}
			b.do("upload a bad policy and activate it",
				chromedp.Clear(chromedp.CSS(`#candidate textarea[name=policy]`)),
				chromedp.SendKeys(chromedp.CSS(`#candidate textarea[name=policy]`),
					"version: broken-1\nname: broken\npolicy_sets:\n- uuid: 5b0c6d1e-0000-4000-8000-000000000001\n  name: x\n  mode: FirstMatch\n  rules:\n  - {id: X1, name: x, when: not_a_feature > 1, decision: Reject}\n"),
				chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`), // the Activate button asks first
				chromedp.Click(chromedp.CSS(`#candidate button[value=activate]`)),
				chromedp.WaitVisible(chromedp.CSS(`#policy-refused`)))
			b.screenshot("risk-refused")
			if got := b.text(`#policy-refused`); !strings.Contains(got, "not_a_feature") {
				t.Errorf("refusal says %q", got)
			}
			if a.app.Risk.Policy().Version != live {
				t.Fatal("the refused policy went live")
			}
			b.open("/console/risk/lists", "#add-entry")
			b.screenshot("risk-lists")
		})

		t.Run("an admin sees products and partners", func(t *testing.T) {
			b.t = t
			admin := a.staff("ada@example.com", staff.Admin)
			b.do("sign out", chromedp.Click(chromedp.CSS(`form[action="/console/signout"] button`)), chromedp.WaitVisible(chromedp.CSS(`#signin`)))
			b.signIn(admin)
			b.open("/console/products", "#products")
			if n := b.count(`#products tbody tr`); n < 4 {
				t.Errorf("%d products listed", n)
			}
			b.screenshot("products")
			b.open("/console/partners", "#create-partner")
			b.screenshot("partners")
			b.open("/console/loans", "main table")
			b.screenshot("loans")
			a.attachReport(a.reportOwner("08035550201", "110269196203272848", "1962-03-27"), "typical-gopdf-2")
			b.open("/console/borrowers?mobile=08035550201", "#credit-report")
			b.screenshot("borrower")
			b.do("open the credit report",
				chromedp.SendKeys(chromedp.CSS(`#credit-report input[name=purpose]`), "browser test"),
				chromedp.Click(chromedp.CSS(`#credit-report button`)),
				chromedp.WaitVisible(chromedp.CSS(`#report-accounts`)))
			if n := b.count(`#report-accounts tbody tr`); n == 0 {
				t.Error("the report lists no accounts")
			}
			b.screenshot("credit-report")
			b.do("a tablet's screen", chromedp.EmulateViewport(820, 1180))
			b.open("/console/", "#figures")
			b.screenshot("tablet-dashboard")
			b.open("/console/products", "#products")
			b.screenshot("tablet-products")
			b.do("a laptop's screen", chromedp.EmulateViewport(1280, 900))
			b.open("/console/staff", "#staff")
			b.screenshot("staff")
			b.open("/console/audit", "main")
			b.screenshot("audit")
		})
	})
}
