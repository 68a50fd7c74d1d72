package main

import (
	"strings"
	"testing"

	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

// TestBadRequestsAreRefusedCleanly sends malformed, mistyped, incomplete,
// over-long, oversize and unauthenticated requests. Each must get code ≠ 1,
// the right status, a message that starts with the offending field, and
// leave every table exactly as it was.
func TestBadRequestsAreRefusedCleanly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newTestApp(t, e)
		tok := a.signUp("07068425023")
		other := a.signUp("08012345678")
		a.ok("POST", "/user/bankcard", cardBody(), other)
		with := func(m map[string]string, k, v string) map[string]string {
			c := map[string]string{}
			for kk, vv := range m {
				c[kk] = vv
			}
			if v == "<delete>" {
				delete(c, k)
			} else {
				c[k] = v
			}
			return c
		}
		long := strings.Repeat("a", 300)
		contacts := func(cs ...map[string]string) map[string]any { return map[string]any{"contacts": cs} }
		c1 := map[string]string{"name": "Amina Sulyman", "mobile": "08031234567", "relationship": "spouse"}
		c2 := map[string]string{"name": "Tunde Bello", "mobile": "08059876543", "relationship": "friend"}

		cases := []struct {
			name         string
			method, path string
			body         any
			token        string
			status       int
			field        string // the message must start with "field:"
			headers      []string
		}{
			{"malformed JSON", "POST", "/sms/code", `{"mobile": "0706`, "", 400, "body", nil},
			{"JSON that is not an object", "POST", "/sms/code", `["mobile"]`, "", 400, "body", nil},
			{"two JSON objects", "POST", "/sms/code", `{"mobile":"07068425023","type":"register"}{}`, "", 400, "body", nil},
			{"empty body", "POST", "/user/login", ``, "", 400, "body", nil},
			{"wrong content type", "POST", "/sms/code", `mobile=07068425023`, "", 400, "Content-Type", []string{"Content-Type: application/x-www-form-urlencoded"}},
			{"mobile as a number", "POST", "/sms/code", `{"mobile": 7068425023, "type": "register"}`, "", 400, "mobile", nil},
			{"unknown field", "POST", "/sms/code", `{"mobile": "07068425023", "type": "register", "admin": true}`, "", 400, "admin", nil},
			{"missing mobile", "POST", "/sms/code", map[string]string{"type": "register"}, "", 400, "mobile", nil},
			{"mobile with letters", "POST", "/sms/code", map[string]string{"mobile": "0706ABC5023", "type": "register"}, "", 400, "mobile", nil},
			{"over-long mobile", "POST", "/sms/code", map[string]string{"mobile": long, "type": "register"}, "", 400, "mobile", nil},
			{"bad code type", "POST", "/sms/code", map[string]string{"mobile": "07068425023", "type": "reset"}, "", 400, "type", nil},
			{"calling code with plus", "POST", "/sms/code", map[string]string{"mobile": "7068425023", "countryCode": "+234", "type": "register"}, "", 400, "countryCode", nil},
			{"5-digit code", "POST", "/sms/verify", map[string]string{"mobile": "07068425023", "code": "12345"}, "", 400, "code", nil},
			{"verify with no code sent", "POST", "/sms/verify", map[string]string{"mobile": "08188889999", "code": "123456"}, "", 400, "code", nil},
			{"register with a short password", "POST", "/user/register", map[string]string{"mobile": "08188889999", "code": "123456", "password": "abc1"}, "", 400, "password", nil},
			{"register with a password without digits", "POST", "/user/register", map[string]string{"mobile": "08188889999", "code": "123456", "password": "abcdefghij"}, "", 400, "password", nil},
			{"login with both password and code", "POST", "/user/login", map[string]string{"mobile": "07068425023", "password": "x", "code": "123456"}, "", 400, "code", nil},
			{"login with neither", "POST", "/user/login", map[string]string{"mobile": "07068425023"}, "", 400, "password", nil},
			{"oversize body", "POST", "/user/login", `{"mobile":"` + strings.Repeat("1", 70_000) + `"}`, "", 413, "body", nil},
			{"basic info without a token", "POST", "/user/info/basic", basicInfo(), "", 401, "", nil},
			{"basic info with an expired-looking token", "POST", "/user/info/basic", basicInfo(), strings.Repeat("x", 43), 401, "", nil},
			{"bad gender", "POST", "/user/info/basic", with(basicInfo(), "gender", "other"), tok, 400, "gender", nil},
			{"bad marital status", "POST", "/user/info/basic", with(basicInfo(), "maritalStatus", "complicated"), tok, 400, "maritalStatus", nil},
			{"bad education", "POST", "/user/info/basic", with(basicInfo(), "education", "phd"), tok, 400, "education", nil},
			{"bad id type", "POST", "/user/info/basic", with(basicInfo(), "idType", "voter_card"), tok, 400, "idType", nil},
			{"BVN of 10 digits", "POST", "/user/info/basic", with(basicInfo(), "idNumber", "2216728873"), tok, 400, "idNumber", nil},
			{"birth date not a date", "POST", "/user/info/basic", with(basicInfo(), "birthDate", "1990-02-30"), tok, 400, "birthDate", nil},
			{"borrower under age", "POST", "/user/info/basic", with(basicInfo(), "birthDate", "2015-01-01"), tok, 400, "birthDate", nil},
			{"bad e-mail", "POST", "/user/info/basic", with(basicInfo(), "email", "not-an-email"), tok, 400, "email", nil},
			{"over-long first name", "POST", "/user/info/basic", with(basicInfo(), "firstName", long), tok, 400, "firstName", nil},
			{"digits in a name", "POST", "/user/info/basic", with(basicInfo(), "lastName", "Sulyman2"), tok, 400, "lastName", nil},
			{"missing last name", "POST", "/user/info/basic", with(basicInfo(), "lastName", "<delete>"), tok, 400, "lastName", nil},
			{"unknown city", "POST", "/user/info/basic", with(basicInfo(), "cityCode", "XX-NOPE"), tok, 400, "cityCode", nil},
			{"bad nationality", "POST", "/user/info/basic", with(basicInfo(), "nationality", "XX"), tok, 400, "nationality", nil},
			{"expired ID", "POST", "/user/info/basic", with(basicInfo(), "idValidDate", "2020-01-01"), tok, 400, "idValidDate", nil},
			{"one contact", "POST", "/user/info/contacts", contacts(c1), tok, 400, "contacts", nil},
			{"duplicate contact phones", "POST", "/user/info/contacts", contacts(c1, with(c2, "mobile", "08031234567")), tok, 400, "contacts[1].mobile", nil},
			{"own phone as a contact", "POST", "/user/info/contacts", contacts(c1, with(c2, "mobile", "07068425023")), tok, 400, "contacts[1].mobile", nil},
			{"bad relationship", "POST", "/user/info/contacts", contacts(c1, with(c2, "relationship", "boss")), tok, 400, "contacts[1].relationship", nil},
			{"contacts not an array", "POST", "/user/info/contacts", `{"contacts": "many"}`, tok, 400, "contacts", nil},
			{"unknown income band", "POST", "/user/info/work", with(workBody(), "incomeCode", "INC99"), tok, 400, "incomeCode", nil},
			{"bad company phone", "POST", "/user/info/work", with(workBody(), "companyPhone", "12"), tok, 400, "companyPhone", nil},
			{"unknown bank", "POST", "/user/bankcard", with(cardBody(), "bankNo", "999"), tok, 400, "bankNo", nil},
			{"NUBAN with a wrong check digit", "POST", "/user/bankcard", with(cardBody(), "bankAccNo", "0163505448"), tok, 400, "bankAccNo", nil},
			{"account number with letters", "POST", "/user/bankcard", with(cardBody(), "bankAccNo", "01635O5447"), tok, 400, "bankAccNo", nil},
			{"card number failing Luhn", "POST", "/user/bankcard", with(cardBody(), "bankCardNo", "5399834490759215"), tok, 400, "bankCardNo", nil},
			{"set default without id", "POST", "/bankcard/default", map[string]string{}, tok, 400, "id", nil},
			{"set default with a negative id", "POST", "/bankcard/default", map[string]string{"id": "-4"}, tok, 400, "id", nil},
			{"set default to a missing card", "POST", "/bankcard/default", map[string]string{"id": "999999"}, tok, 404, "id", nil},
			{"verify amount without id", "GET", "/bankcard/verifyAmount", nil, tok, 400, "id", nil},
			{"verify callback with a bad amount", "GET", "/bankcard/verifyCallback?id=1&amount=abc", nil, tok, 400, "amount", nil},
			{"page size too large", "GET", "/bankcard/list?pageSize=1000", nil, tok, 400, "pageSize", nil},
			{"page number zero", "GET", "/message/page?pageNum=0", nil, tok, 400, "pageNum", nil},
			{"page number not a number", "GET", "/dict/cities?pageNum=two", nil, "", 400, "pageNum", nil},
			{"sandbox SMS without a phone", "GET", "/sandbox/sms", nil, "", 400, "phone", nil},
			{"sandbox SMS with a plus", "GET", "/sandbox/sms?phone=%2B2347068425023", nil, "", 400, "phone", nil},
			{"unknown path", "GET", "/user/everything", nil, tok, 404, "path", nil},
			{"wrong method", "DELETE", "/user/info", nil, tok, 405, "method", nil},
		}
		if len(cases) < 30 {
			t.Fatalf("only %d cases", len(cases))
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := a.rowCounts()
				r := a.req(c.method, c.path, c.body, c.token, c.headers...)
				if r.Code == 1 || r.Status != c.status {
					t.Fatalf("= %d code %d %q; want status %d", r.Status, r.Code, r.Message, c.status)
				}
				if r.Code != r.Status*10 {
					t.Errorf("envelope code %d for status %d", r.Code, r.Status)
				}
				if c.field != "" && !strings.HasPrefix(r.Message, c.field+":") {
					t.Errorf("message %q does not name %s", r.Message, c.field)
				}
				if d := diffCounts(before, a.rowCounts()); d != "" {
					t.Errorf("rows written: %s", d)
				}
			})
		}
		t.Logf("%d bad requests", len(cases))
	})
}
