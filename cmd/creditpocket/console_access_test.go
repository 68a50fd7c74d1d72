package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"creditpocket/internal/staff"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

// TestConsoleAccess walks every console route as every role and without a
// session: the route table's permission decides, and nothing else.
func TestConsoleAccess(t *testing.T) {
	a := newConsoleApp(t, store.SQLite)
	clients := map[staff.Role]*browserClient{}
	for _, r := range staff.Roles() {
		clients[r] = a.as(a.staff(string(r)+"@example.com", r))
	}
	anon := a.client()
	for _, rt := range a.consoleRoutes() {
		if rt.Perm == "" || rt.Path == "/console/signout" {
			continue // public, or ends the session the loop uses (tested below)
		}
		path := strings.NewReplacer("{$}", "", "{id}", "999999", "{n}", "1").Replace(rt.Path)
		form := func(c *browserClient) url.Values {
			if rt.Method != "POST" {
				return nil
			}
			return url.Values{"csrf": {c.csrf}}
		}
		t.Run(fmt.Sprintf("%s %s without a session is refused", rt.Method, rt.Path), func(t *testing.T) {
			st, _ := anon.do(rt.Method, path, form(anon))
			want := http.StatusUnauthorized
			if rt.Method == "GET" {
				want = http.StatusSeeOther // to the sign-in page
			}
			if st != want {
				t.Fatalf("status %d, want %d", st, want)
			}
		})
		for _, role := range staff.Roles() {
			allowed := role.Can(rt.Perm)
			name := fmt.Sprintf("%s %s as %s is refused", rt.Method, rt.Path, role)
			if allowed {
				name = fmt.Sprintf("%s %s as %s is allowed", rt.Method, rt.Path, role)
			}
			t.Run(name, func(t *testing.T) {
				c := clients[role]
				st, body := c.do(rt.Method, path, form(c))
				switch {
				case !allowed && st != http.StatusForbidden:
					t.Fatalf("status %d, want 403", st)
				case allowed && (st == http.StatusUnauthorized || st == http.StatusForbidden || st >= 500):
					t.Fatalf("status %d: %.300s", st, body)
				case st != http.StatusSeeOther && !strings.HasSuffix(strings.TrimSpace(body), "</html>"):
					t.Fatalf("status %d, the page did not render to its end: %.300s", st, body[max(0, len(body)-300):])
				}
			})
		}
	}

	reviewer := clients[staff.Reviewer]
	t.Run("a POST without the CSRF token is refused", func(t *testing.T) {
		if st, _ := reviewer.do("POST", "/console/review/loans/1/take", url.Values{}); st != http.StatusForbidden {
			t.Fatalf("status %d", st)
		}
	})
	t.Run("a POST with another session's CSRF token is refused", func(t *testing.T) {
		other := clients[staff.Viewer].csrf
		if st, _ := reviewer.do("POST", "/console/review/loans/1/take", url.Values{"csrf": {other}}); st != http.StatusForbidden {
			t.Fatalf("status %d", st)
		}
	})
	t.Run("the sign-in form without its token is refused", func(t *testing.T) {
		c := a.client()
		if st, _ := c.do("POST", "/console/signin", url.Values{"email": {"viewer@example.com"}}); st != http.StatusForbidden {
			t.Fatalf("status %d", st)
		}
	})
	t.Run("signing out ends the session", func(t *testing.T) {
		c := clients[staff.Collections]
		if st, _ := c.do("POST", "/console/signout", url.Values{"csrf": {c.csrf}}); st != http.StatusSeeOther {
			t.Fatalf("sign out = %d", st)
		}
		if st, _ := c.do("GET", "/console/", nil); st != http.StatusSeeOther {
			t.Fatalf("after sign-out = %d", st)
		}
	})
	t.Run("pages carry a strict content security policy and cookies are HttpOnly and SameSite=Strict", func(t *testing.T) {
		resp, err := http.Get(a.srv.URL + "/console/signin")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Fatalf("CSP %q", csp)
		}
		ck := resp.Cookies()
		if len(ck) != 1 || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteStrictMode || ck[0].Path != "/console/" {
			t.Fatalf("cookies %+v", ck)
		}
	})
}

