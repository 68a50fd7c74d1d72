// Command membomb fires the memory attacks of the hardening review at a
// running server, all at once: Flate-bomb PDF uploads to the credit-report
// endpoints and large risk events, and prints what came back. The server's
// peak memory is read by the caller (bench/memory-budget.sh) from /proc.
//
//	membomb -url http://127.0.0.1:18183 -id ID -secret S -ops-token T -app 64 -ocr 16 -risk 16
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"mime/multipart"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"creditpocket/internal/pdf/pdftest"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "server base URL")
	id := flag.String("id", "", "partner id (scopes ocr and risk)")
	secret := flag.String("secret", "", "partner secret")
	opsToken := flag.String("ops-token", "", "operator token, for the borrower upload endpoint")
	app := flag.Int("app", 0, "concurrent bomb uploads to POST /ops/borrowers/1/credit-report (the app's upload handler)")
	ocr := flag.Int("ocr", 0, "concurrent bomb uploads to the OCR partner API")
	riskN := flag.Int("risk", 0, "concurrent risk events of -risk-size bytes")
	riskSize := flag.Int("risk-size", 40_000_000, "bytes of each risk event")
	pages := flag.Int("pages", 10, "pages of the bomb, each inflating to 32 MiB of blanks")
	flag.Parse()

	bomb := pdftest.FlateBomb(*pages)
	fmt.Printf("bomb: %d pages, %d KB, inflating to %d MiB\n", *pages, len(bomb)>>10, *pages*32)
	var (
		mu     sync.Mutex
		counts = map[string]int{}
		wg     sync.WaitGroup
	)
	client := &http.Client{Timeout: 5 * time.Minute}
	send := func(api string, req *http.Request) {
		defer wg.Done()
		resp, err := client.Do(req)
		key := api + " "
		if err != nil {
			key += "error"
		} else {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			key += strconv.Itoa(resp.StatusCode)
		}
		mu.Lock()
		counts[key]++
		mu.Unlock()
	}
	upload := func(path string, headers ...string) *http.Request {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "report.pdf")
		_, _ = fw.Write(bomb)
		_ = mw.Close()
		req, err := http.NewRequest("POST", *url+path, &body)
		if err != nil {
			log.Fatal(err)
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		for _, h := range headers {
			k, v, _ := strings.Cut(h, ": ")
			req.Header.Set(k, v)
		}
		return req
	}
	start := time.Now()
	for range *app {
		wg.Add(1)
		go send("app", upload("/ops/borrowers/1/credit-report", "Authorization: Bearer "+*opsToken))
	}
	for range *ocr {
		wg.Add(1)
		go send("ocr", upload("/ocr/v2/pdf_credit_report_org", "X-API-ID: "+*id, "X-API-SECRET: "+*secret))
	}
	for range *riskN {
		req, err := http.NewRequest("POST", *url+"/credit/fraud/v1", riskBody(*riskSize))
		if err != nil {
			log.Fatal(err)
		}
		req.ContentLength = int64(*riskSize)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-API-ID", *id)
		req.Header.Set("X-API-SECRET", *secret)
		wg.Add(1)
		go send("risk", req)
	}
	wg.Wait()
	var keys []string
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Printf("%d requests in %v:", *app+*ocr+*riskN, time.Since(start).Round(time.Millisecond))
	for _, k := range keys {
		fmt.Printf(" %s×%d", k, counts[k])
	}
	fmt.Println()
	if counts["app error"]+counts["ocr error"]+counts["risk error"] > 0 {
		os.Exit(1)
	}
}

// riskBody streams a risk event of size bytes (a huge name) without
// holding it.
func riskBody(size int) io.Reader {
	head := `{"event_type":"Loan","event_time":"` + time.Now().Format(time.RFC3339) + `","profile":{"name":"`
	tail := `"}}`
	return io.MultiReader(strings.NewReader(head), io.LimitReader(blanks{}, int64(size-len(head)-len(tail))), strings.NewReader(tail))
}

type blanks struct{}

func (blanks) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}
