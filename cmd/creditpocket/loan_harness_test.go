package main

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"creditpocket/internal/config"
	"creditpocket/internal/identity"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/payment"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

const testOpsToken = "ops-secret-for-tests"

// clock is a settable clock for journeys that cross due dates.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newLoanApp is newTestApp with the loan engine's test settings: payouts
// arrive at once, the operator token is set, and the clock is c (nil: the
// real clock). Webhooks are delivered to the test server.
func newLoanApp(t testing.TB, e store.Engine, c *clock) *testApp {
	t.Helper()
	return newLoanAppWith(t, e, c, nil)
}

// newLoanAppWith is newLoanApp with configure applied to its configuration.
func newLoanAppWith(t testing.TB, e store.Engine, c *clock, configure func(*config.Config)) *testApp {
	t.Helper()
	dbURL, dir := storetest.URL(t, e)
	cfg := devConfig(dbURL, dir)
	if configure != nil {
		configure(&cfg)
	}
	cfg.OpsToken, cfg.KYC.AllowPrivateWebhooks = testOpsToken, true
	opt := Options{Hasher: fastHasher, QuietRequests: true}
	if c != nil {
		opt.Now = c.Now
	}
	app, err := Open(context.Background(), cfg, slog.New(slog.DiscardHandler), opt)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Server.Handler())
	app.Payments.WebhookURL = srv.URL + "/payment/webhook"
	t.Cleanup(func() { srv.Close(); app.Close() })
	return &testApp{t: t, app: app, srv: srv}
}

// borrower signs up mobile and completes the whole profile as a person of
// their own: ID number, e-mail, contacts and bank account are derived from
// the mobile, so the risk engine sees distinct people rather than one
// identity applying many times.
func (a *testApp) borrower(mobile string) string {
	a.t.Helper()
	tok := a.signUp(mobile)
	a.ok("POST", "/user/info/basic", personBasic(mobile), tok)
	a.ok("POST", "/user/info/contacts", personContacts(mobile), tok)
	a.ok("POST", "/user/info/work", workBody(), tok)
	a.ok("POST", "/user/bankcard", personCard(mobile), tok)
	return tok
}

// tail is the last n digits of a test mobile.
func tail(mobile string, n int) string { return mobile[len(mobile)-n:] }

func personBasic(mobile string) map[string]string {
	b := basicInfo()
	b["idNumber"] = "2" + tail(mobile, 10)
	b["email"] = "borrower" + tail(mobile, 8) + "@example.com"
	return b
}

func personContacts(mobile string) map[string]any {
	return map[string]any{"contacts": []map[string]string{
		{"name": "Amina Sulyman", "mobile": "0813" + tail(mobile, 7), "relationship": "spouse"},
		{"name": "Tunde Bello", "mobile": "0905" + tail(mobile, 7), "relationship": "friend"},
	}}
}

// personCard is a GT Bank account (NUBAN check digit computed) and a
// Luhn-valid card number, both derived from the mobile.
func personCard(mobile string) map[string]string {
	base := tail(mobile, 9)
	acct := ""
	for d := '0'; d <= '9'; d++ {
		if identity.ValidNUBAN("058", base+string(d)) == nil {
			acct = base + string(d)
			break
		}
	}
	c := cardBody()
	c["bankAccNo"], c["bankCardNo"] = acct, luhnComplete("539983"+tail(mobile, 9))
	return c
}

// luhnComplete appends the Luhn check digit to digits.
func luhnComplete(digits string) string {
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if (len(digits)-1-i)%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return digits + strconv.Itoa((10-sum%10)%10)
}

// testPNG is a small valid photo.
var testPNG = func() []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4)))
	return b.Bytes()
}()

// applyReq sends a loan application as the app does (multipart, with a
// photo).
func (a *testApp) applyReq(token, productID string) env {
	a.t.Helper()
	return a.applyWith(token, productID, true)
}

func (a *testApp) applyWith(token, productID string, photo bool, headers ...string) env {
	a.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("id", productID)
	_ = w.WriteField("applyTerminal", "1")
	// The app's device SDK token, sent with the borrower's consent.
	_ = w.WriteField("blackBox", "device-"+token[:12])
	_ = w.WriteField("deviceConsent", "1")
	if photo {
		fw, _ := w.CreateFormFile("files", "face.png")
		_, _ = fw.Write(testPNG)
	}
	_ = w.Close()
	return a.req("POST", "/loan/record/apply", body.String(), token, append(headers, "Content-Type: "+w.FormDataContentType())...)
}

// loanRecord is the part of the seed's loan record the tests read.
type loanRecord struct {
	ID              string `json:"id"`
	Status          int    `json:"status"`
	AuditRiskStatus int    `json:"auditRiskStatus"`
	AuditRiskReson  string `json:"auditRiskReson"`
	AuditRiskDetail string `json:"auditRiskDetail"`
	Balance         string `json:"balance"`
	ActualBalance   string `json:"actualBalance"`
	ActualbackAmt   string `json:"actualbackAmt"`
	ServiceFee      int64  `json:"serviceFee"`
	SuffixFee       int64  `json:"suffixFee"`
	ShouldbackFee   string `json:"shouldbackFee"`
	OverdueFee      string `json:"overdueFee"`
	OverDays        string `json:"overDays"`
	RemainingAmount string `json:"remainingAmount"`
	ExtensionStatus int    `json:"extensionStatus"`
	ShouldbackTime  string `json:"shouldbackTime"`
	HeadImgCode     string `json:"headImgCode"`
	AuditUserID     string `json:"auditUserId"`
}

