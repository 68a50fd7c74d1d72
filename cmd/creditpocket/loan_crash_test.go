package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

// TestKillNineDuringLoadLosesNothingAcknowledged builds the binary, runs
// serve on a temporary data folder, loads it with applications and
// repayments from several borrowers, kills it with SIGKILL mid-load,
// restarts it, and checks that the ledger verifies clean and that every
// request answered with success is there.
func TestKillNineDuringLoadLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a server: not in -short")
	}
	bin := filepath.Join(t.TempDir(), "creditpocket")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("build: %v", err)
	}
	storetest.Run(t, func(t *testing.T, e store.Engine) { crashUnderLoad(t, bin, e) })
}

func crashUnderLoad(t *testing.T, bin string, e store.Engine) {
	dbURL, data := storetest.URL(t, e)
	// Dev mode for the sandbox providers, with the key in a file as in
	// production (the CLI below runs before serve could make a dev key).
	keyFile := filepath.Join(t.TempDir(), "master.key")
	if err := os.WriteFile(keyFile, []byte(testKeyA+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dbArgs := []string{"--dev", "--encryption-key-file", keyFile, "--data", data}
	if dbURL != "" {
		dbArgs = append(dbArgs, "--database-url", dbURL)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr

	start := func() *exec.Cmd {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"serve", "--addr", addr, "--log-level", "error"}, dbArgs...)...)
		cmd.Env = append(os.Environ(), "CREDITPOCKET_SANDBOX_TRANSFER_DELAY=0s")
		cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if resp, err := http.Get(base + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return cmd
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		cmd.Process.Kill()
		t.Fatal("server did not become ready")
		return nil
	}
	// The load re-borrows as fast as it can; whitelist its borrowers (with
	// the CLI, as an operator would) so velocity rules do not stop it. The
	// CLI works only on a database that exists and is migrated.
	if out, err := exec.Command(bin, append([]string{"migrate"}, dbArgs...)...).CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	const borrowers = 6
	mobile := func(i int) string { return fmt.Sprintf("0803%07d", 1000+i) }
	for i := range borrowers {
		args := append([]string{"risk", "list", "add", "--kind", "phone", "--value", "234" + mobile(i)[1:],
			"--list", "white", "--reason", "crash-test load"}, dbArgs...)
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("whitelist %s: %v\n%s", mobile(i), err, out)
		}
	}
	srv := start()
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })

	c := &crashClient{t: t, base: base}
	tokens := make([]string, borrowers)
	for i := range tokens {
		tokens[i] = c.borrower(mobile(i))
	}

	// acked holds what the server answered with success before the kill.
	var mu sync.Mutex
	ackedLoans := map[string]string{}    // loan id → token
	ackedRepays := map[string]repayAck{} // reference → the request
	ackedPaid := map[string]bool{}       // references whose sandbox payment was accepted
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, tok := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				latest, err := c.latestLoan(tok)
				if err != nil {
					continue // the server is gone or restarting
				}
				switch {
				case latest == nil || latest.Status == 8 || latest.Status == 31:
					id, err := c.apply(tok)
					if err == nil && id != "" {
						mu.Lock()
						ackedLoans[id] = tok
						mu.Unlock()
					}
				case latest.Status == 6:
					key := fmt.Sprintf("b%d-%d", i, n)
					body := map[string]string{"id": latest.ID, "amount": "300000"}
					ref, err := c.repay(tok, key, body)
					if err != nil {
						continue
					}
					mu.Lock()
					ackedRepays[ref] = repayAck{tok, key, body}
					mu.Unlock()
					if c.post("/sandbox/payments/"+ref+"/complete", map[string]string{}, "", nil) == nil {
						mu.Lock()
						ackedPaid[ref] = true
						mu.Unlock()
					}
				default:
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	time.Sleep(3 * time.Second)
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.Wait()
	close(stop)
	wg.Wait()
	if len(ackedLoans) == 0 || len(ackedRepays) == 0 {
		t.Fatalf("the load made %d loans and %d repayments before the kill: too little to test", len(ackedLoans), len(ackedRepays))
	}
	t.Logf("acknowledged before SIGKILL: %d applications, %d repayment checkouts, %d sandbox payments",
		len(ackedLoans), len(ackedRepays), len(ackedPaid))

	srv = start()
	// Every acknowledged application is there.
	for id, tok := range ackedLoans {
		var page struct {
			List []struct {
				ID string `json:"id"`
			} `json:"list"`
		}
		if err := c.get("/loan/record/page?pageSize=100", tok, &page); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, l := range page.List {
			found = found || l.ID == id
		}
		if !found {
			t.Errorf("acknowledged loan %s is missing after the restart", id)
		}
	}
	// Every acknowledged checkout answers again with its reference, and
	// every acknowledged payment is applied once its webhook arrives.
	deadline := time.Now().Add(15 * time.Second)
	for ref, a := range ackedRepays {
		for {
			var got struct {
				Reference string `json:"reference"`
				Status    string `json:"status"`
			}
			err := c.post("/loan/record/repay", a.body, a.token, &got, "Idempotency-Key: "+a.key)
			if err != nil || got.Reference != ref {
				t.Errorf("checkout %s after the restart: %+v %v", ref, got, err)
				break
			}
			// Paid, or credited: a later checkout superseded it before
			// its webhook arrived.
			if !ackedPaid[ref] || got.Status == "success" || got.Status == "credited" {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("acknowledged payment %s still %s after the restart", ref, got.Status)
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()
	out, err := exec.Command(bin, append([]string{"ledger", "verify"}, dbArgs...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ledger verify after the crash: %v\n%s", err, out)
	}
	t.Logf("%s", bytes.TrimSpace(out))
}

type repayAck struct {
	token, key string
	body       map[string]string
}

// crashClient talks to a real server over HTTP, returning errors rather
// than failing, since the server dies mid-test.
type crashClient struct {
	t    *testing.T
	base string
}

func (c *crashClient) do(req *http.Request, out any) error {
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var e struct {
		Code    int             `json:"code"`
		Data    json.RawMessage `json:"data"`
		Message string          `json:"message"`
		Token   string          `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		return err
	}
	if e.Code != 1 {
		return fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Path, e.Code, e.Message)
	}
	if tok, ok := out.(*string); ok && e.Token != "" {
		*tok = e.Token
		return nil
	}
	if out != nil {
		return json.Unmarshal(e.Data, out)
	}
	return nil
}

func (c *crashClient) post(path string, body any, token string, out any, headers ...string) error {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", c.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(k, strings.TrimSpace(v))
	}
	return c.do(req, out)
}

func (c *crashClient) get(path, token string, out any) error {
	req, _ := http.NewRequest("GET", c.base+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return c.do(req, out)
}

func (c *crashClient) borrower(mobile string) string {
	c.t.Helper()
	must := func(err error) {
		if err != nil {
			c.t.Fatal(err)
		}
	}
	must(c.post("/sms/code", map[string]string{"mobile": mobile, "type": "register"}, "", nil))
	var sms struct {
		List []struct {
			Content string `json:"content"`
		} `json:"list"`
	}
	must(c.get("/sandbox/sms?phone=234"+strings.TrimPrefix(mobile, "0"), "", &sms))
	code := codeRE.FindStringSubmatch(sms.List[0].Content)[1]
	var tok string
	must(c.post("/user/register", map[string]string{"mobile": mobile, "code": code, "password": "s3cret-pass"}, "", &tok))
	must(c.post("/user/info/basic", personBasic(mobile), tok, nil))
	must(c.post("/user/info/contacts", personContacts(mobile), tok, nil))
	must(c.post("/user/info/work", workBody(), tok, nil))
	must(c.post("/user/bankcard", personCard(mobile), tok, nil))
	return tok
}

type crashLoan struct {
	ID     string `json:"id"`
	Status int    `json:"status"`
}

func (c *crashClient) latestLoan(tok string) (*crashLoan, error) {
	var l *crashLoan
	return l, c.get("/loan/record/latest", tok, &l)
}

func (c *crashClient) apply(tok string) (string, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("id", "301")
	_ = w.Close()
	req, _ := http.NewRequest("POST", c.base+"/loan/record/apply", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tok)
	var page struct {
		List []crashLoan `json:"list"`
	}
	if err := c.do(req, &page); err != nil || len(page.List) == 0 {
		return "", err
	}
	return page.List[0].ID, nil
}

func (c *crashClient) repay(tok, key string, body map[string]string) (string, error) {
	var got struct {
		Reference string `json:"reference"`
	}
	err := c.post("/loan/record/repay", body, tok, &got, "Idempotency-Key: "+key)
	return got.Reference, err
}
