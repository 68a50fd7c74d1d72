package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"creditpocket/internal/kyc"
	"creditpocket/internal/kyc/kyctest"
	"creditpocket/internal/kyc/notify"
	"creditpocket/internal/partner"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

// kycApp is a real creditpocket with a KYC merchant's credentials.
type kycApp struct {
	*testApp
	id, secret string
}

// restrictedCard is a card type of the test configuration that accepts
// only Nigerian and Ghanaian addresses.
const restrictedCard = "71000009"

func newKYCApp(t testing.TB, e store.Engine) *kycApp {
	t.Helper()
	dbURL, dir := storetest.URL(t, e)
	cfg := devConfig(dbURL, dir)
	cards, err := json.Marshal(map[string]kyc.CardType{restrictedCard: {Countries: []string{"NG", "GH"}}})
	if err != nil {
		t.Fatal(err)
	}
	cfg.KYC.CardTypesFile = filepath.Join(t.TempDir(), "card-types.json")
	if err := os.WriteFile(cfg.KYC.CardTypesFile, cards, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.OpsToken, cfg.KYC.AllowPrivateWebhooks = testOpsToken, true
	app, err := Open(context.Background(), cfg, nil, Options{Hasher: fastHasher, QuietRequests: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Server.Handler())
	t.Cleanup(func() { srv.Close(); app.Close() })
	a := &kycApp{testApp: &testApp{t: t, app: app, srv: srv}}
	a.id, a.secret = a.partner("merchant", partner.ScopeKYC)
	return a
}

func (a *kycApp) partner(name string, scopes ...partner.Scope) (id, secret string) {
	a.t.Helper()
	p, secret, err := a.app.Partners.Create(context.Background(), partner.CreateInput{Name: name, Scopes: scopes, RatePerSecond: 100000})
	if err != nil {
		a.t.Fatal(err)
	}
	return p.ID, secret
}

// kycResp is a decoded KYC answer.
type kycResp struct {
	Status int
	Code   string          `json:"code"`
	Msg    string          `json:"msg"`
	Data   json.RawMessage `json:"data"`
}

// call sends a KYC API request with the merchant's credentials. body is
// nil, a string or []byte (sent as is) or a value (sent as JSON).
func (a *kycApp) call(method, path string, body any, headers ...string) kycResp {
	a.t.Helper()
	return a.callAs(a.id, a.secret, method, path, body, headers...)
}

func (a *kycApp) callAs(id, secret, method, path string, body any, headers ...string) kycResp {
	a.t.Helper()
	if id != "" {
		headers = append([]string{"X-API-ID: " + id, "X-API-SECRET: " + secret}, headers...)
	}
	status, raw := a.raw(method, path, body, headers...)
	var out kycResp
	if err := json.Unmarshal(raw, &out); err != nil {
		a.t.Fatalf("%s %s: status %d, not a KYC answer: %.200q", method, path, status, raw)
	}
	out.Status = status
	return out
}

func (a *kycApp) openBinding(tradeNo, cardType, notifyURL string) {
	a.t.Helper()
	r := a.call("POST", "/openapi/card/binding", map[string]any{"mc_trade_no": tradeNo, "card_type_id": cardType, "user_ref": "user-" + tradeNo, "notify_url": notifyURL})
	if r.Status != 200 || r.Code != "00000" {
		a.t.Fatalf("open binding %s: %d %s %s", tradeNo, r.Status, r.Code, r.Msg)
	}
}

// badCase is one refused request: change breaks one rule of a valid body.
type badCase struct {
	name   string
	change func(b map[string]any) any // returns the body to send
	code   kyc.Code
	field  string // must appear in msg
}

func base(b map[string]any) map[string]any { return b["base_info"].(map[string]any) }
func info(b map[string]any) map[string]any { return b["kyc_info"].(map[string]any) }

func set(obj func(map[string]any) map[string]any, key string, v any) func(map[string]any) any {
	return func(b map[string]any) any { obj(b)[key] = v; return b }
}

func drop(obj func(map[string]any) map[string]any, key string) func(map[string]any) any {
	return func(b map[string]any) any { delete(obj(b), key); return b }
}

func top(b map[string]any) map[string]any { return b }

func raw(s string) func(map[string]any) any { return func(map[string]any) any { return s } }

// badRequests builds the table: every required field missing three ways,
// every length limit, every format and value rule, every document rule.
func badRequests(trade string) []badCase {
	var cs []badCase
	add := func(name string, change func(map[string]any) any, code kyc.Code, field string) {
		cs = append(cs, badCase{name, change, code, field})
	}
	required := []struct {
		obj  func(map[string]any) map[string]any
		path string
		keys []string
	}{
		{base, "base_info", []string{"email", "first_name", "last_name", "mobile", "mobile_code"}},
		{info, "kyc_info", []string{"address", "birthday", "city", "country_id", "doc_no", "doc_type", "emergency_contact",
			"front_doc", "gender", "mix_doc", "nationality_id", "sign_img", "state", "zip_code"}},
	}
	for _, r := range required {
		for _, k := range r.keys {
			f := r.path + "." + k
			add(f+" absent is a missing parameter", drop(r.obj, k), kyc.MissingParameter, f)
			add(f+" null is a missing parameter", set(r.obj, k, nil), kyc.MissingParameter, f)
			add(f+" empty is a missing parameter", set(r.obj, k, ""), kyc.MissingParameter, f)
		}
	}
	add("mc_trade_no absent is a missing parameter", drop(top, "mc_trade_no"), kyc.MissingParameter, "mc_trade_no")
	add("base_info absent is a missing parameter", drop(top, "base_info"), kyc.MissingParameter, "base_info")
	add("kyc_info absent is a missing parameter", drop(top, "kyc_info"), kyc.MissingParameter, "kyc_info")
	add("blank first_name is a missing parameter", set(base, "first_name", "   "), kyc.MissingParameter, "base_info.first_name")
	add("poa_type 1 without poa_doc is a missing parameter", set(info, "poa_type", "1"), kyc.MissingParameter, "kyc_info.poa_doc")

	long := func(n int) string { return strings.Repeat("a", n) }
	add("email of 65 characters is too long", set(base, "email", long(55)+"@gmail.com"), kyc.TooLong, "base_info.email")
	add("first_name of 51 characters is too long", set(base, "first_name", long(51)), kyc.TooLong, "base_info.first_name")
	add("first_name of 51 accented characters is too long", set(base, "first_name", strings.Repeat("é", 51)), kyc.TooLong, "base_info.first_name")
	add("last_name of 51 characters is too long", set(base, "last_name", long(51)), kyc.TooLong, "base_info.last_name")
	add("mobile of 12 digits is too long", set(base, "mobile", "188888888888"), kyc.TooLong, "base_info.mobile")
	add("mobile_code of 6 characters is too long", set(base, "mobile_code", "123456"), kyc.TooLong, "base_info.mobile_code")
	add("address of 257 characters is too long", set(info, "address", long(257)), kyc.TooLong, "kyc_info.address")
	add("city of 101 characters is too long", set(info, "city", long(101)), kyc.TooLong, "kyc_info.city")
	add("state of 101 characters is too long", set(info, "state", long(101)), kyc.TooLong, "kyc_info.state")
	add("doc_no of 129 characters is too long", set(info, "doc_no", long(129)), kyc.TooLong, "kyc_info.doc_no")
	add("emergency_contact of 256 characters is too long", set(info, "emergency_contact", long(256)), kyc.TooLong, "kyc_info.emergency_contact")
	add("zip_code of 21 characters is too long", set(info, "zip_code", long(21)), kyc.TooLong, "kyc_info.zip_code")
	add("country_id of nine letters is too long", set(info, "country_id", "CHINACHIN"), kyc.TooLong, "kyc_info.country_id")
	add("country_id of three letters is bad format", set(info, "country_id", "CHN"), kyc.BadFormat, "kyc_info.country_id")
	add("mc_trade_no of 65 characters is too long", set(top, "mc_trade_no", long(65)), kyc.TooLong, "mc_trade_no")
	add("a 10 KB city is too long without being kept", set(info, "city", long(10000)), kyc.TooLong, "kyc_info.city")

	add("email without an @ is bad format", set(base, "email", "example.gmail.com"), kyc.BadFormat, "base_info.email")
	add("email with two @ is bad format", set(base, "email", "a@b@gmail.com"), kyc.BadFormat, "base_info.email")
	add("mobile of 5 digits is bad format", set(base, "mobile", "18888"), kyc.BadFormat, "base_info.mobile")
	add("mobile with a letter is bad format", set(base, "mobile", "18888a8888"), kyc.BadFormat, "base_info.mobile")
	add("mobile with a plus is bad format", set(base, "mobile", "+1888888888"), kyc.BadFormat, "base_info.mobile")
	add("mobile_code of letters is bad format", set(base, "mobile_code", "cn"), kyc.BadFormat, "base_info.mobile_code")
	add("mobile_code with a leading zero is bad format", set(base, "mobile_code", "086"), kyc.BadFormat, "base_info.mobile_code")
	add("user_ip that is not an address is bad format", set(base, "user_ip", "999.1.1.1"), kyc.BadFormat, "base_info.user_ip")
	add("birthday with slashes is bad format", set(info, "birthday", "1990/01/01"), kyc.BadFormat, "kyc_info.birthday")
	add("birthday day-first is bad format", set(info, "birthday", "01-01-1990"), kyc.BadFormat, "kyc_info.birthday")
	add("birthday with a time is bad format", set(info, "birthday", "1990-01-01T00:00:00Z"), kyc.BadFormat, "kyc_info.birthday")
	add("country_id in lower case is bad format", set(info, "country_id", "cn"), kyc.BadFormat, "kyc_info.country_id")
	add("nationality_id with a digit is bad format", set(info, "nationality_id", "C1"), kyc.BadFormat, "kyc_info.nationality_id")
	add("doc_type as a word is bad format", set(info, "doc_type", "x"), kyc.BadFormat, "kyc_info.doc_type")
	add("gender as a word is bad format", set(info, "gender", "m"), kyc.BadFormat, "kyc_info.gender")
	add("poa_type as a word is bad format", set(info, "poa_type", "o"), kyc.BadFormat, "kyc_info.poa_type")
	add("address with markup breaks the default rule", set(info, "address", "<script>alert(1)</script>"), kyc.BadFormat, "kyc_info.address")
	add("address starting with punctuation breaks the default rule", set(info, "address", "--28 maizidian"), kyc.BadFormat, "kyc_info.address")
	add("email as a number is bad format", set(base, "email", 5), kyc.BadFormat, "base_info.email")
	add("first_name as an object is bad format", set(base, "first_name", map[string]any{}), kyc.BadFormat, "base_info.first_name")
	add("last_name as an array is bad format", set(base, "last_name", []any{"gao"}), kyc.BadFormat, "base_info.last_name")
	add("mobile as a fraction is bad format", set(base, "mobile", 1888888888.5), kyc.BadFormat, "base_info.mobile")
	add("doc_no as a fraction is bad format", set(info, "doc_no", 1.5), kyc.BadFormat, "kyc_info.doc_no")
	add("doc_no as a boolean is bad format", set(info, "doc_no", true), kyc.BadFormat, "kyc_info.doc_no")
	add("gender as an object is bad format", set(info, "gender", map[string]any{"v": 1}), kyc.BadFormat, "kyc_info.gender")
	add("doc_type as a fraction is bad format", set(info, "doc_type", 1.5), kyc.BadFormat, "kyc_info.doc_type")
	add("city as a number is bad format", set(info, "city", 7), kyc.BadFormat, "kyc_info.city")
	add("mc_trade_no as a number is bad format", set(top, "mc_trade_no", 48), kyc.BadFormat, "mc_trade_no")
	add("mc_trade_no with a space is bad format", set(top, "mc_trade_no", "48d2 7417"), kyc.BadFormat, "mc_trade_no")
	add("base_info as a string is bad format", set(top, "base_info", "x"), kyc.BadFormat, "base_info")
	add("kyc_info as an array is bad format", set(top, "kyc_info", []any{}), kyc.BadFormat, "kyc_info")
	add("front_doc as a number is bad format", set(info, "front_doc", 12), kyc.BadFormat, "kyc_info.front_doc")
	add("malformed JSON is bad format", raw(`{"mc_trade_no":`), kyc.BadFormat, "body")
	add("a JSON array body is bad format", raw(`[1,2]`), kyc.BadFormat, "body")
	add("two JSON objects are bad format", raw(`{} {}`), kyc.BadFormat, "body")
	add("an empty body is a missing parameter", raw(``), kyc.MissingParameter, "body")
	add("a key given twice is bad format", func(b map[string]any) any {
		j, _ := json.Marshal(b)
		return `{"mc_trade_no":"x",` + string(j[1:])
	}, kyc.BadFormat, "mc_trade_no")

	add("mobile_code 999 is not an assigned calling code", set(base, "mobile_code", "999"), kyc.InvalidValue, "base_info.mobile_code")
	add("country_id XX is not a country", set(info, "country_id", "XX"), kyc.InvalidValue, "kyc_info.country_id")
	add("nationality_id ZZ is not a country", set(info, "nationality_id", "ZZ"), kyc.InvalidValue, "kyc_info.nationality_id")
	add("birthday 29 February 2023 does not exist", set(info, "birthday", "2023-02-29"), kyc.InvalidValue, "kyc_info.birthday")
	add("birthday 31 April does not exist", set(info, "birthday", "1990-04-31"), kyc.InvalidValue, "kyc_info.birthday")
	add("birthday in the future is refused", set(info, "birthday", time.Now().AddDate(1, 0, 0).Format(time.DateOnly)), kyc.InvalidValue, "kyc_info.birthday")
	add("birthday today is refused", set(info, "birthday", time.Now().UTC().Format(time.DateOnly)), kyc.InvalidValue, "kyc_info.birthday")
	add("a ten-year-old is not an adult", set(info, "birthday", time.Now().AddDate(-10, 0, 0).Format(time.DateOnly)), kyc.InvalidValue, "kyc_info.birthday")
	add("one day short of 18 is not an adult", set(info, "birthday", time.Now().UTC().AddDate(-18, 0, 1).Format(time.DateOnly)), kyc.InvalidValue, "kyc_info.birthday")
	add("born in 1800 is not a living applicant", set(info, "birthday", "1800-01-01"), kyc.InvalidValue, "kyc_info.birthday")
	add("doc_type 3 is not a document type", set(info, "doc_type", 3), kyc.InvalidValue, "kyc_info.doc_type")
	add("doc_type 0 is not a document type", set(info, "doc_type", 0), kyc.InvalidValue, "kyc_info.doc_type")
	add("gender 3 is not a gender", set(info, "gender", 3), kyc.InvalidValue, "kyc_info.gender")
	add("gender -1 is not a gender", set(info, "gender", -1), kyc.InvalidValue, "kyc_info.gender")
	add("poa_type 3 is not a proof-of-address type", set(info, "poa_type", 3), kyc.InvalidValue, "kyc_info.poa_type")

	add("doc_type 2 is not supported while passport only", set(info, "doc_type", 2), kyc.UnsupportedDocType, "kyc_info.doc_type")
	add("doc_type \"2\" is not supported while passport only", set(info, "doc_type", "2"), kyc.UnsupportedDocType, "kyc_info.doc_type")

	over := strings.Repeat("A", kyc.MaxImageText)
	add("front_doc of 2 MB of base64 is too large", set(info, "front_doc", over), kyc.ImageTooLarge, "kyc_info.front_doc")
	add("back_doc of 2 MB of base64 is too large", set(info, "back_doc", over), kyc.ImageTooLarge, "kyc_info.back_doc")
	add("mix_doc of 2 MB of base64 is too large", set(info, "mix_doc", over), kyc.ImageTooLarge, "kyc_info.mix_doc")
	add("sign_img of 1 MB of base64 is too large", set(info, "sign_img", over[:kyc.MaxSignText]), kyc.ImageTooLarge, "kyc_info.sign_img")
	add("poa_doc of 2 MB of base64 is too large", set(info, "poa_doc", over), kyc.ImageTooLarge, "kyc_info.poa_doc")

	gif, pdf := kyctest.B64(kyctest.GIF), kyctest.B64(kyctest.PDF)
	add("front_doc as GIF is not an allowed type", set(info, "front_doc", gif), kyc.ImageTypeNotAllowed, "kyc_info.front_doc")
	add("back_doc as GIF is not an allowed type", set(info, "back_doc", gif), kyc.ImageTypeNotAllowed, "kyc_info.back_doc")
	add("mix_doc as PDF is not an allowed type", set(info, "mix_doc", pdf), kyc.ImageTypeNotAllowed, "kyc_info.mix_doc")
	add("sign_img as PDF is not an allowed type", set(info, "sign_img", pdf), kyc.ImageTypeNotAllowed, "kyc_info.sign_img")
	add("poa_doc as GIF is not an allowed type", set(info, "poa_doc", gif), kyc.ImageTypeNotAllowed, "kyc_info.poa_doc")
	add("a gif data URL is not an allowed type", set(info, "front_doc", "data:image/gif;base64,"+gif), kyc.ImageTypeNotAllowed, "kyc_info.front_doc")
	add("plain text is not an allowed type", set(info, "mix_doc", kyctest.B64([]byte("hello, this is not a photo"))), kyc.ImageTypeNotAllowed, "kyc_info.mix_doc")

	png := kyctest.PNG(24, 16, 9)
	add("front_doc that is not base64 is invalid", set(info, "front_doc", "@@@@not base64@@@@"), kyc.ImageInvalid, "kyc_info.front_doc")
	add("a truncated PNG is invalid", set(info, "front_doc", kyctest.B64(png[:len(png)/2])), kyc.ImageInvalid, "kyc_info.front_doc")
	add("a PNG declared as JPEG is invalid", set(info, "mix_doc", "data:image/jpeg;base64,"+kyctest.B64(png)), kyc.ImageInvalid, "kyc_info.mix_doc")
	add("a PNG with only its header is invalid", set(info, "sign_img", kyctest.B64(png[:16])), kyc.ImageInvalid, "kyc_info.sign_img")
	add("mixed base64 alphabets are invalid", set(info, "back_doc", "ab+/cd-_"), kyc.ImageInvalid, "kyc_info.back_doc")

	add("an unknown trade number is refused", set(top, "mc_trade_no", "NOPE-"+trade), kyc.UnknownTradeNo, "mc_trade_no")
	return cs
}

// TestKYCRefusesEveryBadRequestAndStoresNothing sends over a hundred bad
// requests, each breaking one rule of a valid body, and checks each is
// answered with its code and the field in msg, never 500, and that no row
// or blob is written.
func TestKYCRefusesEveryBadRequestAndStoresNothing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newKYCApp(t, e)
		const trade = "48d2741747a4493223feb22"
		a.openBinding(trade, "71000003", "")
		a.openBinding("NG-1", restrictedCard, "")
		otherID, otherSecret := a.partner("other merchant", partner.ScopeKYC)
		riskID, riskSecret := a.partner("risk only", partner.ScopeRisk)

		cases := badRequests(trade)
		// Rules that need another binding, other credentials or headers.
		ng := func(b map[string]any) any { b["mc_trade_no"] = "NG-1"; return b }
		cases = append(cases,
			badCase{"country CN is not allowed for a NG/GH card type", ng, kyc.CountryNotAllowed, "kyc_info.country_id"},
			badCase{"a Chinese address breaks the Latin rule of 71000003", set(info, "address", "北京市麦子店街28号"), kyc.BadFormat, "kyc_info.address"},
		)
		if n := len(cases); n < 100 {
			t.Fatalf("only %d bad requests", n)
		}
		type special struct {
			name    string
			send    func(body any) kycResp
			code    kyc.Code
			field   string
			changes func(map[string]any) any
		}
		specials := []special{
			{"no credentials are unauthorized", func(b any) kycResp { return a.callAs("", "", "POST", "/openapi/card/binding/kyc", b) }, kyc.Unauthorized, "X-API-ID", nil},
			{"a wrong secret is unauthorized", func(b any) kycResp { return a.callAs(a.id, "wrong", "POST", "/openapi/card/binding/kyc", b) }, kyc.Unauthorized, "X-API-ID", nil},
			{"a partner without scope kyc has no permission", func(b any) kycResp { return a.callAs(riskID, riskSecret, "POST", "/openapi/card/binding/kyc", b) }, kyc.NoPermission, "X-API-ID", nil},
			{"another merchant's trade number is unknown", func(b any) kycResp {
				return a.callAs(otherID, otherSecret, "POST", "/openapi/card/binding/kyc", b)
			}, kyc.UnknownTradeNo, "mc_trade_no", nil},
			{"a text/plain body is bad format", func(b any) kycResp {
				return a.call("POST", "/openapi/card/binding/kyc", b, "Content-Type: text/plain")
			}, kyc.BadFormat, "Content-Type", nil},
			{"a body over 10 MB is too large", func(any) kycResp {
				return a.call("POST", "/openapi/card/binding/kyc", `{"pad":"`+strings.Repeat("A", kyc.MaxBody)+`"}`)
			}, kyc.BodyTooLarge, "body", nil},
		}

		before, blobs := a.rowCounts(), a.storedBlobs()
		check := func(t *testing.T, r kycResp, code kyc.Code, field string) {
			t.Helper()
			if r.Status >= 500 {
				t.Fatalf("server error %d: %s %s", r.Status, r.Code, r.Msg)
			}
			if r.Code != string(code) || r.Status != code.Status() || !strings.Contains(r.Msg, field) {
				t.Fatalf("got %d %s %q, want %d %s naming %s", r.Status, r.Code, r.Msg, code.Status(), code, field)
			}
			if d := diffCounts(before, a.rowCounts()); d != "" {
				t.Fatalf("a refused request wrote rows: %s", d)
			}
			if n := a.storedBlobs(); n != blobs {
				t.Fatalf("a refused request wrote %d blobs", n-blobs)
			}
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				body := c.change(kyctest.Body(trade))
				check(t, a.call("POST", "/openapi/card/binding/kyc", body), c.code, c.field)
			})
		}
		for _, s := range specials {
			t.Run(s.name, func(t *testing.T) {
				check(t, s.send(kyctest.Body(trade)), s.code, s.field)
			})
		}
		// The valid body itself is accepted: the refusals were each rule's.
		if r := a.call("POST", "/openapi/card/binding/kyc", kyctest.Body(trade)); r.Code != "00000" {
			t.Fatalf("valid body: %d %s %s", r.Status, r.Code, r.Msg)
		}
	})
}

