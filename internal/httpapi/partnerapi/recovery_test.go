package partnerapi

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"creditpocket/internal/creditreport"
	"creditpocket/internal/creditreport/intake"
	"creditpocket/internal/creditreport/parse"
	"creditpocket/internal/httpapi"
	"creditpocket/internal/httpapi/appapi"
	"creditpocket/internal/httpapi/httpapitest"
	"creditpocket/internal/partner"
	"creditpocket/internal/store"
	"creditpocket/internal/store/partnerdb"
	"creditpocket/internal/store/storetest"
)

// TestAParserBugIsNotTheClientsFault makes the credit-report parser
// panic (its memory hook, called inside the PDF reader, panics) behind
// the real handlers: the partner API and the operators' upload answer 500
// INTERNAL_ERROR / 5000 "internal error" with no panic text, and the
// panic is logged once with the request id and the stack.
func TestAParserBugIsNotTheClientsFault(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	partners := &partner.Service{Store: partnerdb.New(db)}
	p, secret, err := partners.Create(context.Background(), partner.CreateInput{Name: "bank", Scopes: []partner.Scope{partner.ScopeOCR}})
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile("../../creditreport/testdata/fixtures/typical-gopdf-1.pdf")
	if err != nil {
		t.Fatal(err)
	}
	reports := &intake.Service{Parser: func(ctx context.Context, f io.ReaderAt, size int64, opts parse.Options) (*creditreport.Report, error) {
		opts.PDF.Memory = func(int64) error { panic(httpapitest.PanicText) }
		return parse.NewReader(f, size, opts).Read(ctx)
	}}

	var log httpapitest.SyncBuffer
	s := httpapi.New(httpapi.Server{Partners: partners, OpsToken: "ops-token", Reports: reports, APIs: []httpapi.API{appapi.Routes, Routes}}, httpapi.Options{Logger: slog.New(slog.NewJSONHandler(&log, nil)), QuietRequests: true})
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
			before := len(httpapitest.StackLines(t, log.String()))
			status, body := upload(tc.path, tc.headers...)
			if status != 500 || !strings.Contains(body, tc.want) || strings.Contains(body, "index out of range") || strings.Contains(body, "panic") {
				t.Fatalf("= %d %s; want 500 %s", status, body, tc.want)
			}
			lines := httpapitest.StackLines(t, log.String())[before:]
			wantID := "req-" + strings.ReplaceAll(strings.Trim(tc.path, "/"), "/", "-")
			if len(lines) != 1 || lines[0]["request_id"] != wantID || !strings.Contains(lines[0]["err"].(string), "index out of range") ||
				!strings.Contains(lines[0]["stack"].(string), "parse") {
				t.Fatalf("log lines with a stack: %v; want one with request_id %s, the panic and the stack", lines, wantID)
			}
		})
	}
}
