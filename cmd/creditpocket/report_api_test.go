package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"

	"creditpocket/internal/partner"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
	"creditpocket/tools/reportscore"
)

// minimalPDF is a valid one-page PDF whose only text is "hello": a PDF that
// is not a credit report.
const minimalPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n" +
	"4 0 obj<</Length 37>>stream\nBT /F1 12 Tf 20 100 Td (hello) Tj ET\nendstream endobj\n" +
	"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

func (a *testApp) postReport(id, secret string, fields map[string]string, file []byte) (int, map[string]json.RawMessage) {
	a.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if file != nil {
		fw, _ := mw.CreateFormFile("file", "report.pdf")
		_, _ = fw.Write(file)
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", a.srv.URL+"/ocr/v2/pdf_credit_report_org", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if id != "" {
		req.Header.Set("X-DF-API-ID", id)
		req.Header.Set("X-DF-API-SECRET", secret)
	}
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]json.RawMessage
	if err := json.Unmarshal(raw, &out); err != nil {
		a.t.Fatalf("not JSON: %q", raw)
	}
	return resp.StatusCode, out
}

func TestCreditReportAPI(t *testing.T) {
	a := newTestApp(t, store.SQLite)
	ctx := context.Background()
	p, secret, err := a.app.Partners.Create(ctx, partner.CreateInput{Name: "Bank", Scopes: []partner.Scope{partner.ScopeOCR}, Quota: 9})
	if err != nil {
		t.Fatal(err)
	}
	kyc, kycSecret, _ := a.app.Partners.Create(ctx, partner.CreateInput{Name: "KYC only", Scopes: []partner.Scope{partner.ScopeKYC}})
	pdfBytes, err := os.ReadFile("../../internal/creditreport/testdata/fixtures/typical-gopdf-1.pdf")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile("../../internal/creditreport/testdata/fixtures/typical-gopdf-1.json")

	t.Run("a report is structured exactly", func(t *testing.T) {
		status, out := a.postReport(p.ID, secret, nil, pdfBytes)
		if status != 200 || string(out["status"]) != `"OK"` {
			t.Fatalf("= %d %s %s", status, out["status"], out["reason"])
		}
		res, err := reportscore.Score(want, out["result"])
		if err != nil || res.F1 != 1 {
			t.Fatalf("F1 = %v, %v\n%s", res.F1, err, res)
		}
	})
	t.Run("normalize gives typed values", func(t *testing.T) {
		status, out := a.postReport(p.ID, secret, map[string]string{"normalize": "1"}, pdfBytes)
		if status != 200 || !bytes.Contains(out["result"], []byte(`"creditHeader"`)) {
			t.Fatalf("= %d %s", status, out["reason"])
		}
	})
	for _, c := range []struct {
		name, id, secret string
		fields           map[string]string
		file             []byte
		status           int
		code             string
	}{
		{"no credentials", "", "", nil, pdfBytes, 401, "UNAUTHORIZED"},
		{"wrong secret", p.ID, "sk_wrong", nil, pdfBytes, 401, "UNAUTHORIZED"},
		{"credentials without the ocr scope", kyc.ID, kycSecret, nil, pdfBytes, 403, "NO_PERMISSION"},
		{"no file", p.ID, secret, nil, nil, 400, "INVALID_ARGUMENT"},
		{"not a PDF", p.ID, secret, nil, []byte("\xff\xd8\xff\xe0 a jpeg"), 400, "INVALID_ARGUMENT"},
		{"a PDF that is not a credit report", p.ID, secret, nil, []byte(minimalPDF), 400, "DETECTION_FAILED"},
		{"a bad auto_classify", p.ID, secret, map[string]string{"auto_classify": "yes"}, pdfBytes, 400, "INVALID_ARGUMENT"},
		{"an unknown field", p.ID, secret, map[string]string{"callback": "x"}, pdfBytes, 400, "INVALID_ARGUMENT"},
		{"a truncated PDF", p.ID, secret, nil, pdfBytes[:len(pdfBytes)/3], 400, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, out := a.postReport(c.id, c.secret, c.fields, c.file)
			var code string
			_ = json.Unmarshal(out["status"], &code)
			if status != c.status || (c.code != "" && code != c.code) || len(out["reason"]) < 3 {
				t.Fatalf("= %d %s %s; want %d %s", status, code, out["reason"], c.status, c.code)
			}
		})
	}
	t.Run("the quota runs out", func(t *testing.T) {
		var last string
		for range 10 {
			_, out := a.postReport(p.ID, secret, nil, []byte(minimalPDF))
			_ = json.Unmarshal(out["status"], &last)
		}
		if last != "OUT_OF_QUOTA" {
			t.Fatalf("after the quota: %s", last)
		}
	})
	t.Run("revoked credentials are expired", func(t *testing.T) {
		if err := a.app.Partners.Revoke(ctx, kyc.ID); err != nil {
			t.Fatal(err)
		}
		status, out := a.postReport(kyc.ID, kycSecret, nil, pdfBytes)
		if status != 401 || string(out["status"]) != `"KEY_EXPIRED"` {
			t.Fatalf("= %d %s", status, out["status"])
		}
	})
}