func TestKYCOpenBindingRefusals(t *testing.T) {
	a := newKYCApp(t, store.SQLite)
	ok := map[string]any{"mc_trade_no": "T1", "card_type_id": 71000003, "user_ref": "u1", "notify_url": "https://merchant.example/kyc"}
	cases := []struct {
		name  string
		key   string
		value any
		code  kyc.Code
	}{
		{"a missing trade number", "mc_trade_no", "", kyc.MissingParameter},
		{"a missing card type", "card_type_id", nil, kyc.MissingParameter},
		{"a card type of letters", "card_type_id", "visa", kyc.BadFormat},
		{"a card type as a fraction", "card_type_id", 7.5, kyc.BadFormat},
		{"a missing user reference", "user_ref", "", kyc.MissingParameter},
		{"a notify_url that is not http", "notify_url", "ftp://merchant.example/kyc", kyc.BadFormat},
		{"a notify_url with credentials", "notify_url", "https://u:p@merchant.example/kyc", kyc.BadFormat},
		{"an unknown field", "surprise", 1, kyc.BadFormat},
	}
	for _, c := range cases {
		t.Run(c.name+" is refused", func(t *testing.T) {
			body := kyctest.Clone(ok)
			body[c.key] = c.value
			if r := a.call("POST", "/openapi/card/binding", body); r.Code != string(c.code) {
				t.Fatalf("got %d %s %s", r.Status, r.Code, r.Msg)
			}
		})
	}
	if r := a.call("POST", "/openapi/card/binding", ok); r.Code != "00000" {
		t.Fatalf("open: %s %s", r.Code, r.Msg)
	}
	if r := a.call("POST", "/openapi/card/binding", ok); r.Code != "00000" {
		t.Fatalf("open again: %s %s", r.Code, r.Msg)
	}
	other := kyctest.Clone(ok)
	other["user_ref"] = "u2"
	if r := a.call("POST", "/openapi/card/binding", other); r.Code != string(kyc.Conflict) || r.Status != 409 {
		t.Fatalf("rebinding with other details: %d %s %s", r.Status, r.Code, r.Msg)
	}
}

