package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"creditpocket/internal/kyc"
	"creditpocket/internal/kyc/kyctest"
	"creditpocket/internal/page"
	"creditpocket/internal/partner"
	"creditpocket/internal/staff"
	"creditpocket/internal/store"
	"creditpocket/internal/store/staffdb"
	"creditpocket/internal/store/storetest"
)

// chromium finds the browser, skipping the test when it is missing unless
// CREDITPOCKET_TEST_REQUIRE_BROWSER is set (as scripts/test sets it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CREDITPOCKET_TEST_REQUIRE_BROWSER") != "" {
		t.Fatal("Chromium is not installed but CREDITPOCKET_TEST_REQUIRE_BROWSER is set")
	}
	t.Skip("Chromium is not installed (set CREDITPOCKET_TEST_REQUIRE_BROWSER to fail instead)")
	return ""
}

// artifacts is where screenshots go: CREDITPOCKET_ARTIFACTS, or a
// temporary folder so local runs leave nothing behind.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CREDITPOCKET_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if !filepath.IsAbs(dir) {
		// go test runs in the package folder; a relative path means the
		// repository root, where scripts/test runs.
		dir = filepath.Join("..", "..", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser drives one headless Chromium tab against the app.
type browser struct {
	t    *testing.T
	a    *consoleApp
	ctx  context.Context
	dir  string
	name string
	shot int
}

func newBrowser(t *testing.T, a *consoleApp, name string) *browser {
	path := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(1280, 900), chromedp.Flag("lang", "en-GB"))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser, outside any timeout
		t.Fatalf("start Chromium: %v", err)
	}
	return &browser{t: t, a: a, ctx: ctx, dir: artifacts(t), name: name}
}

// do runs steps with a time limit, failing the test with what was asked.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (b *browser) count(sel string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	if err != nil {
		b.t.Fatalf("count %s: %v", sel, err)
	}
	return n
}

// screenshot saves the page as NN-page.png in the artifacts folder.
func (b *browser) screenshot(page string) {
	b.t.Helper()
	img, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)) // quality 100 is PNG
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", page, err)
	}
	b.shot++
	name := filepath.Join(b.dir, fmt.Sprintf("console-%s-%02d-%s.png", b.name, b.shot, page))
	if err := os.WriteFile(name, img, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browser) open(path, waitFor string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.a.srv.URL+path), chromedp.WaitVisible(chromedp.CSS(waitFor)))
}

// signIn fills the sign-in form, computing the TOTP code as an
// authenticator app would.
func (b *browser) signIn(m member) {
	b.t.Helper()
	b.open("/console/", "#signin")
	b.screenshot("signin")
	b.a.nextStep()
	b.do("sign in",
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), m.Email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), m.Password),
		chromedp.SendKeys(chromedp.CSS(`input[name=code]`), b.a.code(m)),
		chromedp.Click(chromedp.CSS(`#signin button`)),
		chromedp.WaitVisible(chromedp.CSS(`#figures`)))
}

// reviewLoan applies for a loan as a greylisted borrower, so the policy
// refers it to manual review, and returns the borrower's token.
func (a *consoleApp) reviewLoan() string {
	a.t.Helper()
	tok := a.borrower("07068425023")
	if r := a.opsReq("POST", "/ops/risk/list-entries", map[string]string{"kind": "phone", "value": "2347068425023", "list": "grey", "reason": "watch", "created_by": "test"}); r.Status != 200 {
		a.t.Fatalf("greylist = %d %q", r.Status, r.Message)
	}
	a.applyReq(tok, "301")
	if l := a.latest(tok); l.Status != 3 {
		a.t.Fatalf("the greylisted application is not in manual review: %+v", l)
	}
	return tok
}

// reviewKYC submits a KYC whose front and back are the same image, which
// the automatic checks send to review, with a PDF proof of address.
func (a *consoleApp) reviewKYC() (partnerID string) {
	a.t.Helper()
	p, secret, err := a.app.Partners.Create(t0ctx, partner.CreateInput{Name: "merchant", Scopes: []partner.Scope{partner.ScopeKYC}, RatePerSecond: 1000})
	if err != nil {
		a.t.Fatal(err)
	}
	creds := []string{"X-API-ID: " + p.ID, "X-API-SECRET: " + secret}
	if st, body := a.raw("POST", "/openapi/card/binding", map[string]any{"mc_trade_no": "T-1", "card_type_id": "71000003", "user_ref": "u-1"}, creds...); st != 200 {
		a.t.Fatalf("open binding = %d %s", st, body)
	}
	body := kyctest.Clone(kyctest.Body("T-1"))
	info := body["kyc_info"].(map[string]any)
	info["back_doc"] = info["front_doc"]
	info["poa_type"], info["poa_doc"] = 1, kyctest.B64(kyctest.PDF) // a proof of address, as a PDF
	if st, raw := a.raw("POST", "/openapi/card/binding/kyc", body, creds...); st != 200 {
		a.t.Fatalf("submit KYC = %d %s", st, raw)
	}
	q, err := a.app.KYC.ReviewQueue(t0ctx, 10)
	if err != nil || len(q) != 1 {
		a.t.Fatalf("KYC review queue = %v, %v", q, err)
	}
	return p.ID
}

