package partnerapi

import (
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"creditpocket/internal/httpapi"
	"creditpocket/internal/risk"
	"creditpocket/internal/risk/decision"
)

// nopRiskStore satisfies the risk stores for tests that never reach storage.
type nopRiskStore struct {
	httpapi.RiskStore
	decision.Store
}

// testRiskAPI runs the default policy over storage that is never reached.
func testRiskAPI() *httpapi.RiskAPI {
	eng := risk.NewEngine(risk.DefaultPolicy(), risk.Config{})
	return &httpapi.RiskAPI{Engine: eng, Decisions: &decision.Service{Engine: eng, Store: nopRiskStore{}}, Store: nopRiskStore{}}
}

func riskTestServer() *httpapi.Server {
	return httpapi.New(httpapi.Server{APIs: []httpapi.API{Routes}, OpsToken: "ops", Risk: testRiskAPI()}, httpapi.Options{})
}

func TestRiskRoutesAreServedAndDocumented(t *testing.T) {
	s := riskTestServer()
	doc := s.OpenAPI()["paths"].(map[string]map[string]any)
	for _, rt := range (&api{s}).riskRoutes() {
		pattern := s.Pattern(httptest.NewRequest(rt.Method, rt.Path, nil))
		if pattern != rt.Method+" "+rt.Path {
			t.Errorf("%s %s is served by %q", rt.Method, rt.Path, pattern)
		}
		if doc[rt.Path][strings.ToLower(rt.Method)] == nil {
			t.Errorf("%s %s is not in /openapi.json", rt.Method, rt.Path)
		}
	}
}

// TestRiskDocumentedBodiesMatchWhatIsDecoded keeps the documented fields
// equal to the JSON fields the handlers decode: the event's top level, the
// contact items, the feedback and list-entry bodies.
func TestRiskDocumentedBodiesMatchWhatIsDecoded(t *testing.T) {
	routes := map[string][]httpapi.Field{}
	for _, rt := range (&api{riskTestServer()}).riskRoutes() {
		routes[rt.Method+" "+rt.Path] = rt.Body
	}
	tests := []struct {
		name string
		doc  []httpapi.Field
		typ  reflect.Type
	}{
		{"the event", routes["POST /credit/fraud/v1"], reflect.TypeFor[risk.Event]()},
		{"a contact", routes["POST /credit/fraud/v1"][7].Items, reflect.TypeFor[risk.Contact]()},
		{"the feedback", routes["POST /credit/fraud/v1/feedback"], reflect.TypeFor[feedbackReq]()},
		{"a list entry", routes["POST /ops/risk/list-entries"], reflect.TypeFor[listEntryReq]()},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is documented field by field", func(t *testing.T) {
			var documented, decoded []string
			for _, f := range tt.doc {
				documented = append(documented, f.Name)
			}
			for sf := range tt.typ.Fields() {
				if sf.IsExported() {
					name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
					decoded = append(decoded, name)
				}
			}
			if !reflect.DeepEqual(documented, decoded) {
				t.Errorf("documented %v, decoded %v", documented, decoded)
			}
		})
	}
}

func TestRiskOpsNeedTheOperatorToken(t *testing.T) {
	s := riskTestServer()
	h := s.Handler()
	tests := []struct {
		name, token string
		want        int
	}{
		{"no token is unauthenticated", "", 401},
		{"a wrong token is unauthenticated", "nope", 401},
		{"the right token passes", "ops", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/ops/risk/policy", nil)
			if tt.token != "" {
				r.Header.Set("Authorization", "Bearer "+tt.token)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.want, w.Body)
			}
		})
	}
	s.OpsToken = ""
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/ops/risk/policy", nil)
	r.Header.Set("Authorization", "Bearer ")
	h.ServeHTTP(w, r)
	if w.Code != 403 {
		t.Fatalf("without a configured token: %d, want 403", w.Code)
	}
}

func TestRiskPartnerRefusalsAnswerInTheDecisionAPIShape(t *testing.T) {
	h := riskTestServer().Handler()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/credit/fraud/v1?partner_code=p&partner_key=k", strings.NewReader("{}")))
	if w.Code != 401 || !strings.Contains(w.Body.String(), `"success":false`) || !strings.Contains(w.Body.String(), `"reason_code":"unauthorized"`) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}
