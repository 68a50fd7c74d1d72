package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"creditpocket/internal/store/storetest"
)

// BenchmarkUserInfo serves authenticated GET /user/info in process (no
// network) on each engine, for profiling the handler path; the HTTP load
// figures come from bench/user-info.sh.
func BenchmarkUserInfo(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			a := newTestApp(b, e)
			tok := a.signUp("07068425023")
			a.ok("POST", "/user/info/basic", basicInfo(), tok)
			a.ok("POST", "/user/info/contacts", contactsBody(), tok)
			a.ok("POST", "/user/info/work", workBody(), tok)
			a.ok("POST", "/user/bankcard", cardBody(), tok)
			benchUserInfo(b, a, tok)
		})
	}
}

func benchUserInfo(b *testing.B, a *testApp, token string) {
	h := a.app.Server.Handler()
	req := httptest.NewRequest("GET", "/user/info", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req.Clone(req.Context()))
			if w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}
