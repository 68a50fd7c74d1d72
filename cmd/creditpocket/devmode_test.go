package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"creditpocket/internal/config"
	"creditpocket/internal/loan"
	"creditpocket/internal/staff"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

// envMap is a command's environment.
func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// cli runs creditpocket with args and env, returning what it printed and
// its error.
func cli(ctx context.Context, env map[string]string, args ...string) (string, error) {
	var out, errOut strings.Builder
	err := run(ctx, args, envMap(env), &out, &errOut)
	return out.String() + errOut.String(), err
}

// startServe runs the serve command in the background and returns the
// address it listens on, its logs, and a function that stops it (as
// SIGINT/SIGTERM do) and returns serve's error.
func startServe(t *testing.T, env map[string]string, args ...string) (addr string, logs *syncBuffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs = &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, args...), envMap(env), logs, io.Discard) }()
	stop = func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not shut down")
			return nil
		}
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v\n%s", err, logs.String())
		default:
		}
		sc := bufio.NewScanner(strings.NewReader(logs.String()))
		for sc.Scan() {
			var line map[string]any
			if json.Unmarshal(sc.Bytes(), &line) == nil && line["msg"] == "listening" {
				addr, _ = line["addr"].(string)
				return addr, logs, stop
			}
		}
	}
	stop()
	t.Fatalf("server did not start:\n%s", logs.String())
	return "", nil, nil
}

// TestServeRefusesProductionSettingsInOneLine: without --dev, serve exits
// non-zero before touching anything, with one line that names every
// setting to fix at once.
func TestServeRefusesProductionSettingsInOneLine(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   map[string]string
		args  []string
		want  []string
		never []string
	}{
		{"nothing configured names both providers and the key", nil, nil,
			[]string{"--sms-provider is not set", "--payment-provider is not set", "no encryption key", "--dev"}, []string{"--seed-demo"}},
		{"sandbox providers and demo data are for dev mode only", map[string]string{"CREDITPOCKET_SEED_DEMO": "true"}, []string{"--sms-provider", "sandbox", "--payment-provider", "sandbox"},
			[]string{"--sms-provider is sandbox", "--payment-provider is sandbox", "no encryption key", "--seed-demo"}, nil},
		{"a configured key leaves only the providers", map[string]string{"CREDITPOCKET_ENCRYPTION_KEY": testKeyA}, nil,
			[]string{"--sms-provider", "--payment-provider"}, []string{"encryption key"}},
		{"--dev=false after CREDITPOCKET_DEV turns dev mode off", map[string]string{"CREDITPOCKET_DEV": "1"}, []string{"--dev=false"},
			[]string{"--sms-provider is sandbox", "no encryption key", "--seed-demo"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			env := map[string]string{"CREDITPOCKET_DATA": data}
			for k, v := range tc.env {
				env[k] = v
			}
			out, err := cli(context.Background(), env, append([]string{"serve", "--addr", "127.0.0.1:0"}, tc.args...)...)
			if err == nil {
				t.Fatalf("serve started:\n%s", out)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("the refusal is not one line: %q", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("refusal %q does not name %q", msg, w)
				}
			}
			for _, w := range tc.never {
				if strings.Contains(msg, w) {
					t.Errorf("refusal %q names %q, which is fine", msg, w)
				}
			}
			if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused start created %s (%v)", data, err)
			}
		})
	}
}

// TestServeDevModeIsTheQuickStart: serve --dev starts on nothing but a
// data folder (dev key created there, demo data), serves /sandbox/* to a
// loopback client, and on cancellation answers /readyz 503 while it
// drains.
func TestServeDevModeIsTheQuickStart(t *testing.T) {
	data := t.TempDir()
	addr, logs, stop := startServe(t, map[string]string{"CREDITPOCKET_DATA": data},
		"--dev", "--addr", "127.0.0.1:0", "--drain-delay", "3s")
	if _, err := os.Stat(filepath.Join(data, "keys", "master.key")); err != nil {
		t.Errorf("no dev key under --data: %v", err)
	}
	if strings.Contains(logs.String(), "BEYOND LOOPBACK") {
		t.Error("warned about listening beyond loopback on 127.0.0.1")
	}
	get := func(path string) int {
		t.Helper()
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := get("/sandbox/sms?phone=2347068425023"); c != 200 {
		t.Errorf("/sandbox/sms from loopback = %d, want 200", c)
	}
	if c := get("/home/products"); c != 200 {
		t.Errorf("demo products = %d", c)
	}
	if c := get("/readyz"); c != 200 {
		t.Fatalf("readyz = %d", c)
	}
	done := make(chan error, 1)
	go func() { done <- stop() }()
	saw503 := false
	for deadline := time.Now().Add(3 * time.Second); !saw503 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			break
		}
		resp.Body.Close()
		saw503 = resp.StatusCode == http.StatusServiceUnavailable
	}
	if !saw503 {
		t.Error("/readyz never answered 503 while draining")
	}
	if err := <-done; err != nil {
		t.Fatalf("serve returned %v", err)
	}
}

