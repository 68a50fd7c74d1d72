package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"creditpocket/internal/clientip"
	"creditpocket/internal/httpapi"
	"creditpocket/internal/httpapi/appapi"
	"creditpocket/internal/httpapi/partnerapi"
	"creditpocket/internal/partner"
	"creditpocket/internal/sms"
)

// apis are every API the server serves.
var apis = []httpapi.API{appapi.Routes, partnerapi.Routes}

// TestSandboxAnswersOnlyLoopbackPeersInDevMode sends /sandbox/sms (which
// reads any borrower's sign-in code) through the whole handler with
// crafted socket peers: a remote peer is refused however it names itself
// in X-Forwarded-For, even when a proxy on its address is trusted and so
// the handlers see 127.0.0.1 as the client; a loopback peer gets through
// (to the handler's own check of the missing phone) unless the request
// came through a proxy on this machine.
func TestSandboxAnswersOnlyLoopbackPeersInDevMode(t *testing.T) {
	trusted, err := clientip.Parse("203.0.113.0/24, 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		proxies clientip.Proxies
		peer    string
		xff     string
		status  int
	}{
		{"a remote peer is refused", clientip.Proxies{}, "203.0.113.7:4711", "", 403},
		{"a remote peer claiming loopback in X-Forwarded-For is refused", clientip.Proxies{}, "203.0.113.7:4711", "127.0.0.1", 403},
		{"a trusted remote proxy forwarding a loopback client is refused", trusted, "203.0.113.7:4711", "127.0.0.1", 403},
		{"an IPv6 remote peer is refused", clientip.Proxies{}, "[2001:db8::7]:4711", "::1", 403},
		{"a proxy on this machine forwarding a remote client is refused", trusted, "127.0.0.1:4711", "198.51.100.9", 403},
		{"an untrusted proxy on this machine forwarding a remote client is refused", clientip.Proxies{}, "127.0.0.1:4711", "198.51.100.9", 403},
		{"an IPv4 loopback peer gets through", clientip.Proxies{}, "127.0.0.1:4711", "", 400},
		{"an IPv6 loopback peer gets through", clientip.Proxies{}, "[::1]:4711", "", 400},
		{"a peer that does not parse is refused", clientip.Proxies{}, "localhost", "", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := httpapi.New(httpapi.Server{SMS: &sms.Sandbox{}, DevSandbox: true, Proxies: tc.proxies, APIs: apis}, httpapi.Options{})
			r := httptest.NewRequest("GET", "/sandbox/sms", nil) // no phone: 400 once past the gate
			r.RemoteAddr = tc.peer
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			w := httptest.NewRecorder()
			s.Handler().ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
		})
	}
}

// TestSandboxRoutesAreDocumentedAsDevOnly: in dev mode /docs and
// /openapi.json say of each sandbox route that it is dev-only and local.
func TestSandboxRoutesAreDocumentedAsDevOnly(t *testing.T) {
	s := httpapi.New(httpapi.Server{SMS: &sms.Sandbox{}, DevSandbox: true, APIs: apis}, httpapi.Options{})
	n := 0
	for _, rt := range s.Routes() {
		if strings.HasPrefix(rt.Path, "/sandbox/") {
			n++
			if !strings.Contains(rt.Summary, "Dev mode only") {
				t.Errorf("%s %s: summary %q does not say dev mode only", rt.Method, rt.Path, rt.Summary)
			}
		}
	}
	if n == 0 {
		t.Fatal("no sandbox routes in dev mode")
	}
}

// TestSandboxRoutesDoNotExistOutsideDevMode: without dev mode the sandbox
// helpers are not routed (404 from a loopback peer too), and neither the
// OpenAPI document nor /docs mentions them.
func TestSandboxRoutesDoNotExistOutsideDevMode(t *testing.T) {
	s := httpapi.New(httpapi.Server{SMS: &sms.Sandbox{}, Partners: &partner.Service{}, APIs: apis}, httpapi.Options{})
	get := func(path string) (int, string) {
		r := httptest.NewRequest("GET", path, nil)
		r.RemoteAddr = "127.0.0.1:4711"
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, r)
		b, _ := io.ReadAll(w.Body)
		return w.Code, string(b)
	}
	if code, body := get("/sandbox/sms?phone=2347068425023"); code != http.StatusNotFound {
		t.Fatalf("/sandbox/sms = %d %s, want 404", code, body)
	}
	_, openapi := get("/openapi.json")
	var doc struct{ Paths map[string]any }
	if err := json.Unmarshal([]byte(openapi), &doc); err != nil || len(doc.Paths) == 0 {
		t.Fatalf("openapi: %v", err)
	}
	for p := range doc.Paths {
		if strings.HasPrefix(p, "/sandbox/") {
			t.Errorf("%s is in /openapi.json outside dev mode", p)
		}
	}
	if _, docs := get("/docs"); strings.Contains(docs, "/sandbox/") {
		t.Error("/docs lists sandbox routes outside dev mode")
	}
}

// TestReadyzAnswers503OnceDrainingStarts: Drain (what serve calls on
// SIGINT/SIGTERM) turns /readyz to 503 at once, while other routes are
// still served.
func TestReadyzAnswers503OnceDrainingStarts(t *testing.T) {
	s := httpapi.New(httpapi.Server{APIs: apis}, httpapi.Options{})
	get := func(path string) int {
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w.Code
	}
	if c := get("/readyz"); c != 200 {
		t.Fatalf("readyz before draining = %d", c)
	}
	s.Drain()
	if c := get("/readyz"); c != http.StatusServiceUnavailable {
		t.Fatalf("readyz while draining = %d, want 503", c)
	}
	if c := get("/healthz"); c != 200 {
		t.Fatalf("healthz while draining = %d, want 200 (the process is alive)", c)
	}
}
