package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"creditpocket/internal/staff"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

// TestConsoleFormsAreChargedToTheMemoryBudget attacks the console's
// anonymous sign-in, whose form is read before anyone is known: many slow
// sign-ins each sending a large body used to hold memory the budget never
// saw (400 of them: 700 MB resident, the budget's gauge at 0). The
// sign-in form is now at most 16 KiB (413 beyond), a body being read
// holds its share of the budget (about what it sent, so slow clients
// cannot hold the budget cheaply) and gives it back, a full budget
// answers 503 with Retry-After, and staff forms still work.
func TestConsoleFormsAreChargedToTheMemoryBudget(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newConsoleApp(t, e)
		admin := a.staff("admin@example.com", staff.Admin)
		mem := a.app.Server.Memory
		post := func(t *testing.T, path, body string, cookies ...string) *http.Response {
			t.Helper()
			req, _ := http.NewRequest("POST", a.srv.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for _, c := range cookies {
				req.Header.Add("Cookie", c)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return resp
		}
		t.Run("a sign-in form over 16 KiB is refused as too large", func(t *testing.T) {
			body := "csrf=x&email=a%40b.c&password=" + strings.Repeat("x", 1<<20-64)
			if resp := post(t, "/console/signin", body, "cp_console_pre=x"); resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("status %d, want 413", resp.StatusCode)
			}
		})
		t.Run("a slow sign-in holds the budget for what it sent, and gives it back", func(t *testing.T) {
			c, err := net.Dial("tcp", strings.TrimPrefix(a.srv.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			part := "csrf=x&email=a%40b.c&password=" + strings.Repeat("x", 8<<10)
			fmt.Fprintf(c, "POST /console/signin HTTP/1.1\r\nHost: x\r\nCookie: cp_console_pre=x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", 16<<10, part)
			deadline := time.Now().Add(5 * time.Second)
			for mem.InUse() == 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if mem.InUse() == 0 {
				t.Fatal("a sign-in body being read holds nothing of the memory budget")
			}
			time.Sleep(50 * time.Millisecond)
			if held, most := mem.InUse(), int64(4*(2*len(part)+4<<10)); held > most {
				t.Errorf("a sign-in that sent %d bytes holds %d bytes of the budget; want at most %d", len(part), held, most)
			}
			c.Close()
			for mem.InUse() != 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if n := mem.InUse(); n != 0 {
				t.Fatalf("the budget still holds %d bytes after the client left", n)
			}
		})
		t.Run("staff forms still work, and hold nothing afterwards", func(t *testing.T) {
			b := a.as(admin)
			if st, body := b.do("POST", "/console/staff", url.Values{"csrf": {b.csrf}, "email": {"ops@example.com"}, "role": {string(staff.Viewer)}}); st >= 400 {
				t.Fatalf("create staff = %d: %.300s", st, body)
			}
			if n := mem.InUse(); n != 0 {
				t.Fatalf("the budget holds %d bytes after a staff form", n)
			}
		})
		hog := mem.Lease(context.Background())
		if err := hog.Grow(mem.Size()); err != nil {
			t.Fatal(err)
		}
		defer hog.Close()
		t.Run("with the budget full, a sign-in answers 503 with Retry-After", func(t *testing.T) {
			b := a.client()
			b.do("GET", "/console/signin", nil)
			resp, _ := b.send("POST", "/console/signin", url.Values{"csrf": {b.csrf}, "email": {admin.Email}, "password": {admin.Password}, "code": {a.code(admin)}})
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
				t.Errorf("status %d, Retry-After %q; want 503 and a Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
			if n := mem.InUse(); n != mem.Size() {
				t.Errorf("the refused sign-in still holds %d bytes", n-mem.Size())
			}
		})
	})
}
