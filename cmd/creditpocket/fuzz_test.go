package main

import (
	"encoding/json"
	"testing"

	"creditpocket/internal/store"
)

// FuzzAppRequests sends arbitrary bodies to every JSON endpoint of the app
// API, signed in and not. Whatever the bytes, the answer must be the
// envelope and never a 500: bad input is the client's error, not ours.
func FuzzAppRequests(f *testing.F) {
	a := newTestApp(f, store.SQLite)
	tok := a.signUp("07068425023")
	paths := []string{"/sms/code", "/sms/verify", "/user/register", "/user/login", "/user/info/basic",
		"/user/info/contacts", "/user/info/work", "/user/bankcard", "/user/transferRecipient", "/bankcard/default"}
	seeds := []any{basicInfo(), contactsBody(), workBody(), cardBody(),
		map[string]string{"mobile": "07068425023", "type": "register"}, map[string]string{"id": "1"},
		map[string]string{"mobile": "07068425023", "password": "s3cret-pass"}}
	for i, s := range seeds {
		b, _ := json.Marshal(s)
		f.Add(uint8(i), true, b)
	}
	f.Add(uint8(0), false, []byte(`{"mobile":"\u0000","type":"login"}`))
	f.Add(uint8(5), true, []byte(`{"contacts":[{"name":"A","mobile":"+2348031234567"},null]}`))
	f.Add(uint8(7), true, []byte(`{"bankNo":"058","bankAccNo":"9999999999999999999999"}`))
	f.Fuzz(func(t *testing.T, which uint8, signedIn bool, body []byte) {
		token := ""
		if signedIn {
			token = tok
		}
		a.t = t
		r := a.req("POST", paths[int(which)%len(paths)], string(body), token)
		if r.Status >= 500 || (r.Code != 1 && r.Code != r.Status*10) {
			t.Fatalf("POST %s %q = %d code %d %q", paths[int(which)%len(paths)], body, r.Status, r.Code, r.Message)
		}
	})
}