// TestDevModeBeyondLoopbackWarnsAndKeepsTheSandboxLocal listens in dev
// mode on a non-loopback address of this machine (skipped when it has
// none): startup warns at WARN, and a client connecting from that
// address gets 403 on /sandbox/sms even when it claims X-Forwarded-For:
// 127.0.0.1. The traffic never leaves the machine.
func TestDevModeBeyondLoopbackWarnsAndKeepsTheSandboxLocal(t *testing.T) {
	host := nonLoopbackAddr(t)
	addr, logs, stop := startServe(t, map[string]string{"CREDITPOCKET_DATA": t.TempDir()},
		"--dev", "--addr", net.JoinHostPort(host, "0"), "--trusted-proxies", host)
	defer stop()
	warned := false
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) == nil && line["level"] == "WARN" && strings.Contains(fmt.Sprint(line["msg"]), "DEV MODE LISTENING BEYOND LOOPBACK") {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no WARN about dev mode beyond loopback:\n%s", logs.String())
	}
	for _, xff := range []string{"", "127.0.0.1"} {
		req, _ := http.NewRequest("GET", "http://"+addr+"/sandbox/sms?phone=2347068425023", nil)
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
			t.Errorf("/sandbox/sms from %s with X-Forwarded-For %q = %d, want 403", host, xff, resp.StatusCode)
		}
	}
}

// nonLoopbackAddr is an IPv4 address of one of this machine's interfaces
// that is not loopback, or skips the test.
func nonLoopbackAddr(t *testing.T) string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Skip(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			if ln, err := net.Listen("tcp", net.JoinHostPort(n.IP.String(), "0")); err == nil {
				ln.Close()
				return n.IP.String()
			}
		}
	}
	t.Skip("this machine has no non-loopback address to listen on")
	return ""
}

const (
	testKeyA = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	testKeyB = "HxwdHhobGBkWFxQVEhMQEQ4PDA0KCwgJBgcEBQIDAAE="
)

// TestAnotherEncryptionKeyIsRefusedAtStart: the first start records the
// key's check value; a start with another key fails saying which key the
// database expects (its check value's prefix); the key read from a file
// works; a key file with wrong contents is a clear error.
func TestAnotherEncryptionKeyIsRefusedAtStart(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		dbURL, dir := storetest.URL(t, e)
		cfg := devConfig(dbURL, dir)
		open := func(c config.Config) error {
			app, err := Open(context.Background(), c, nil, Options{Hasher: fastHasher, QuietRequests: true})
			if err == nil {
				app.Close()
			}
			return err
		}
		cfg.EncryptionKey = testKeyA
		if err := open(cfg); err != nil {
			t.Fatalf("first start: %v", err)
		}
		db, err := store.Open(context.Background(), dbURL, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		recorded, err := db.KeyCheck(context.Background(), "not the recorded value", func() error { return errors.New("no value recorded") })
		db.Close()
		if err != nil || len(recorded) != 64 || strings.Contains(recorded, testKeyA) {
			t.Fatalf("recorded check value %q (%v): want a 64-digit keyed hash, not the key", recorded, err)
		}

		t.Run("a start with another key fails naming the expected key's check value", func(t *testing.T) {
			c := cfg
			c.EncryptionKey = testKeyB
			err := open(c)
			if err == nil || !strings.Contains(err.Error(), "another key") || !strings.Contains(err.Error(), recorded[:keyCheckShown]) {
				t.Fatalf("start with another key = %v, want a refusal naming %s", err, recorded[:keyCheckShown])
			}
		})
		t.Run("the dev key is another key too", func(t *testing.T) {
			c := cfg
			c.EncryptionKey = ""
			if err := open(c); err == nil || !strings.Contains(err.Error(), "another key") {
				t.Fatalf("start on the dev key = %v", err)
			}
		})
		t.Run("the same key from a file works", func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "master.key")
			if err := os.WriteFile(path, []byte(testKeyA+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			c := cfg
			c.EncryptionKey, c.EncryptionKeyFile = "", path
			if err := open(c); err != nil {
				t.Fatalf("key from file: %v", err)
			}
		})
		t.Run("the staff CLI with another key is refused too", func(t *testing.T) {
			env := map[string]string{"CREDITPOCKET_DATA": dir, "CREDITPOCKET_DATABASE_URL": dbURL, "CREDITPOCKET_ENCRYPTION_KEY": testKeyB}
			if out, err := cli(context.Background(), env, "staff", "list"); err == nil || !strings.Contains(err.Error(), "another key") {
				t.Fatalf("staff list with another key = %v\n%s", err, out)
			}
		})
	})
}

