package httpapi_test

import (
	"creditpocket/internal/httpapi"
	"creditpocket/internal/httpapi/appapi"
	"creditpocket/internal/httpapi/partnerapi"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"creditpocket/internal/creditreport/intake"
	"creditpocket/internal/partner"
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
