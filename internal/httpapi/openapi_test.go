package httpapi

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"creditpocket/internal/creditreport/intake"
	"creditpocket/internal/partner"
	"creditpocket/internal/sms"
)

func testServer() *Server {
	return New(Server{SMS: &sms.Sandbox{}, Partners: &partner.Service{}, Reports: &intake.Service{}, DevSandbox: true}, Options{})
}

// TestOpenAPICoversEveryRoute checks the document against the mux: every
// documented operation is served by its own pattern (not the catch-all),
// and the document is valid JSON with the parts clients need.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	s := testServer()
	mux := s.mux()
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
			_, pattern := mux.Handler(httptest.NewRequest(m, path, nil))
			if pattern != m+" "+path {
				t.Errorf("%s %s is documented but served by %q", m, path, pattern)
			}
		}
	}
	if n != len(s.routes) {
		t.Errorf("document has %d operations, the server %d routes", n, len(s.routes))
	}
	for _, want := range []string{"/user/login", "/user/info", "/bankcard/list", "/metrics", "/ocr/v2/pdf_credit_report_org", "/sandbox/sms"} {
		if doc.Paths[want] == nil {
			t.Errorf("%s is not documented", want)
		}
	}
}

// TestDocumentedBodiesMatchRequestTypes keeps each JSON body's documented
// fields equal to the struct the handler decodes (unknown fields are
// refused, so an undocumented field would be unusable, and a documented one
// missing from the struct would be refused).
func TestDocumentedBodiesMatchRequestTypes(t *testing.T) {
	types := map[string]any{
		"POST /sms/code": sendCodeReq{}, "POST /sms/verify": verifyCodeReq{}, "POST /user/register": registerReq{},
		"POST /user/login": loginReq{}, "POST /user/info/basic": basicReq{}, "POST /user/info/contacts": contactsReq{},
		"POST /user/info/work": workReq{}, "POST /user/bankcard": cardReq{}, "POST /user/transferRecipient": idReq{},
		"POST /bankcard/default": idReq{},
	}
	for _, rt := range testServer().routes {
		key := rt.Method + " " + rt.Path
		v, ok := types[key]
		if !ok {
			continue
		}
		delete(types, key)
		if rt.Body == nil {
			t.Errorf("%s: no documented body", key)
			continue
		}
		compareFields(t, key, rt.Body, reflect.TypeOf(v))
	}
	for k := range types {
		t.Errorf("%s is not a route any more", k)
	}
}

func compareFields(t *testing.T, where string, doc []Field, typ reflect.Type) {
	t.Helper()
	var documented, decoded []string
	for _, f := range doc {
		documented = append(documented, f.Name)
	}
	for i := range typ.NumField() {
		sf := typ.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		decoded = append(decoded, name)
		if sf.Type.Kind() == reflect.Slice && sf.Type.Elem().Kind() == reflect.Struct {
			for _, f := range doc {
				if f.Name == name {
					compareFields(t, where+"."+name+"[]", f.Items, sf.Type.Elem())
				}
			}
		}
	}
	slices.Sort(documented)
	slices.Sort(decoded)
	if !slices.Equal(documented, decoded) {
		t.Errorf("%s: documented %v, decoded %v", where, documented, decoded)
	}
}

func TestDocsPageRenders(t *testing.T) {
	s := testServer()
	w := httptest.NewRecorder()
	s.serveDocs(w, httptest.NewRequest("GET", "/docs", nil))
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, "/user/register") || !strings.Contains(body, "bankAccNo") {
		t.Fatalf("docs = %d, %d bytes", w.Code, len(body))
	}
}
