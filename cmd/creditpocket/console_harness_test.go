package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"creditpocket/internal/console"
	"creditpocket/internal/staff"
	"creditpocket/internal/store"
)

// consoleApp is a real creditpocket (newLoanApp: operator token, instant
// payouts, a settable clock) with console staff created through the CLI.
type consoleApp struct {
	*testApp
	clock *clock
}

func newConsoleApp(t testing.TB, e store.Engine) *consoleApp {
	t.Helper()
	c := &clock{t: time.Now().UTC().Truncate(time.Second)}
	return &consoleApp{testApp: newLoanApp(t, e, c), clock: c}
}

// member is a staff account the test can sign in as.
type member struct {
	Email, Role, Password, Secret string
}

// staff creates a staff member with `creditpocket staff create`, the
// password given on stdin.
func (a *consoleApp) staff(email string, role staff.Role) member {
	a.t.Helper()
	env := map[string]string{"CREDITPOCKET_DATA": a.app.Config.DataDir, "CREDITPOCKET_DATABASE_URL": a.app.Config.DatabaseURL,
		"CREDITPOCKET_DEV": "1"} // the app's dev key
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	var out, errb bytes.Buffer
	const password = "console test password"
	err := cmdStaff(t0ctx, []string{"create", "--email", email, "--role", string(role), "--password-stdin", "--json"}, lookup,
		strings.NewReader(password+"\n"), &out, &errb)
	if err != nil {
		a.t.Fatalf("staff create %s: %v (%s)", email, err, errb.String())
	}
	var got struct {
		Secret string `json:"totp_secret"`
		URI    string `json:"otpauth_uri"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || got.Secret == "" || !strings.HasPrefix(got.URI, "otpauth://totp/") {
		a.t.Fatalf("staff create printed %q: %v", out.String(), err)
	}
	return member{Email: email, Role: string(role), Password: password, Secret: got.Secret}
}

// code is the member's current TOTP code on the app's clock.
func (a *consoleApp) code(m member) string {
	a.t.Helper()
	c, err := staff.Code(m.Secret, a.clock.Now())
	if err != nil {
		a.t.Fatal(err)
	}
	return c
}

// nextStep moves the clock to the next TOTP step, so a new code exists.
func (a *consoleApp) nextStep() { a.clock.Add(30 * time.Second) }

// browserClient is a plain HTTP client with a cookie jar that does not
// follow redirects.
type browserClient struct {
	a    *consoleApp
	hc   *http.Client
	csrf string
}

func (a *consoleApp) client() *browserClient {
	jar, _ := cookiejar.New(nil)
	return &browserClient{a: a, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// do sends a request and returns the status and body; a page's CSRF
// token is remembered for the next form.
func (b *browserClient) do(method, path string, form url.Values) (int, string) {
	b.a.t.Helper()
	resp, raw := b.send(method, path, form)
	return resp.StatusCode, string(raw)
}

// send is do with the whole response (its body already read and closed).
func (b *browserClient) send(method, path string, form url.Values) (*http.Response, []byte) {
	b.a.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.a.srv.URL+path, body)
	if err != nil {
		b.a.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		b.a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindSubmatch(raw); m != nil {
		b.csrf = string(m[1])
	}
	return resp, raw
}

// signIn signs m in with code and returns the answer's status.
func (b *browserClient) signIn(m member, password, code string) (int, string) {
	b.a.t.Helper()
	b.do("GET", "/console/signin", nil)
	return b.do("POST", "/console/signin", url.Values{"csrf": {b.csrf}, "email": {m.Email}, "password": {password}, "code": {code}})
}

// as returns a client signed in as m (on a fresh TOTP step).
func (a *consoleApp) as(m member) *browserClient {
	a.t.Helper()
	a.nextStep()
	b := a.client()
	if st, body := b.signIn(m, m.Password, a.code(m)); st != http.StatusSeeOther {
		a.t.Fatalf("sign in as %s = %d: %.300s", m.Email, st, body)
	}
	b.do("GET", "/console/", nil) // picks up the session's CSRF token
	return b
}

// consoleRoutes is the console's route table.
func (a *consoleApp) consoleRoutes() []console.Route {
	a.t.Helper()
	c, ok := a.app.Server.Console.(*console.Console)
	if !ok {
		a.t.Fatalf("the server's console is %T", a.app.Server.Console)
	}
	return c.Routes()
}
