package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"creditpocket/internal/staff"
	"creditpocket/internal/store"
)

// FuzzConsoleForms posts arbitrary form bodies, with a valid CSRF token, to
// every console action as a role allowed to take it: whatever the fields
// hold, the answer is a page with a 2xx, 3xx or 4xx status, never a 500.
func FuzzConsoleForms(f *testing.F) {
	a := newConsoleApp(f, store.SQLite)
	clients := map[staff.Role]*browserClient{}
	for _, r := range []staff.Role{staff.Admin, staff.RiskOfficer, staff.Reviewer} {
		clients[r] = a.as(a.staff(string(r)+"@fuzz.example", r))
	}
	routes := a.consoleRoutes()
	var posts []string
	for _, rt := range routes {
		if rt.Method == http.MethodPost && rt.Perm != "" && rt.Path != "/console/signout" {
			posts = append(posts, rt.Path)
		}
	}
	for i, body := range []string{
		"policy=version%3A+x&action=simulate&since=2026-01-01",
		"list=black&kind=phone&value=2348031234567&reason=fraud&expires=2030-01-01",
		"id=9&name=N&currency=NGN&principal=1&cycle=1&interestRate=0&serviceFee=0&feeMode=suffix&penaltyRate=0&penaltyCap=0&extensionFee=0&minSettled=0",
		"name=P&scopes=ocr&quota=-1&rate=99999999999999999999",
		"email=new%40x.example&role=viewer",
		"action=approve&reason=ok",
		"purpose=check&field=front",
	} {
		f.Add(uint8(i), uint8(i), body)
	}
	f.Fuzz(func(t *testing.T, which, id uint8, body string) {
		path := posts[int(which)%len(posts)]
		path = strings.NewReplacer("{id}", string(rune('0'+id%10)), "{version}", "v"+string(rune('0'+id%10))).Replace(path)
		var c *browserClient
		for _, rt := range routes {
			if rt.Method == http.MethodPost && strings.HasPrefix(path, strings.Split(rt.Path, "{")[0]) {
				for r, cl := range clients {
					if r.Can(rt.Perm) {
						c = cl
					}
				}
			}
		}
		if c == nil {
			t.Skip("no fuzzing role may post here")
		}
		a.t, c.a.t = t, t
		form, err := url.ParseQuery(body)
		if err != nil {
			form = url.Values{"raw": {body}}
		}
		form.Set("csrf", c.csrf)
		if st, page := c.do("POST", path, form); st >= 500 {
			t.Fatalf("POST %s %q = %d: %.300s", path, body, st, page)
		}
	})
}