// TestKYCIsIdempotentUnderConcurrency sends the same KYC 20 times at once
// and checks one is stored and all are answered 00000; then the same body
// again is 00000 and a different one a conflict.
func TestKYCIsIdempotentUnderConcurrency(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newKYCApp(t, e)
		a.openBinding("T-1", "71000003", "")
		body := marshalBody(t, kyctest.Body("T-1"))
		before := a.rowCounts()
		var wg sync.WaitGroup
		answers := make(chan kycResp, 20)
		for range 20 {
			wg.Go(func() { answers <- a.call("POST", "/openapi/card/binding/kyc", body) })
		}
		wg.Wait()
		close(answers)
		for r := range answers {
			if r.Status != 200 || r.Code != "00000" || r.Msg != "ok" {
				t.Errorf("parallel answer %d %s %s", r.Status, r.Code, r.Msg)
			}
		}
		after := a.rowCounts()
		if got := after["kyc_submissions"] - before["kyc_submissions"]; got != 1 {
			t.Fatalf("%d KYCs stored by 20 identical submissions", got)
		}
		if n := a.storedBlobs(); n != 4 {
			t.Fatalf("%d blobs kept", n)
		}
		if r := a.call("POST", "/openapi/card/binding/kyc", body); r.Code != "00000" {
			t.Fatalf("same body again: %s %s", r.Code, r.Msg)
		}
		changed := kyctest.Body("T-1")
		info(changed)["zip_code"] = "100101"
		if r := a.call("POST", "/openapi/card/binding/kyc", changed); r.Code != string(kyc.Conflict) || r.Status != 409 {
			t.Fatalf("different body: %d %s %s", r.Status, r.Code, r.Msg)
		}
		if d := diffCounts(after, a.rowCounts()); d != "" {
			t.Fatalf("replays wrote rows: %s", d)
		}
	})
}