func TestPartnerCLI(t *testing.T) {
	dir := t.TempDir()
	env := func(k string) (string, bool) {
		if k == "CREDITPOCKET_DATA" {
			return dir, true
		}
		return "", false
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"migrate"}, env, &out, &errOut); err != nil { // partner never creates a database
		t.Fatal(err, errOut.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"partner", "create", "--name", "Acme", "--scopes", "ocr,kyc", "--quota", "100", "--json"}, env, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	var created struct{ ID, Secret string }
	if err := json.Unmarshal(out.Bytes(), &created); err != nil || created.ID == "" || created.Secret == "" {
		t.Fatalf("create printed %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"partner", "list"}, env, &out, &errOut); err != nil || !bytes.Contains(out.Bytes(), []byte(created.ID)) {
		t.Fatalf("list = %q, %v", out.String(), err)
	}
	if bytes.Contains(out.Bytes(), []byte(created.Secret)) {
		t.Fatal("list shows the secret")
	}
	if err := run(context.Background(), []string{"partner", "revoke", created.ID}, env, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"partner", "create", "--name", "X", "--scopes", "admin"}, env, &out, &errOut); err == nil {
		t.Fatal("bad scope accepted")
	}
}

func (a *testApp) postMultipart(path, token string, file []byte) env {
	a.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "report.pdf")
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", a.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var e env
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		a.t.Fatal(err)
	}
	e.Status = resp.StatusCode
	return e
}

func TestBorrowerAttachesTheirCreditReport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newTestApp(t, e)
		pdfBytes, err := os.ReadFile("../../internal/creditreport/testdata/fixtures/typical-gopdf-1.pdf")
		if err != nil {
			t.Fatal(err)
		}
		owner := a.signUp("07068425023")
		if r := a.postMultipart("/user/credit/report", owner, pdfBytes); r.Status != 409 {
			t.Fatalf("attach before basic info = %d %q", r.Status, r.Message)
		}
		basic := basicInfo()
		basic["idCountry"], basic["nationality"], basic["idNumber"], basic["birthDate"] = "CN", "CN", "110959196209187439", "1962-09-18"
		a.ok("POST", "/user/info/basic", basic, owner)
		var none struct{ ReportAttached bool }
		a.ok("GET", "/user/credit", nil, owner).decode(t, &none)
		if none.ReportAttached {
			t.Fatal("a report before attaching one")
		}
		r := a.postMultipart("/user/credit/report", owner, pdfBytes)
		if r.Status != 200 {
			t.Fatalf("attach = %d %q", r.Status, r.Message)
		}
		var c struct {
			ReportAttached bool
			Report         struct {
				SerialNo        string
				Accounts        int
				OverdueAccounts int
			}
		}
		a.ok("GET", "/user/credit", nil, owner).decode(t, &c)
		if !c.ReportAttached || c.Report.SerialNo != "2024111494238350405831" || c.Report.Accounts != 8 || c.Report.OverdueAccounts < 1 {
			t.Fatalf("credit = %+v", c)
		}
		if n := a.countPlaintextIn("credit_reports", "110959196209187439"); n != 0 {
			t.Fatal("the ID number is stored in plain text")
		}

		other := a.signUp("08012345678")
		a.ok("POST", "/user/info/basic", basicInfo(), other)
		if r := a.postMultipart("/user/credit/report", other, pdfBytes); r.Status != 400 || !strings.HasPrefix(r.Message, "file:") {
			t.Fatalf("someone else's report = %d %q", r.Status, r.Message)
		}
		if r := a.postMultipart("/user/credit/report", other, []byte(minimalPDF)); r.Status != 400 {
			t.Fatalf("not a report = %d %q", r.Status, r.Message)
		}
	})
}

// countPlaintextIn counts rows of table whose text columns hold s.
func (a *testApp) countPlaintextIn(table, s string) int {
	a.t.Helper()
	var n int
	cols := map[string]string{"credit_reports": "serial_no || report_time || id_number_hash || blob_key"}[table]
	_ = a.app.DB.View(t0ctx, func(ctx context.Context, tx *store.Tx) error {
		return tx.QueryRow(t0ctx, `SELECT COUNT(*) FROM `+table+` WHERE `+cols+` LIKE $1`, "%"+s+"%").Scan(&n)
	})
	return n
}
