package httpapi_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"creditpocket/internal/creditreport/intake"
	"creditpocket/internal/httpapi"
	"creditpocket/internal/httpapi/appapi"
	"creditpocket/internal/httpapi/partnerapi"
	"creditpocket/internal/kyc"
	"creditpocket/internal/partner"
	"creditpocket/internal/payment"
	"creditpocket/internal/sms"
)

// testServer serves every API, the sandbox included.
func testServer() *httpapi.Server {
	return httpapi.New(httpapi.Server{SMS: &sms.Sandbox{}, Partners: &partner.Service{}, Reports: &intake.Service{}, DevSandbox: true,
		APIs: []httpapi.API{appapi.Routes, partnerapi.Routes}}, httpapi.Options{})
}

// TestOpenAPICoversEveryRoute checks the document against the mux: every
// documented operation is served by its own pattern (not the catch-all),
// and the document is valid JSON with the parts clients need.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	s := testServer()
	raw, err := json.Marshal(s.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || doc.OpenAPI != "3.1.0" {
		t.Fatalf("document: %v, version %q", err, doc.OpenAPI)
	}
	n := 0
	for path, ops := range doc.Paths {
		for method := range ops {
			n++
			m := strings.ToUpper(method)
			pattern := s.Pattern(httptest.NewRequest(m, path, nil))
			if pattern != m+" "+path {
				t.Errorf("%s %s is documented but served by %q", m, path, pattern)
			}
		}
	}
	if n != len(s.Routes()) {
		t.Errorf("document has %d operations, the server %d routes", n, len(s.Routes()))
	}
	for _, want := range []string{"/user/login", "/user/info", "/bankcard/list", "/metrics", "/ocr/v2/pdf_credit_report_org", "/sandbox/sms"} {
		if doc.Paths[want] == nil {
			t.Errorf("%s is not documented", want)
		}
	}
}

func TestDocsPageRenders(t *testing.T) {
	s := testServer()
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/docs", nil))
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, "/user/register") || !strings.Contains(body, "bankAccNo") {
		t.Fatalf("docs = %d, %d bytes", w.Code, len(body))
	}
}

var update = flag.Bool("update", false, "rewrite testdata/openapi.json from the route table")

// TestOpenAPIDocumentIsUnchanged holds /openapi.json of a server with every
// API to testdata/openapi.json: moving endpoints between packages must not
// change what clients are told. Run with -update after a deliberate change.
func TestOpenAPIDocumentIsUnchanged(t *testing.T) {
	s := httpapi.New(httpapi.Server{
		SMS: &sms.Sandbox{}, Partners: &partner.Service{}, Reports: &intake.Service{}, KYC: &kyc.Service{},
		Loans: &httpapi.Loans{Sandbox: &payment.Async{}}, Risk: &httpapi.RiskAPI{}, DevSandbox: true, Version: "dev",
		APIs: []httpapi.API{appapi.Routes, partnerapi.Routes},
	}, httpapi.Options{})
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/openapi.json", nil))
	golden := filepath.Join("testdata", "openapi.json")
	if *update {
		if err := os.WriteFile(golden, w.Body.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(w.Body.Bytes(), want) {
		t.Fatalf("/openapi.json differs from %s (%d bytes, want %d); run with -update if the change is deliberate", golden, w.Body.Len(), len(want))
	}
}