func marshalBody(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestKYCJourney follows a KYC through the API: binding, submission,
// status, the merchant's webhooks, and an operator viewing a document.
func TestKYCJourney(t *testing.T) {
	a := newKYCApp(t, store.SQLite)
	var mu sync.Mutex
	var events []kyc.Event
	r := a.call("GET", "/openapi/card/binding/webhook-secret", nil)
	var sec struct {
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal(r.Data, &sec); err != nil || sec.Secret == "" {
		t.Fatalf("webhook secret: %s %v", r.Data, err)
	}
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := notify.VerifySignature(sec.Secret, r.Header, body, time.Now()); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var ev kyc.Event
		_ = json.Unmarshal(body, &ev)
		mu.Lock()
		events = append(events, ev)
		mu.Unlock()
	}))
	defer merchant.Close()

	a.openBinding("J-1", "71000003", merchant.URL)
	if r := a.call("GET", "/openapi/card/binding/kyc?mc_trade_no=J-1", nil); !strings.Contains(string(r.Data), `"status":"not_submitted"`) {
		t.Fatalf("before submitting: %s %s", r.Code, r.Data)
	}
	body := kyctest.Body("J-1")
	info(body)["poa_type"] = 1
	info(body)["poa_doc"] = kyctest.B64(kyctest.PDF)
	if r := a.call("POST", "/openapi/card/binding/kyc", body); r.Code != "00000" || r.Msg != "ok" || r.Status != 200 {
		t.Fatalf("submit: %d %s %s", r.Status, r.Code, r.Msg)
	}
	st := a.call("GET", "/openapi/card/binding/kyc?mc_trade_no=J-1", nil)
	var view map[string]any
	_ = json.Unmarshal(st.Data, &view)
	if st.Code != "00000" || view["status"] != "approved" {
		t.Fatalf("status: %s %s", st.Code, st.Data)
	}
	for _, secret := range []string{"maizidian", "12345678", "example@gmail.com", "iVBOR"} {
		if strings.Contains(string(st.Data), secret) {
			t.Errorf("status answer reveals %q", secret)
		}
	}
	if r := a.call("GET", "/openapi/card/binding/kyc?mc_trade_no=NOPE", nil); r.Code != string(kyc.UnknownTradeNo) || r.Status != 404 {
		t.Fatalf("unknown trade: %d %s", r.Status, r.Code)
	}

	if n, err := a.app.KYCNotifier.DeliverDue(context.Background()); err != nil || n != 2 {
		t.Fatalf("delivered %d webhooks: %v", n, err)
	}
	mu.Lock()
	if len(events) != 2 || events[1].Status != kyc.Approved || events[1].TradeNo != "J-1" {
		t.Fatalf("events %+v", events)
	}
	mu.Unlock()

	// An operator opens the front photo: the view is audited.
	before := a.rowCounts()
	doc := a.req("GET", "/ops/kyc/document?id=1&field=front_doc&viewer=alice&purpose=dispute", nil, testOpsToken)
	if doc.Status != 200 {
		t.Fatalf("view document: %d %s", doc.Status, doc.Message)
	}
	if d := diffCounts(before, a.rowCounts()); d != "kyc_document_views 0→1" {
		t.Fatalf("viewing wrote %q", d)
	}
	if r := a.req("GET", "/ops/kyc/document?id=1&field=front_doc&viewer=alice&purpose=x", nil, "wrong"); r.Status != 401 {
		t.Fatalf("view without the operator token: %d", r.Status)
	}
	if q := a.req("GET", "/ops/kyc/review", nil, testOpsToken); q.Status != 200 || !strings.Contains(string(q.Data), `"list":[]`) {
		t.Fatalf("review queue: %d %s", q.Status, q.Data)
	}
}
