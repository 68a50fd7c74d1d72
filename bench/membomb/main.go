// Command membomb fires the memory attacks of the hardening review at a
// running server, all at once: Flate-bomb PDF uploads to the credit-report
// endpoints and large risk events, and prints what came back. The server's
// peak memory is read by the caller (bench/memory-budget.sh) from /proc.
//
//	membomb -url http://127.0.0.1:18183 -id ID -secret S -ops-token T -app 64 -ocr 16 -risk 16
package main

import (
	"bytes"
	"compress/zlib"
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

	bomb := flateBomb(*pages)
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

// flateBomb is a small PDF whose pages each inflate to 32 MiB of blanks,
// the parser's per-stream cap: every page is legal alone, the document
// reaches the parser's total cap on decoded bytes.
func flateBomb(pages int) []byte {
	var z bytes.Buffer
	w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	chunk := bytes.Repeat([]byte{' '}, 1<<20)
	for range 32 {
		_, _ = w.Write(chunk)
	}
	_ = w.Close()
	var b bytes.Buffer
	var offs []int
	obj := func(body string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), body)
	}
	b.WriteString("%PDF-1.7\n")
	kids := make([]string, pages)
	for i := range kids {
		kids[i] = fmt.Sprintf("%d 0 R", 3+2*i)
	}
	obj("<</Type /Catalog /Pages 2 0 R>>")
	obj("<</Type /Pages /Kids [" + strings.Join(kids, " ") + "] /Count " + strconv.Itoa(pages) + " /MediaBox [0 0 595 842]>>")
	for i := range pages {
		obj(fmt.Sprintf("<</Type /Page /Parent 2 0 R /Contents %d 0 R>>", 4+2*i))
		obj(fmt.Sprintf("<</Length %d /Filter /FlateDecode>>\nstream\n%s\nendstream", z.Len(), z.Bytes()))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d /Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
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
