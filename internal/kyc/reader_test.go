package kyc_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"creditpocket/internal/identity"
	"creditpocket/internal/kyc"
	"creditpocket/internal/kyc/kyctest"
)

var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func marshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func read(t testing.TB, body []byte) (*kyc.Request, error) {
	t.Helper()
	return kyc.NewReader(bytes.NewReader(body), kyc.MaxBody).Read()
}

func TestReaderReadsTheContractsBody(t *testing.T) {
	req, err := read(t, marshal(t, kyctest.Body("48d2741747a4493223feb22")))
	if err != nil {
		t.Fatal(err)
	}
	if req.TradeNo != "48d2741747a4493223feb22" || req.Base.FirstName != "pan" || req.Info.DocNo != "12345678" ||
		req.Info.DocType != "1" || req.Info.Gender != "1" || !req.HasBase || !req.HasInfo {
		t.Fatalf("read %+v", req)
	}
	for name, d := range map[string]*kyc.Document{"front": &req.Info.FrontDoc, "back": &req.Info.BackDoc, "mix": &req.Info.MixDoc, "sign": &req.Info.SignImg} {
		if d.Err != nil || d.Kind != identity.PNG || len(d.Data) == 0 {
			t.Errorf("%s_doc: %+v", name, d.Err)
		}
	}
	if req.Info.PoaDoc.Present() {
		t.Error("poa_doc present")
	}
	if err := kyc.MustRules(kyc.DefaultConfig()).Validate(req, "71000001", now); err != nil {
		t.Fatalf("valid body refused: %v", err)
	}
}