// TestConsoleInBrowser signs in with TOTP in a real Chromium, approves a
// loan from the review queue, rejects a KYC, and reads the dashboard,
// taking a screenshot of every page.
func TestConsoleInBrowser(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newConsoleApp(t, e)
		tok := a.reviewLoan()
		merchant := a.reviewKYC()
		rev := a.staff("rita@example.com", staff.Reviewer)
		b := newBrowser(t, a, string(e))
		b.signIn(rev)

		t.Run("the dashboard shows the period's figures and charts", func(t *testing.T) {
			b.t = t
			b.screenshot("dashboard")
			if got := b.text(`[data-figure=applications] strong`); got != "1" {
				t.Errorf("applications = %q, want 1", got)
			}
			if got := b.text(`[data-figure=review-queue] strong`); got != "1" {
				t.Errorf("in manual review = %q, want 1", got)
			}
			if n := b.count(`figure.chart svg`); n != 4 {
				t.Errorf("%d charts, want 4", n)
			}
			if n := b.count(`#chart-applications [data-value]`); n == 0 {
				t.Error("the applications chart carries no data-value figures")
			}
		})

		t.Run("a reviewer takes and approves the referred loan", func(t *testing.T) {
			b.t = t
			b.open("/console/review/loans", "#queue")
			b.screenshot("loan-queue")
			b.do("open the queued loan", chromedp.Click(chromedp.CSS(`#queue tbody a`)), chromedp.WaitVisible(chromedp.CSS(`#take`)))
			b.do("take it", chromedp.Click(chromedp.CSS(`#take`)), chromedp.WaitVisible(chromedp.CSS(`#approve`)))
			if got := b.text(`#claim`); !strings.Contains(got, "You hold") {
				t.Errorf("claim box = %q", got)
			}
			b.screenshot("loan-review")
			b.do("approve it",
				chromedp.SendKeys(chromedp.CSS(`textarea[name=reason]`), "known customer"),
				chromedp.Click(chromedp.CSS(`#approve`)),
				chromedp.WaitVisible(chromedp.CSS(`#queue`)))
			a.deliver()
			if l := a.latest(tok); l.Status != 6 || l.AuditUserID != "rita@example.com" {
				t.Fatalf("after approval: %+v", l)
			}
			l := a.latest(tok)
			b.open("/console/loans/"+l.ID, "#ledger")
			if got := b.text(`#loan-status`); got != "repaying" {
				t.Errorf("loan page status = %q", got)
			}
			if n := b.count(`#ledger tbody tr`); n < 2 {
				t.Errorf("%d ledger rows", n)
			}
			b.screenshot("loan")
		})

		t.Run("a reviewer views a document and rejects the KYC with a reason", func(t *testing.T) {
			b.t = t
			b.open("/console/review/kyc", "#queue")
			b.screenshot("kyc-queue")
			b.do("open the queued KYC", chromedp.Click(chromedp.CSS(`#queue tbody a`)), chromedp.WaitVisible(chromedp.CSS(`#take`)))
			b.do("take it", chromedp.Click(chromedp.CSS(`#take`)), chromedp.WaitVisible(chromedp.CSS(`#reject`)))
			b.do("view the front document",
				chromedp.SendKeys(chromedp.CSS(`form.inline input[name=purpose]`), "identity check"),
				chromedp.Click(chromedp.CSS(`form.inline button`)),
				chromedp.WaitVisible(chromedp.CSS(`#document img`)))
			if w, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelector("#document img").naturalWidth`)); err != nil || w == 0 {
				t.Errorf("the document image did not load (naturalWidth %d, %v)", w, err)
			}
			b.screenshot("kyc-review")
			b.do("reject it",
				chromedp.SendKeys(chromedp.CSS(`textarea[name=reason]`), "front and back are the same photo"),
				chromedp.Click(chromedp.CSS(`#reject`)),
				chromedp.WaitVisible(chromedp.CSS(`#queue`)))
			sub, err := a.app.KYC.Status(t0ctx, merchant, "T-1")
			if err != nil || sub.Status != kyc.Rejected {
				t.Fatalf("after rejection: %+v, %v", sub, err)
			}
		})

		t.Run("the audit log records the reviewer's actions", func(t *testing.T) {
			ents, err := staffdb.New(a.app.DB).AuditPage(t0ctx, page.Request{Num: 1, Size: 50})
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, e := range ents.Items {
				if e.Actor == "rita@example.com" {
					actions = append(actions, e.Action)
				}
			}
			for _, want := range []string{"signin", "loan.take", "loan.approve", "kyc.take", "kyc.document.view", "kyc.reject"} {
				if !strings.Contains(strings.Join(actions, " "), want) {
					t.Errorf("no %s in %v", want, actions)
				}
			}
		})
	})
}
