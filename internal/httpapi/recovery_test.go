package httpapi

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"creditpocket/internal/httpapi/httpapitest"
)

func TestAPanicIsAnInternalErrorInEachAPIsVocabulary(t *testing.T) {
	for _, tc := range []struct {
		name, path, want string
	}{
		{"the app envelope", "/user/info", `"code":5000`},
		{"the OCR partner API", "/ocr/v2/pdf_credit_report_org", `"status":"INTERNAL_ERROR"`},
		{"the risk API", "/credit/fraud/v1", `"reason_code":"internal_error"`},
		{"the KYC API", "/openapi/card/binding/kyc", `"code":"`},
		{"the console", "/console/loans", "internal error"},
	} {
		t.Run(tc.name+" answers 500 without the panic's text, logged once with the request id", func(t *testing.T) {
			var log httpapitest.SyncBuffer
			s := New(Server{}, Options{Logger: slog.New(slog.NewJSONHandler(&log, nil)), QuietRequests: true})
			h := s.observe(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(httpapitest.PanicText) }))
			w := httptest.NewRecorder()
			r := httptest.NewRequest("POST", tc.path, nil)
			r.Header.Set("X-Request-Id", "req-panic-1")
			h.ServeHTTP(w, r)
			body := w.Body.String()
			if w.Code != 500 || !strings.Contains(body, tc.want) || strings.Contains(body, "index out of range") {
				t.Fatalf("= %d %s; want 500 with %s and no panic text", w.Code, body, tc.want)
			}
			lines := httpapitest.StackLines(t, log.String())
			if len(lines) != 1 || lines[0]["request_id"] != "req-panic-1" || !strings.Contains(lines[0]["panic"].(string), "index out of range") {
				t.Fatalf("log lines with a stack: %v", lines)
			}
		})
	}
	t.Run("an aborted response is passed on to net/http, not logged as a bug", func(t *testing.T) {
		var log httpapitest.SyncBuffer
		s := New(Server{}, Options{Logger: slog.New(slog.NewJSONHandler(&log, nil)), QuietRequests: true})
		h := s.observe(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
		defer func() {
			if p := recover(); p != http.ErrAbortHandler {
				t.Fatalf("recovered %v; want http.ErrAbortHandler", p)
			}
			if len(httpapitest.StackLines(t, log.String())) != 0 {
				t.Fatal("an abort was logged as a panic")
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/user/info", nil))
	})
}
