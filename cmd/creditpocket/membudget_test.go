package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"creditpocket/internal/config"
	"creditpocket/internal/partner"
	"creditpocket/internal/pdf/pdftest"
	"creditpocket/internal/store"
)

// riskBody streams a risk event of size bytes (a huge name) without
// holding it: the client must not be what measures big.
func riskBody(size int) io.Reader {
	head := `{"event_type":"Loan","event_time":"` + time.Now().Format(time.RFC3339) + `","profile":{"name":"`
	tail := `"}}`
	return io.MultiReader(strings.NewReader(head), io.LimitReader(repeatReader('a'), int64(size-len(head)-len(tail))), strings.NewReader(tail))
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// rssSampler records the process's peak resident set while it runs.
type rssSampler struct {
	peak atomic.Int64
	stop chan struct{}
	done sync.WaitGroup
}

func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func sampleRSS() *rssSampler {
	s := &rssSampler{stop: make(chan struct{})}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			if r := residentBytes(); r > s.peak.Load() {
				s.peak.Store(r)
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *rssSampler) Stop() int64 { close(s.stop); s.done.Wait(); return s.peak.Load() }

// TestMemoryBudgetHoldsUnderConcurrentBombs fires the attacks that drove
// the server to gigabytes: 64 concurrent Flate-bomb uploads to the app's
// /user/credit/report, 16 to the OCR partner API, and 16 concurrent 40 MB
// risk events. Every answer is the parser's refusal or a 503 with
// Retry-After in the API's own vocabulary; the budget's own accounting
// never exceeds it, and the process's resident memory stays within the
// budget plus a margin of its baseline.
func TestMemoryBudgetHoldsUnderConcurrentBombs(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self/statm")
	}
	if testing.Short() {
		t.Skip("fires about 2.5 GB of decoded bombs")
	}
	const budget = 256 << 20
	a := newTestAppWith(t, store.SQLite, func(c *config.Config) { c.MemoryBudget = budget })
	ctx := context.Background()
	ocr, ocrSecret, err := a.app.Partners.Create(ctx, partner.CreateInput{Name: "ocr", Scopes: []partner.Scope{partner.ScopeOCR}, RatePerSecond: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	rk, rkSecret, err := a.app.Partners.Create(ctx, partner.CreateInput{Name: "risk", Scopes: []partner.Scope{partner.ScopeRisk}, RatePerSecond: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	token := a.signUp("07068425023")
	bomb := pdftest.FlateBomb(10)
	mem := a.app.Server.Memory

	type answer struct {
		api        string
		status     int
		retryAfter string
		body       string
	}
	var (
		mu      sync.Mutex
		answers []answer
		wg      sync.WaitGroup
	)
	send := func(api string, req *http.Request) {
		defer wg.Done()
		resp, err := a.srv.Client().Do(req)
		if err != nil {
			t.Errorf("%s: %v", api, err)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		mu.Lock()
		answers = append(answers, answer{api, resp.StatusCode, resp.Header.Get("Retry-After"), string(body)})
		mu.Unlock()
	}
	upload := func(path string, headers ...string) *http.Request {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "report.pdf")
		_, _ = fw.Write(bomb)
		_ = mw.Close()
		req, _ := http.NewRequest("POST", a.srv.URL+path, &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		for _, h := range headers {
			k, v, _ := strings.Cut(h, ": ")
			req.Header.Set(k, v)
		}
		return req
	}

	runtime.GC()
	debug.FreeOSMemory()
	// As serve does: a soft memory limit of the baseline, the budget and
	// some headroom, so garbage of finished requests is collected in time.
	prev := debug.SetMemoryLimit(-1)
	softMemoryLimit(budget, func(string) (string, bool) { return "", false }, slog.New(slog.DiscardHandler))
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	baseline := residentBytes()
	mem.ResetPeak()
	rss := sampleRSS()
	start := time.Now()
	for range 64 {
		wg.Add(1)
		go send("app", upload("/user/credit/report", "Authorization: Bearer "+token))
	}
	for range 16 {
		wg.Add(1)
		go send("ocr", upload("/ocr/v2/pdf_credit_report_org", "X-API-ID: "+ocr.ID, "X-API-SECRET: "+ocrSecret))
	}
	for range 16 {
		req, _ := http.NewRequest("POST", a.srv.URL+"/credit/fraud/v1", riskBody(40_000_000))
		req.ContentLength = 40_000_000
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-API-ID", rk.ID)
		req.Header.Set("X-API-SECRET", rkSecret)
		wg.Add(1)
		go send("risk", req)
	}
	wg.Wait()
	peakRSS := rss.Stop()
	t.Logf("%d requests in %v: budget peak %d MiB of %d MiB, %d refused; RSS baseline %d MiB, peak %d MiB (+%d MiB)",
		len(answers), time.Since(start).Round(time.Millisecond), mem.Peak()>>20, budget>>20, mem.Refused(), baseline>>20, peakRSS>>20, (peakRSS-baseline)>>20)

	counts := map[string]int{}
	for _, ans := range answers {
		counts[fmt.Sprintf("%s %d", ans.api, ans.status)]++
		if ans.status == http.StatusServiceUnavailable {
			if ans.retryAfter == "" {
				t.Errorf("%s 503 without Retry-After: %s", ans.api, ans.body)
			}
			want := map[string]string{"app": `"code":5030`, "ocr": `"status":"UNAVAILABLE"`, "risk": `"reason_code":"service_unavailable"`}[ans.api]
			if !strings.Contains(ans.body, want) {
				t.Errorf("%s 503 = %s; want %s", ans.api, ans.body, want)
			}
			continue
		}
		// A bomb that got its share is refused by the parser's caps.
		want := map[string]string{"app": `exceeds`, "ocr": `"status":"INVALID_ARGUMENT"`, "risk": `"success":false`}[ans.api]
		if ans.status != http.StatusBadRequest || !strings.Contains(ans.body, want) {
			t.Errorf("%s = %d %.200s; want 400 (%s) or 503", ans.api, ans.status, ans.body, want)
		}
	}
	t.Logf("answers: %v", counts)
	if len(answers) != 96 {
		t.Fatalf("%d answers, want 96", len(answers))
	}
	if mem.Peak() > budget {
		t.Errorf("the budget's peak %d exceeds its size %d", mem.Peak(), budget)
	}
	if mem.InUse() != 0 {
		t.Errorf("%d bytes still held after every request ended", mem.InUse())
	}
	// The budget's own accounting above is the exact check. Resident
	// memory also holds what the budget does not charge (connections
	// waiting for their 503, goroutine stacks, the client's side of this
	// test) and the garbage of finished requests until the collector,
	// held to serve's soft memory limit, reaches it: measured +280 to
	// +352 MiB over the baseline for this 256 MiB budget on the shared
	// 2-core machine. Without the budget the same attack grows by about
	// 390 MiB per concurrent bomb (docs/performance.md). Under -race
	// (+1,114 MiB measured) resident memory says nothing, and is only
	// logged.
	if limit := int64(budget + 256<<20); peakRSS-baseline > limit && !raceEnabled {
		t.Errorf("resident memory grew by %d MiB, over the budget plus 256 MiB (%d MiB)", (peakRSS-baseline)>>20, limit>>20)
	}
	if status, body := a.raw("GET", "/metrics", nil); status != 200 || !bytes.Contains(body, []byte("creditpocket_memory_budget_in_use_bytes 0")) ||
		!bytes.Contains(body, []byte("creditpocket_memory_budget_bytes 2.68435456e+08")) {
		t.Errorf("/metrics lacks the budget gauges: %d", status)
	}
}

// TestALoanApplicationWaitsForTheBudgetThenIsAskedToRetry: the photos of
// an application are read within the memory budget; with the budget full
// the application waits, is answered 503 (5030) and nothing is applied;
// once there is room it goes through.
func TestALoanApplicationWaitsForTheBudgetThenIsAskedToRetry(t *testing.T) {
	a := newLoanApp(t, store.SQLite, nil)
	token := a.signUp("07068425023")
	mem := a.app.Server.Memory
	hog := mem.Lease(context.Background())
	if err := hog.Grow(mem.Size()); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if r := a.applyReq(token, "301"); r.Status != http.StatusServiceUnavailable || r.Code != 5030 || !strings.Contains(r.Message, "retry") {
		t.Fatalf("apply with the budget full = %d %d %q; want 503 5030", r.Status, r.Code, r.Message)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Fatalf("answered after %v, without waiting for room", waited)
	}
	if mem.InUse() != mem.Size() {
		t.Fatalf("the refused application still holds %d bytes", mem.InUse()-mem.Size())
	}
	hog.Close()
	if r := a.applyReq(token, "301"); r.Status == http.StatusServiceUnavailable {
		t.Fatalf("apply with room = %d %q", r.Status, r.Message)
	}
	if mem.InUse() != 0 {
		t.Fatalf("%d bytes held after the application", mem.InUse())
	}
}

// TestABombAloneIsTheFilesFault: a decompression bomb whose decoding would
// need more than the whole budget is refused as a bad file (400), not as
// a busy server (503 with Retry-After, which invites the same upload
// again), even with nothing else running.
func TestABombAloneIsTheFilesFault(t *testing.T) {
	a := newTestAppWith(t, store.SQLite, func(c *config.Config) { c.MemoryBudget = 64 << 20 })
	token := a.signUp("07068425024")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "report.pdf")
	_, _ = fw.Write(pdftest.FlateBomb(10))
	_ = mw.Close()
	status, resp := a.raw("POST", "/user/credit/report", body.Bytes(), "Content-Type: "+mw.FormDataContentType(), "Authorization: Bearer "+token)
	if status != http.StatusBadRequest && status != http.StatusRequestEntityTooLarge {
		t.Fatalf("a lone bomb = %d %s; want 400 or 413", status, resp)
	}
	if mem := a.app.Server.Memory; mem.InUse() != 0 {
		t.Errorf("%d bytes still held after the request", mem.InUse())
	}
}
