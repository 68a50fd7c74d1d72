package partnerapi

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"creditpocket/internal/creditreport/intake"
	"creditpocket/internal/httpapi"
	"creditpocket/internal/httpapi/appapi"
	"creditpocket/internal/kyc"
	"creditpocket/internal/membudget"
	"creditpocket/internal/partner"
	"creditpocket/internal/store"
	"creditpocket/internal/store/partnerdb"
	"creditpocket/internal/store/storetest"
)

// TestAFullBudgetAnswers503WithRetryAfter holds the whole memory budget
// and sends each large-body API a request: each waits briefly, then
// answers 503 with Retry-After in its own vocabulary, and holds nothing.
func TestAFullBudgetAnswers503WithRetryAfter(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	partners := &partner.Service{Store: partnerdb.New(db)}
	p, secret, err := partners.Create(context.Background(), partner.CreateInput{Name: "bank",
		Scopes: []partner.Scope{partner.ScopeOCR, partner.ScopeRisk, partner.ScopeKYC}, RatePerSecond: 1000})
	if err != nil {
		t.Fatal(err)
	}
	report, err := os.ReadFile("../../creditreport/testdata/fixtures/typical-gopdf-1.pdf")
	if err != nil {
		t.Fatal(err)
	}
	mem := membudget.New(16<<20, 20*time.Millisecond)
	s := httpapi.New(httpapi.Server{APIs: []httpapi.API{appapi.Routes, Routes}, Partners: partners, OpsToken: "ops-token", Memory: mem, KYC: &kyc.Service{}, Reports: &intake.Service{},
		Risk: testRiskAPI()}, httpapi.Options{QuietRequests: true})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	hog := mem.Lease(context.Background())
	if err := hog.Grow(16 << 20); err != nil {
		t.Fatal(err)
	}
	defer hog.Close()

	multipartFile := func() (string, []byte) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", "report.pdf")
		_, _ = fw.Write(report)
		_ = mw.Close()
		return mw.FormDataContentType(), b.Bytes()
	}
	event := `{"event_type":"Loan","event_time":"` + time.Now().Format(time.RFC3339) + `","profile":{"name":"Ada"}}`
	creds := []string{"X-API-ID: " + p.ID, "X-API-SECRET: " + secret}
	for _, tc := range []struct {
		name, path, contentType string
		body                    []byte
		headers                 []string
		want                    string
	}{
		{"the OCR partner API", "/ocr/v2/pdf_credit_report_org", "", nil, creds, `"status":"UNAVAILABLE"`},
		{"an operator's credit-report upload (the app envelope)", "/ops/borrowers/7/credit-report", "", nil, []string{"Authorization: Bearer ops-token"}, `"code":5030`},
		{"the risk API", "/credit/fraud/v1", "application/json", []byte(event), creds, `"reason_code":"service_unavailable"`},
		{"the KYC API", "/openapi/card/binding/kyc", "application/json", []byte(`{"mc_trade_no":"T1"}`), creds, `"code":"50300"`},
	} {
		t.Run(tc.name+" answers 503 with Retry-After", func(t *testing.T) {
			ct, body := tc.contentType, tc.body
			if body == nil {
				ct, body = multipartFile()
			}
			req, _ := http.NewRequest("POST", srv.URL+tc.path, bytes.NewReader(body))
			req.Header.Set("Content-Type", ct)
			for _, h := range tc.headers {
				k, v, _ := strings.Cut(h, ": ")
				req.Header.Set(k, v)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(got), tc.want) {
				t.Fatalf("= %d (Retry-After %q) %s; want 503 with %s", resp.StatusCode, resp.Header.Get("Retry-After"), got, tc.want)
			}
			if mem.InUse() != 16<<20 {
				t.Fatalf("%d bytes in use; the refused request still holds some", mem.InUse()-16<<20)
			}
		})
	}
	t.Run("the budget is on /metrics", func(t *testing.T) {
		resp, err := srv.Client().Get(srv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		got, _ := io.ReadAll(resp.Body)
		for _, want := range []string{"creditpocket_memory_budget_in_use_bytes 1.6777216e+07", "creditpocket_memory_budget_bytes 1.6777216e+07", "creditpocket_memory_budget_refused_total 4"} {
			if !bytes.Contains(got, []byte(want)) {
				t.Errorf("/metrics lacks %q", want)
			}
		}
	})
}
