package partnerapi

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"creditpocket/internal/httpapi"
	"creditpocket/internal/kyc"
	"creditpocket/internal/sms"
)

func kycServer() *httpapi.Server {
	return httpapi.New(httpapi.Server{APIs: []httpapi.API{Routes}, SMS: &sms.Sandbox{}, KYC: &kyc.Service{}, Loans: &httpapi.Loans{}}, httpapi.Options{})
}

func TestKYCRoutesAreServedAndDocumented(t *testing.T) {
	s := kycServer()
	doc := s.OpenAPI()
	paths := doc["paths"].(map[string]map[string]any)
	for _, want := range []string{"POST /openapi/card/binding", "POST /openapi/card/binding/kyc", "GET /openapi/card/binding/kyc",
		"GET /openapi/card/binding/webhook-secret", "GET /ops/kyc/review", "POST /ops/kyc/review", "GET /ops/kyc/document"} {
		method, path, _ := strings.Cut(want, " ")
		if pattern := s.Pattern(httptest.NewRequest(method, path, nil)); pattern != want {
			t.Errorf("%s is served by %q", want, pattern)
		}
		if paths[path] == nil {
			t.Errorf("%s is not documented", path)
		}
	}
	raw, _ := json.Marshal(paths["/openapi/card/binding/kyc"])
	for _, want := range []string{"sign_img", "less than 1 MB", "poa_type", "00000", "10009", "X-API-ID"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the KYC operation's documentation lacks %q", want)
		}
	}
}

func TestKYCAnswersInTheContractsShape(t *testing.T) {
	s := kycServer()
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest("POST", "/openapi/card/binding/kyc", strings.NewReader(`{}`)))
	var ans struct {
		Code string `json:"code"`
		Msg  string `json:"msg"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &ans); err != nil || w.Code != 401 || ans.Code != string(kyc.Unauthorized) || !strings.Contains(ans.Msg, "X-API-ID") {
		t.Fatalf("without credentials: %d %s (%v)", w.Code, w.Body, err)
	}
}