// TestADatabaseFromBeforeTheKeyCheckRecordsOnlyAKeyThatOpensIt: a
// database with personal data but no key check value (made before
// migration 014) records the key of its first start only if that key
// opens the stored data; another key is refused and nothing recorded.
func TestADatabaseFromBeforeTheKeyCheckRecordsOnlyAKeyThatOpensIt(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newTestApp(t, e) // the dev key
		tok := a.signUp("07068425023")
		a.ok("POST", "/user/info/basic", basicInfo(), tok)
		if _, err := a.app.DB.Exec(context.Background(), `DELETE FROM key_check`); err != nil {
			t.Fatal(err)
		}
		open := func(key string) error {
			c := a.app.Config
			c.EncryptionKey = key
			app, err := Open(context.Background(), c, nil, Options{Hasher: fastHasher, QuietRequests: true})
			if err == nil {
				app.Close()
			}
			return err
		}
		if err := open(testKeyB); err == nil || !strings.Contains(err.Error(), "does not open the personal data already stored") {
			t.Fatalf("start with a key that does not open the data = %v", err)
		}
		var n int
		if err := a.app.DB.Read(context.Background(), func(ctx context.Context, tx *store.Tx) error {
			return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM key_check`).Scan(&n)
		}); err != nil || n != 0 {
			t.Fatalf("a refused key was recorded (%d rows, %v)", n, err)
		}
		if err := open(""); err != nil { // the dev key the data is sealed under
			t.Fatalf("start with the data's key: %v", err)
		}
		if err := open(testKeyB); err == nil || !strings.Contains(err.Error(), "another key") {
			t.Fatalf("after recording, another key = %v", err)
		}
	})
}

// TestADatabaseFromBeforeTheKeyCheckWithOnlyStaffRefusesAnotherKey: a
// database from before migration 014 may hold no borrower profile yet
// (a partner-only deployment, or one with only staff): a key is then
// tried on a staff member's sealed TOTP secret (and a KYC submission's
// applicant), so another key is not recorded as this database's.
func TestADatabaseFromBeforeTheKeyCheckWithOnlyStaffRefusesAnotherKey(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newConsoleApp(t, e) // the dev key
		a.staff("ada@example.com", staff.Viewer)
		if _, err := a.app.DB.Exec(context.Background(), `DELETE FROM key_check`); err != nil {
			t.Fatal(err)
		}
		open := func(key string) error {
			c := a.app.Config
			c.EncryptionKey = key
			app, err := Open(context.Background(), c, nil, Options{Hasher: fastHasher, QuietRequests: true})
			if err == nil {
				app.Close()
			}
			return err
		}
		if err := open(testKeyB); err == nil || !strings.Contains(err.Error(), "does not open the personal data already stored (staff member ada@example.com's TOTP secret)") {
			t.Fatalf("start with a key that does not open the staff's secrets = %v", err)
		}
		if err := open(""); err != nil {
			t.Fatalf("start with the data's key: %v", err)
		}
		if err := open(testKeyB); err == nil || !strings.Contains(err.Error(), "another key") {
			t.Fatalf("after recording, another key = %v", err)
		}
	})
}

func TestKeyFileWithWrongContentsIsAClearError(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, contents, want string
	}{
		{"raw bytes instead of base64", "0123456789abcdef0123456789abcdef", "must hold the base64 of exactly 32 bytes"},
		{"a 16-byte key", "AAECAwQFBgcICQoLDA0ODw==\n", "must hold the base64 of exactly 32 bytes"},
		{"an empty file", "", "must hold the base64 of exactly 32 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			if err := os.WriteFile(path, []byte(tc.contents), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := cli(context.Background(), map[string]string{"CREDITPOCKET_DATA": dir}, "serve", "--dev", "--encryption-key-file", path)
			if err == nil || !strings.HasPrefix(err.Error(), "encryption-key-file: "+path) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("serve = %v, want encryption-key-file: %s … %s", err, path, tc.want)
			}
		})
	}
	t.Run("a missing file", func(t *testing.T) {
		_, err := cli(context.Background(), map[string]string{"CREDITPOCKET_DATA": dir}, "serve", "--dev", "--encryption-key-file", filepath.Join(dir, "nope"))
		if err == nil || !strings.Contains(err.Error(), "encryption-key-file") || !strings.Contains(err.Error(), "no such file") {
			t.Fatalf("serve = %v", err)
		}
	})
	t.Run("both the environment and a file", func(t *testing.T) {
		_, err := cli(context.Background(), map[string]string{"CREDITPOCKET_DATA": dir, "CREDITPOCKET_ENCRYPTION_KEY": testKeyA},
			"serve", "--dev", "--encryption-key-file", filepath.Join(dir, "nope"))
		if err == nil || !strings.Contains(err.Error(), "not both") {
			t.Fatalf("serve = %v", err)
		}
	})
	t.Run("the key is no flag (argv shows in ps)", func(t *testing.T) {
		_, err := cli(context.Background(), map[string]string{"CREDITPOCKET_DATA": dir}, "serve", "--dev", "--encryption-key", testKeyA)
		if err == nil || !strings.Contains(err.Error(), "flag provided but not defined") {
			t.Fatalf("serve --encryption-key = %v", err)
		}
	})
}

// dataCommands are the commands that work on a deployment's data and so
// must never create or migrate a database.
var dataCommands = [][]string{
	{"ledger", "verify"},
	{"cob", "run", "--date", "2026-01-02"},
	{"blobs", "check"},
	{"partner", "list"},
	{"staff", "list"},
	{"risk", "policy", "list"},
}

// TestDataCommandsNeverCreateOrMigrateADatabase: on a mistyped --data
// (SQLite) or --database-url (PostgreSQL) each command exits non-zero
// naming what it did not find and leaves nothing behind; on a database
// whose migrations are behind it says to run creditpocket migrate and
// applies nothing.
func TestDataCommandsNeverCreateOrMigrateADatabase(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		dbURL, dir := storetest.URL(t, e)
		missing := filepath.Join(dir, "mistyped")
		env := map[string]string{"CREDITPOCKET_DATA": missing, "CREDITPOCKET_DEV": "1"}
		want := missing
		if e == store.Postgres {
			// a fresh, empty schema: a database with no creditpocket tables
			env["CREDITPOCKET_DATABASE_URL"], want = dbURL, "no creditpocket schema"
		}
		for _, args := range dataCommands {
			t.Run(strings.Join(args[:2], " ")+" on a mistyped database fails naming it", func(t *testing.T) {
				out, err := cli(ctx, env, args...)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("%v = %v, want an error naming %q\n%s", args, err, want, out)
				}
				if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("%v created %s", args, missing)
				}
			})
		}
		if e == store.Postgres {
			u, _ := url.Parse(dbURL)
			u.Path = "/creditpocket_mistyped_db"
			env := map[string]string{"CREDITPOCKET_DATA": dir, "CREDITPOCKET_DATABASE_URL": u.String(), "CREDITPOCKET_DEV": "1"}
			for _, args := range dataCommands {
				t.Run(strings.Join(args[:2], " ")+" on a PostgreSQL database that does not exist fails naming it", func(t *testing.T) {
					if out, err := cli(ctx, env, args...); err == nil || !strings.Contains(err.Error(), "creditpocket_mistyped_db") {
						t.Fatalf("%v = %v\n%s", args, err, out)
					}
				})
			}
		}
		if n := schemaTables(t, e, dbURL, dir); n != 0 {
			t.Fatalf("the commands created %d tables", n)
		}

		// A database one migration behind this version.
		env = map[string]string{"CREDITPOCKET_DATA": dir, "CREDITPOCKET_DATABASE_URL": dbURL, "CREDITPOCKET_DEV": "1"}
		if out, err := cli(ctx, env, "migrate"); err != nil {
			t.Fatalf("migrate: %v\n%s", err, out)
		}
		db, err := store.Open(ctx, dbURL, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(ctx, `DELETE FROM schema_migrations WHERE version = 14`); err != nil {
			t.Fatal(err)
		}
		for _, args := range dataCommands {
			t.Run(strings.Join(args[:2], " ")+" on a database behind says to run migrate", func(t *testing.T) {
				out, err := cli(ctx, env, args...)
				if err == nil || !strings.Contains(err.Error(), "run creditpocket migrate") || !strings.Contains(err.Error(), "014_key_check") {
					t.Fatalf("%v = %v\n%s", args, err, out)
				}
			})
		}
		if p, err := db.Pending(ctx); err != nil || len(p) != 1 {
			t.Fatalf("pending after the commands: %v %v, want only 014 (nothing migrated)", p, err)
		}
	})
}

// schemaTables counts the tables of the test's database.
func schemaTables(t *testing.T, e store.Engine, dbURL, dir string) int {
	t.Helper()
	if e == store.SQLite {
		return 0 // the folder's absence is checked
	}
	db, err := store.Open(context.Background(), dbURL, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := db.Pending(context.Background())
	if err == nil {
		return len(p) // schema_migrations exists
	}
	return 0
}

// TestReportNeverOpensADatabase: report parse takes no database flags,
// so a --data it is given is refused and nothing is created.
func TestReportNeverOpensADatabase(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "mistyped")
	out, err := cli(context.Background(), nil, "report", "parse", filepath.Join(reportFixtures, "thin-gopdf-1.pdf"), "--data", missing)
	if err == nil {
		t.Fatalf("report parse took --data:\n%s", out)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("report parse created %s", missing)
	}
}

// TestCOBRefusesABusinessDateThatHasNotEnded: close of business penalises
// loans and sends overdue messages irreversibly, so a date that has not
// ended in the lender's time zone is refused before anything is opened:
// a later date, and today too (closing it early would penalise a borrower
// due yesterday who pays this afternoon; serve closes only yesterday).
// Yesterday is accepted.
func TestCOBRefusesABusinessDateThatHasNotEnded(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newTestApp(t, e)
		env := map[string]string{"CREDITPOCKET_DATA": a.app.Config.DataDir, "CREDITPOCKET_DATABASE_URL": a.app.Config.DatabaseURL, "CREDITPOCKET_DEV": "1"}
		for _, zone := range []string{"Africa/Lagos", "Pacific/Kiritimati", "Pacific/Pago_Pago"} {
			loc, _ := time.LoadLocation(zone)
			today := loan.DateOf(time.Now().In(loc))
			for _, d := range []struct {
				name string
				date loan.Date
			}{{"today", today}, {"tomorrow", today.AddDays(1)}} {
				t.Run(d.name+" in "+zone+" is refused", func(t *testing.T) {
					out, err := cli(context.Background(), env, "cob", "run", "--date", d.date.String(), "--timezone", zone)
					if err == nil || !strings.Contains(err.Error(), "has not ended yet (today is "+today.String()+" in "+zone) {
						t.Fatalf("cob run %s = %v\n%s", d.name, err, out)
					}
				})
			}
		}
		t.Run("a week ahead is refused", func(t *testing.T) {
			lagos, _ := time.LoadLocation("Africa/Lagos")
			week := loan.DateOf(time.Now().In(lagos)).AddDays(7)
			if _, err := cli(context.Background(), env, "cob", "run", "--date", week.String()); err == nil || !strings.Contains(err.Error(), "has not ended") {
				t.Fatalf("cob run a week ahead = %v", err)
			}
		})
		t.Run("yesterday runs", func(t *testing.T) {
			lagos, _ := time.LoadLocation("Africa/Lagos")
			yesterday := loan.DateOf(time.Now().In(lagos)).AddDays(-1)
			if out, err := cli(context.Background(), env, "cob", "run", "--date", yesterday.String()); err != nil || !strings.Contains(out, "cob "+yesterday.String()) {
				t.Fatalf("cob run yesterday = %v\n%s", err, out)
			}
		})
	})
}

// TestCheckoutURLIsThePublicURL: a checkout link starts with --public-url
// when it is set, and otherwise with a URL derived from a host-bearing
// --addr (it used to be http://localhost127.0.0.1:18081/…).
func TestCheckoutURLIsThePublicURL(t *testing.T) {
	for _, tc := range []struct{ addr, public, want string }{
		{"127.0.0.1:18081", "", "http://127.0.0.1:18081/sandbox/checkout/"},
		{"127.0.0.1:18081", "https://pay.example.com/", "https://pay.example.com/sandbox/checkout/"},
	} {
		t.Run("--addr "+tc.addr+" --public-url "+tc.public, func(t *testing.T) {
			a := newLoanAppWith(t, store.SQLite, nil, func(c *config.Config) { c.Addr, c.PublicURL = tc.addr, tc.public })
			tok := a.borrower("07068425023")
			if r := a.applyReq(tok, "301"); r.Status != 200 {
				t.Fatalf("apply = %d %q", r.Status, r.Message)
			}
			a.deliver()
			l := a.latest(tok)
			var c checkout
			a.ok("GET", "/loan/record/repay?id="+l.ID, nil, tok).decode(t, &c)
			if c.CheckoutURL != tc.want+c.Reference {
				t.Fatalf("checkoutUrl %q, want %q", c.CheckoutURL, tc.want+c.Reference)
			}
		})
	}
}

// TestCommandsNeverMakeADevKey: a command run with --dev on a data folder
// that has no dev key says so instead of making one (only serve does).
func TestCommandsNeverMakeADevKey(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		dbURL, dir := storetest.URL(t, e)
		env := map[string]string{"CREDITPOCKET_DATA": dir, "CREDITPOCKET_DATABASE_URL": dbURL, "CREDITPOCKET_DEV": "1"}
		if out, err := cli(context.Background(), env, "migrate"); err != nil {
			t.Fatalf("migrate: %v\n%s", err, out)
		}
		for _, args := range [][]string{{"staff", "list"}, {"risk", "policy", "list"}, {"cob", "run", "--date", "2026-01-02"}} {
			out, err := cli(context.Background(), env, args...)
			if err == nil || !strings.Contains(err.Error(), "no dev key") {
				t.Errorf("%v = %v\n%s", args, err, out)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "keys")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("a command made a dev key (%v)", err)
		}
	})
}

// TestIdempotencyKeyLimits: the Idempotency-Key header is 1–128 visible
// ASCII characters (repay.maxIdempotencyKey); anything else is a 400 naming
// it, never a 500 from a database that refuses the bytes.
func TestIdempotencyKeyLimits(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newLoanApp(t, e, nil)
		tok := a.borrower("07068425023")
		if r := a.applyReq(tok, "301"); r.Status != 200 {
			t.Fatalf("apply = %d %q", r.Status, r.Message)
		}
		a.deliver()
		l := a.latest(tok)
		for _, tc := range []struct {
			name, key string
			status    int
		}{
			{"128 characters are accepted", strings.Repeat("k", 128), 200},
			{"129 characters are refused", strings.Repeat("k", 129), 400},
			{"bytes that are not UTF-8 are refused", "key-\xff\xfe", 400},
			{"non-ASCII letters are refused", "clé-1", 400},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := a.repay(tok, tc.key, map[string]string{"id": l.ID, "amount": "100"})
				if r.Status != tc.status || (tc.status == 400 && !strings.HasPrefix(r.Message, "Idempotency-Key")) {
					t.Fatalf("repay = %d %q, want %d", r.Status, r.Message, tc.status)
				}
			})
		}
	})
}
