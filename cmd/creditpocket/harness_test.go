package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"creditpocket/internal/account"
	"creditpocket/internal/config"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

// testApp is a real creditpocket (real database, real HTTP) for one test.
type testApp struct {
	t   testing.TB
	app *App
	srv *httptest.Server
}

// fastHasher keeps argon2id but with tiny parameters so tests stay fast.
var fastHasher = account.Argon2id{Memory: 64, Time: 1, Threads: 1}

func newTestApp(t testing.TB, e store.Engine) *testApp { return newTestAppWith(t, e, nil) }

// newTestAppWith is newTestApp with configure applied to its configuration.
func newTestAppWith(t testing.TB, e store.Engine, configure func(*config.Config)) *testApp {
	t.Helper()
	dbURL, dir := storetest.URL(t, e)
	cfg := devConfig(dbURL, dir)
	if configure != nil {
		configure(&cfg)
	}
	cfg.KYC.AllowPrivateWebhooks = true // merchants in tests listen on 127.0.0.1
	app, err := Open(context.Background(), cfg, nil, Options{Hasher: fastHasher, QuietRequests: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Server.Handler())
	t.Cleanup(func() { srv.Close(); app.Close() })
	return &testApp{t: t, app: app, srv: srv}
}

// devConfig is the configuration tests run on: dev mode (sandbox
// providers, /sandbox/* for the loopback test client, a dev key under
// dir, demo data) on the given database.
func devConfig(dbURL, dir string) config.Config {
	cfg := config.Default()
	cfg.DataDir, cfg.DatabaseURL = dir, dbURL
	cfg.UseDev()
	cfg.SandboxTransferDelay = 0 // payouts arrive at the next delivery
	return cfg
}

// env is a decoded response envelope.
type env struct {
	Status  int
	Code    int             `json:"code"`
	Data    json.RawMessage `json:"data"`
	Message string          `json:"message"`
	Token   string          `json:"token"`
}

func (e env) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(e.Data, v); err != nil {
		t.Fatalf("decode data %s: %v", e.Data, err)
	}
}

// raw sends a request and returns the status and body. body may be nil,
// a string or []byte (sent as is) or a value (sent as JSON); headers are
// "Name: value" strings and may override the JSON content type.
func (a *testApp) raw(method, path string, body any, headers ...string) (int, []byte) {
	a.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	hr, err := http.NewRequest(method, a.srv.URL+path, r)
	if err != nil {
		a.t.Fatal(err)
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		hr.Header.Set(k, strings.TrimSpace(v))
	}
	resp, err := a.srv.Client().Do(hr)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// req sends an app API request, signed in with token when it is not
// empty, and decodes the envelope.
func (a *testApp) req(method, path string, body any, token string, headers ...string) env {
	a.t.Helper()
	if token != "" {
		headers = append([]string{"Authorization: Bearer " + token}, headers...)
	}
	status, raw := a.raw(method, path, body, headers...)
	var e env
	if err := json.Unmarshal(raw, &e); err != nil {
		a.t.Fatalf("%s %s: status %d, body not the envelope: %q", method, path, status, raw)
	}
	e.Status = status
	return e
}

// ok sends a request that must succeed.
func (a *testApp) ok(method, path string, body any, token string) env {
	a.t.Helper()
	e := a.req(method, path, body, token)
	if e.Status != 200 || e.Code != 1 || e.Message != "successfully request" {
		a.t.Fatalf("%s %s = %d %d %q", method, path, e.Status, e.Code, e.Message)
	}
	return e
}

var codeRE = regexp.MustCompile(`code is (\d{6})`)

// lastCode reads the newest SMS code sent to phone (E.164 digits) through
// the sandbox endpoint, as a developer would.
func (a *testApp) lastCode(phone string) string {
	a.t.Helper()
	e := a.ok("GET", "/sandbox/sms?phone="+phone, nil, "")
	var page struct {
		List []struct {
			Content string `json:"content"`
		} `json:"list"`
	}
	e.decode(a.t, &page)
	if len(page.List) == 0 {
		a.t.Fatalf("no SMS to %s", phone)
	}
	m := codeRE.FindStringSubmatch(page.List[0].Content)
	if m == nil {
		a.t.Fatalf("no code in %q", page.List[0].Content)
	}
	return m[1]
}

// signUp registers mobile (a Nigerian national number) and returns its token.
func (a *testApp) signUp(mobile string) string {
	a.t.Helper()
	a.ok("POST", "/sms/code", map[string]string{"mobile": mobile, "type": "register"}, "")
	code := a.lastCode("234" + strings.TrimPrefix(mobile, "0"))
	e := a.ok("POST", "/user/register", map[string]string{"mobile": mobile, "code": code, "password": "s3cret-pass"}, "")
	if e.Token == "" {
		a.t.Fatal("register returned no token")
	}
	return e.Token
}

// basicInfo is a valid basic-information body.
func basicInfo() map[string]string {
	return map[string]string{
		"firstName": "Hussein", "lastName": "Sulyman", "gender": "male", "birthDate": "1990-04-12",
		"email": "hussein@example.com", "maritalStatus": "married", "education": "bachelor",
		"idType": "identity_card", "idNumber": "22167288734", "state": "Lagos", "cityCode": "NG-LA-IKJ",
		"address": "12 Allen Avenue, Ikeja",
	}
}

func contactsBody() map[string]any {
	return map[string]any{"contacts": []map[string]string{
		{"name": "Amina Sulyman", "mobile": "08031234567", "relationship": "spouse"},
		{"name": "Tunde Bello", "mobile": "08059876543", "relationship": "friend"},
	}}
}

func workBody() map[string]string {
	return map[string]string{"companyName": "Acme Logistics", "companyPhone": "08021112222",
		"companyAddress": "5 Broad Street, Lagos", "profession": "Driver", "incomeCode": "INC3"}
}

// cardBody is the seed's sample account: GT Bank 0163505447, card 5399…9214.
func cardBody() map[string]string {
	return map[string]string{"bankNo": "058", "bankAccNo": "0163505447", "bankAccName": "Hussein Sulyman", "bankCardNo": "5399834490759214"}
}

func (a *testApp) rowCounts() map[string]int64 {
	a.t.Helper()
	c, err := a.app.DB.RowCounts(context.Background())
	if err != nil {
		a.t.Fatal(err)
	}
	return c
}

func diffCounts(before, after map[string]int64) string {
	var out []string
	for k, v := range after {
		if before[k] != v {
			out = append(out, fmt.Sprintf("%s %d→%d", k, before[k], v))
		}
	}
	return strings.Join(out, ", ")
}

var t0ctx = context.Background()

// openAPIDoc is the part of the OpenAPI document the tests read.
type openAPIDoc struct {
	Paths map[string]map[string]struct {
		Security    []map[string][]string `json:"security"`
		RequestBody *struct {
			Content map[string]struct {
				Schema struct {
					Properties map[string]any `json:"properties"`
				} `json:"schema"`
			} `json:"content"`
		} `json:"requestBody"`
	} `json:"paths"`
}

func (a *testApp) openAPI() openAPIDoc {
	a.t.Helper()
	resp, err := a.srv.Client().Get(a.srv.URL + "/openapi.json")
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc openAPIDoc
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		a.t.Fatal(err)
	}
	return doc
}
