package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"creditpocket/internal/creditreport"
	"creditpocket/internal/creditreport/intake"
	"creditpocket/internal/creditreport/parse"
	"creditpocket/internal/partner"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

// panicText stands for what a bug's panic says; no client may see it.
const panicText = "runtime error: index out of range [7] with length 3 in walker.go"

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// logLines are the JSON log lines that carry a stack.
func stackLines(t *testing.T, log string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var m map[string]any
		if line == "" || json.Unmarshal([]byte(line), &m) != nil {
			continue
		}
		if _, ok := m["stack"]; ok {
			out = append(out, m)
		}
	}
	return out
}

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
			var log syncBuffer
			s := New(Server{}, Options{Logger: slog.New(slog.NewJSONHandler(&log, nil)), QuietRequests: true})
			h := s.observe(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(panicText) }))
			w := httptest.NewRecorder()
			r := httptest.NewRequest("POST", tc.path, nil)
			r.Header.Set("X-Request-Id", "req-panic-1")
			h.ServeHTTP(w, r)
			body := w.Body.String()
			if w.Code != 500 || !strings.Contains(body, tc.want) || strings.Contains(body, "index out of range") {
				t.Fatalf("= %d %s; want 500 with %s and no panic text", w.Code, body, tc.want)
			}
			lines := stackLines(t, log.String())
			if len(lines) != 1 || lines[0]["request_id"] != "req-panic-1" || !strings.Contains(lines[0]["panic"].(string), "index out of range") {
				t.Fatalf("log lines with a stack: %v", lines)
			}
		})
	}
	t.Run("an aborted response is passed on to net/http, not logged as a bug", func(t *testing.T) {
		var log syncBuffer
		s := New(Server{}, Options{Logger: slog.New(slog.NewJSONHandler(&log, nil)), QuietRequests: true})
		h := s.observe(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
		defer func() {
			if p := recover(); p != http.ErrAbortHandler {
				t.Fatalf("recovered %v; want http.ErrAbortHandler", p)
			}
			if len(stackLines(t, log.String())) != 0 {
				t.Fatal("an abort was logged as a panic")
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/user/info", nil))
	})
}

// TestAParserBugIsNotTheClientsFault makes the credit-report parser
// panic (its memory hook, called inside the PDF reader, panics) behind
// the real handlers: the partner API and the operators' upload answer 500
// INTERNAL_ERROR / 5000 "internal error" with no panic text, and the
// panic is logged once with the request id and the stack.
func TestAParserBugIsNotTheClientsFault(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	partners := &partner.Service{Store: db.Partners()}
	p, secret, err := partners.Create(context.Background(), partner.CreateInput{Name: "bank", Scopes: []partner.Scope{partner.ScopeOCR}})
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile("../creditreport/testdata/fixtures/typical-gopdf-1.pdf")
	if err != nil {
		t.Fatal(err)
	}
	reports := &intake.Service{Parser: func(ctx context.Context, f io.ReaderAt, size int64, opts parse.Options) (*creditreport.Report, error) {
		opts.PDF.Memory = func(int64) error { panic(panicText) }
		return parse.NewReader(f, size, opts).Read(ctx)
	}}

	var log syncBuffer
	s := New(Server{Partners: partners, OpsToken: "ops-token", Reports: reports}, Options{Logger: slog.New(slog.NewJSONHandler(&log, nil)), QuietRequests: true})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	upload := func(path string, headers ...string) (int, string) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "report.pdf")
		_, _ = fw.Write(file)
		_ = mw.Close()
		req, _ := http.NewRequest("POST", srv.URL+path, &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("X-Request-Id", "req-"+strings.ReplaceAll(strings.Trim(path, "/"), "/", "-"))
		for _, h := range headers {
			k, v, _ := strings.Cut(h, ": ")
			req.Header.Set(k, v)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, tc := range []struct {
		name, path string
		headers    []string
		want       string
	}{
		{"the OCR partner API", "/ocr/v2/pdf_credit_report_org", []string{"X-API-ID: " + p.ID, "X-API-SECRET: " + secret}, `{"status":"INTERNAL_ERROR","reason":"internal error"}`},
		{"an operator's upload for a borrower", "/ops/borrowers/7/credit-report", []string{"Authorization: Bearer ops-token"}, `"code":5000,"data":null,"message":"internal error"`},
	} {
		t.Run(tc.name+" answers a parser panic as an internal error", func(t *testing.T) {
			before := len(stackLines(t, log.String()))
			status, body := upload(tc.path, tc.headers...)
			if status != 500 || !strings.Contains(body, tc.want) || strings.Contains(body, "index out of range") || strings.Contains(body, "panic") {
				t.Fatalf("= %d %s; want 500 %s", status, body, tc.want)
			}
			lines := stackLines(t, log.String())[before:]
			wantID := "req-" + strings.ReplaceAll(strings.Trim(tc.path, "/"), "/", "-")
			if len(lines) != 1 || lines[0]["request_id"] != wantID || !strings.Contains(lines[0]["err"].(string), "index out of range") ||
				!strings.Contains(lines[0]["stack"].(string), "parse") {
				t.Fatalf("log lines with a stack: %v; want one with request_id %s, the panic and the stack", lines, wantID)
			}
		})
	}
}