// TestConsoleSignIn checks the second factor and the lockout on both
// engines.
func TestConsoleSignIn(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newConsoleApp(t, e)
		m := a.staff("ada@example.com", staff.Viewer)
		a.nextStep()
		t.Run("a TOTP code is accepted once", func(t *testing.T) {
			code := a.code(m)
			if st, body := a.client().signIn(m, m.Password, code); st != http.StatusSeeOther {
				t.Fatalf("first use = %d: %.200s", st, body)
			}
			if st, _ := a.client().signIn(m, m.Password, code); st != http.StatusUnauthorized {
				t.Fatalf("replay = %d", st)
			}
		})
		t.Run("a wrong code or password is refused with the same words", func(t *testing.T) {
			a.nextStep()
			_, b1 := a.client().signIn(m, m.Password, "000000")
			_, b2 := a.client().signIn(m, "wrong password", a.code(m))
			for _, b := range []string{b1, b2} {
				if !strings.Contains(b, "e-mail, password or code is wrong") {
					t.Fatalf("answer %.300s", b)
				}
			}
		})
		t.Run("five failures lock the account for fifteen minutes", func(t *testing.T) {
			for range 3 { // two failures above
				a.client().signIn(m, "wrong password", "000000")
			}
			a.nextStep()
			if st, body := a.client().signIn(m, m.Password, a.code(m)); st != http.StatusTooManyRequests || !strings.Contains(body, "locked until") {
				t.Fatalf("locked = %d: %.300s", st, body)
			}
			a.clock.Add(15 * 60 * 1e9)
			if st, _ := a.client().signIn(m, m.Password, a.code(m)); st != http.StatusSeeOther {
				t.Fatalf("after the window = %d", st)
			}
		})
		t.Run("an e-mail no one has is locked after five failures too, in the same words", func(t *testing.T) {
			nobody := member{Email: "nobody@example.com", Password: m.Password, Secret: m.Secret}
			staffRows := a.rowCounts()["staff"]
			for i := range 5 {
				if st, body := a.client().signIn(nobody, "wrong password", "000000"); st != http.StatusUnauthorized || !strings.Contains(body, "e-mail, password or code is wrong") {
					t.Fatalf("failure %d = %d: %.300s", i+1, st, body)
				}
			}
			st, body := a.client().signIn(nobody, m.Password, a.code(m))
			if st != http.StatusTooManyRequests || !strings.Contains(body, "this e-mail is locked until") {
				t.Fatalf("sixth attempt = %d: %.300s", st, body)
			}
			if n := a.rowCounts()["staff"]; n != staffRows {
				t.Fatalf("staff rows %d → %d", staffRows, n)
			}
		})
		t.Run("attempts refused while locked are audited once per window, so they cannot fill the audit log", func(t *testing.T) {
			flood := member{Email: "flood@example.com", Password: m.Password, Secret: m.Secret}
			before := a.rowCounts()["staff_audit"]
			for range 5 {
				a.client().signIn(flood, "wrong password", "000000")
			}
			var wg sync.WaitGroup
			statuses := make(chan int, 30)
			for range 30 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					st, _ := a.client().signIn(flood, "wrong password", "000000")
					statuses <- st
				}()
			}
			wg.Wait()
			close(statuses)
			for st := range statuses {
				if st != http.StatusTooManyRequests {
					t.Fatalf("an attempt while locked = %d, want 429", st)
				}
			}
			if added := a.rowCounts()["staff_audit"] - before; added != 5+1 {
				t.Fatalf("5 failures and 30 refusals while locked added %d audit entries; want 6 (each failure and the first refusal)", added)
			}
		})
		t.Run("every sign-in is in the audit log and the chain verifies", func(t *testing.T) {
			admin := a.as(a.staff("root@example.com", staff.Admin))
			st, body := admin.do("GET", "/console/audit?verify=1", nil)
			if st != 200 || !strings.Contains(body, "Chain intact") || !strings.Contains(body, "signin.failed") {
				t.Fatalf("audit page = %d: %.500s", st, body)
			}
		})
	})
}