func TestReaderHandlesEscapesDataURLsAndUnknownKeys(t *testing.T) {
	body := kyctest.Body("T1")
	info := body["kyc_info"].(map[string]any)
	info["front_doc"] = "data:image/png;base64," + info["front_doc"].(string)
	info["poa_type"] = "1"
	info["poa_doc"] = kyctest.B64(kyctest.PDF)
	body["sign"] = map[string]any{"nested": []any{1, "x", nil, true, false, 2.5e3, map[string]any{}}}
	raw := string(marshal(t, body))
	// Escape every '/' as some JSON encoders do, and a name as \u escapes.
	raw = strings.ReplaceAll(raw, "/", `\/`)
	raw = strings.Replace(raw, `"first_name":"pan"`, `"first_name":"p\u00e1n \ud83d\ude00"`, 1)
	req, err := read(t, []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if req.Base.FirstName != "pán 😀" {
		t.Errorf("first_name = %q", req.Base.FirstName)
	}
	if req.Info.FrontDoc.Err != nil || req.Info.PoaDoc.Kind != identity.PDF || req.Info.PoaType != "1" {
		t.Errorf("front %v, poa %v %q", req.Info.FrontDoc.Err, req.Info.PoaDoc.Kind, req.Info.PoaType)
	}
}

func TestReaderRefusals(t *testing.T) {
	valid := string(marshal(t, kyctest.Body("T1")))
	cases := []struct {
		name, body string
		code       kyc.Code
		field      string
	}{
		{"an empty body is a missing parameter", ``, kyc.MissingParameter, "body"},
		{"an array is not an object", `[]`, kyc.BadFormat, "body"},
		{"a truncated object is malformed", `{"mc_trade_no":"x"`, kyc.BadFormat, "body"},
		{"a second value after the object is refused", `{} {}`, kyc.BadFormat, "body"},
		{"a key given twice is refused", `{"mc_trade_no":"a","mc_trade_no":"b"}`, kyc.BadFormat, "mc_trade_no"},
		{"a number for a string field is refused", `{"base_info":{"email":5}}`, kyc.BadFormat, "base_info.email"},
		{"a fraction for doc_no is refused", `{"kyc_info":{"doc_no":1.5}}`, kyc.BadFormat, "kyc_info.doc_no"},
		{"an object for gender is refused", `{"kyc_info":{"gender":{}}}`, kyc.BadFormat, "kyc_info.gender"},
		{"a string for base_info is refused", `{"base_info":"x"}`, kyc.BadFormat, "base_info"},
		{"a number for a document is refused", `{"kyc_info":{"front_doc":7}}`, kyc.BadFormat, "kyc_info.front_doc"},
		{"a bad escape is malformed", `{"mc_trade_no":"\x"}`, kyc.BadFormat, "body"},
		{"a bad literal is malformed", `{"mc_trade_no":nul}`, kyc.BadFormat, "body"},
		{"a bad number is malformed", `{"x":01}`, kyc.BadFormat, "body"},
		{"deep nesting is refused", `{"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, kyc.BadFormat, "body"},
		{"a control character in a name is refused", `{"base_info":{"first_name":"a\u0001b"}}`, kyc.BadFormat, "base_info.first_name"},
		{"a huge scalar is too long without being kept", `{"kyc_info":{"city":"` + strings.Repeat("a", 10000) + `"}}`, kyc.TooLong, "kyc_info.city"},
		{"a body over the cap is too large", valid[:len(valid)-1] + `,"pad":"` + strings.Repeat("A", kyc.MaxBody) + `"}`, kyc.BodyTooLarge, "body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := read(t, []byte(c.body))
			var ke *kyc.Error
			if !errors.As(err, &ke) || ke.Code != c.code || ke.Field != c.field {
				t.Fatalf("got %v (%#v), want %s on %s", err, ke, c.code, c.field)
			}
		})
	}
}

func TestReaderErrorsGiveTheByteOffset(t *testing.T) {
	_, err := read(t, []byte(`{"mc_trade_no": "x" "base_info"}`))
	if err == nil || !strings.Contains(err.Error(), "at byte 21") {
		t.Fatalf("err = %v", err)
	}
}

func TestOversizedDocumentsAreCountedNotKept(t *testing.T) {
	body := kyctest.Body("T1")
	body["kyc_info"].(map[string]any)["sign_img"] = strings.Repeat("A", kyc.MaxSignText)
	req, err := read(t, marshal(t, body))
	if err != nil {
		t.Fatal(err)
	}
	if d := req.Info.SignImg; !errors.Is(d.Err, kyc.ErrDocTooLarge) || d.Data != nil || d.Encoded != kyc.MaxSignText {
		t.Fatalf("sign_img = %d %v", d.Encoded, d.Err)
	}
}

func TestDigestIsTheRequestsMeaning(t *testing.T) {
	a := kyctest.Body("T1")
	b := kyctest.Clone(a)
	b["kyc_info"].(map[string]any)["doc_no"] = "12345678" // a string instead of a number
	info := b["kyc_info"].(map[string]any)
	info["front_doc"] = "data:image/png;base64," + info["front_doc"].(string)
	c := kyctest.Clone(a)
	c["base_info"].(map[string]any)["first_name"] = "pam"
	ra, _ := read(t, marshal(t, a))
	rb, _ := read(t, marshal(t, b))
	rc, _ := read(t, marshal(t, c))
	if ra.Digest() != rb.Digest() {
		t.Error("the same request written differently has another digest")
	}
	if ra.Digest() == rc.Digest() {
		t.Error("a different name has the same digest")
	}
}

// FuzzReader feeds hostile bodies to the reader: it must never panic, and
// a body it accepts must read the same when written back by encoding/json.
func FuzzReader(f *testing.F) {
	f.Add(marshal(f, kyctest.Body("T1")))
	f.Add([]byte(`{"mc_trade_no":"a\u00e9\ud800","base_info":{"mobile":123},"kyc_info":{"front_doc":"data:image/png;base64,iVBO"}}`))
	f.Add([]byte(`{"x":[1,{"y":[true,false,null,"\"\\\/\b\f\n\r\t"]}],"kyc_info":null}`))
	rules := kyc.MustRules(kyc.DefaultConfig())
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := kyc.NewReader(bytes.NewReader(body), 1<<20).Read()
		if err != nil {
			var ke *kyc.Error
			if !errors.As(err, &ke) {
				t.Fatalf("error is not a *kyc.Error: %v", err)
			}
			return
		}
		_ = rules.Validate(req, "71000003", now)
		_ = req.Digest()
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
	})
}

func TestHasControlMatchesAByteLoop(t *testing.T) {
	for c := range 256 {
		for pos := range 11 {
			b := bytes.Repeat([]byte{'A'}, 11)
			b[pos] = byte(c)
			_, err := read(t, []byte(`{"x":"`+string(b)+`"}`))
			if got, want := err != nil, c < 0x20 || c == '"' || c == '\\'; got != want {
				t.Fatalf("byte %#x at %d: error %v", c, pos, err)
			}
		}
	}
}