func (a *testApp) latest(token string) loanRecord {
	a.t.Helper()
	var l loanRecord
	a.ok("GET", "/loan/record/latest", nil, token).decode(a.t, &l)
	return l
}

type checkout struct {
	Reference   string `json:"reference"`
	CheckoutURL string `json:"checkoutUrl"`
	Amount      string `json:"amount"`
	Type        string `json:"type"`
}

// repay opens a checkout with an idempotency key.
func (a *testApp) repay(token, key string, body map[string]string) env {
	a.t.Helper()
	return a.req("POST", "/loan/record/repay", body, token, "Idempotency-Key: "+key)
}

// pay opens a checkout for amount and pays it in full at the sandbox.
func (a *testApp) pay(token, loanID, key string, amount ledger.Money) checkout {
	a.t.Helper()
	e := a.repay(token, key, map[string]string{"id": loanID, "amount": amount.String()})
	if e.Status != 200 {
		a.t.Fatalf("repay = %d %q", e.Status, e.Message)
	}
	var c checkout
	e.decode(a.t, &c)
	a.ok("POST", "/sandbox/payments/"+c.Reference+"/complete", map[string]string{}, "")
	a.deliver()
	return c
}

// deliver posts every due sandbox webhook to the server now.
func (a *testApp) deliver() {
	a.t.Helper()
	for {
		n, err := a.app.Payments.DeliverDue(context.Background())
		if err != nil {
			a.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// verifyClean fails the test on any ledger violation.
func (a *testApp) verifyClean() {
	a.t.Helper()
	vs, txs, loans, err := verifyLedger(context.Background(), a.app.DB)
	if err != nil {
		a.t.Fatal(err)
	}
	for _, v := range vs {
		a.t.Errorf("ledger violation: %s", v)
	}
	if txs == 0 || loans == 0 {
		a.t.Errorf("ledger verify saw %d transactions and %d loans", txs, loans)
	}
}

// opsReq sends an operator request.
func (a *testApp) opsReq(method, path string, body any) env {
	a.t.Helper()
	return a.req(method, path, body, testOpsToken)
}

// webhook posts an event body with headers h (see sign) to the webhook
// endpoint.
func (a *testApp) webhook(body []byte, h http.Header) int {
	req, _ := http.NewRequest("POST", a.srv.URL+"/payment/webhook", bytes.NewReader(body))
	req.Header = h.Clone()
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// sign is the Standard Webhooks headers of message id with body, signed
// now (the app's clock) under the sandbox's webhook secret, or key.
func (a *testApp) sign(id string, body []byte, key ...[]byte) http.Header {
	k := a.app.Payments.Secret
	if len(key) > 0 {
		k = key[0]
	}
	now := time.Now()
	if a.app.Loans.Now != nil {
		now = a.app.Loans.Now()
	}
	return payment.SignedHeaders(id, now, body, k)
}

func money(s string) ledger.Money {
	n, _ := strconv.ParseInt(s, 10, 64)
	return ledger.Money(n)
}

var _ = loan.StatusSettled

// storedBlobs counts the blobs the app's store holds (deleted ones aside).
func (a *testApp) storedBlobs() int {
	a.t.Helper()
	n := 0
	if err := a.app.Blobs.Walk(context.Background(), func(string, time.Time) error { n++; return nil }); err != nil {
		a.t.Fatal(err)
	}
	return n
}

// reportOwner is a borrower with the identity of a fixture credit report:
// its Chinese resident ID and the birth date the ID carries.
func (a *testApp) reportOwner(mobile, idNumber, birth string) string {
	a.t.Helper()
	tok := a.borrower(mobile)
	basic := personBasic(mobile)
	basic["idCountry"], basic["nationality"], basic["idNumber"], basic["birthDate"] = "CN", "CN", idNumber, birth
	a.ok("POST", "/user/info/basic", basic, tok)
	return tok
}

// fixtureReport is one of the credit-report fixtures' PDF.
func (a *testApp) fixtureReport(name string) []byte {
	a.t.Helper()
	pdf, err := os.ReadFile("../../internal/creditreport/testdata/fixtures/" + name + ".pdf")
	if err != nil {
		a.t.Fatal(err)
	}
	return pdf
}

// attachReport attaches a fixture report through the app.
func (a *testApp) attachReport(tok, name string) {
	a.t.Helper()
	if r := a.postMultipart("/user/credit/report", tok, a.fixtureReport(name)); r.Status != 200 {
		a.t.Fatalf("attach %s = %d %q", name, r.Status, r.Message)
	}
}
