// Command riskload is an open-loop load generator for the risk-decision
// API (POST /credit/fraud/v1): it sends Loan events at a fixed rate,
// whatever the server's latency, and reports the achieved rate and latency
// percentiles. Latency is measured from when each request was due, not
// when it was sent, so a stalled server cannot hide its queueing
// (coordinated omission).
//
//	go run ./bench/riskload -url http://127.0.0.1:18182 -id ID -secret SECRET -rate 1000 -duration 30s
//
// Events vary the BVN, phone, device and IP over pools, so velocity
// counts, list look-ups and the contact index see realistic key spread.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "server base URL")
	id := flag.String("id", "", "partner id")
	secret := flag.String("secret", "", "partner secret")
	rate := flag.Int("rate", 1000, "requests per second")
	duration := flag.Duration("duration", 30*time.Second, "measured duration")
	warmup := flag.Duration("warmup", 5*time.Second, "unmeasured warm-up at the same rate")
	borrowers := flag.Int("borrowers", 20000, "distinct BVNs in the event pool")
	inFlight := flag.Int("max-in-flight", 1024, "requests outstanding at most; more are counted as dropped")
	flag.Parse()
	if *id == "" || *secret == "" || *rate <= 0 {
		fmt.Fprintln(os.Stderr, "riskload: -id, -secret and a positive -rate are required")
		os.Exit(2)
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *inFlight, MaxConnsPerHost: *inFlight}}
	endpoint := *url + "/credit/fraud/v1"
	run := func(d time.Duration, measure bool) result {
		return load(client, endpoint, *id, *secret, *rate, d, *borrowers, *inFlight, measure)
	}
	if *warmup > 0 {
		run(*warmup, false)
	}
	r := run(*duration, true)
	r.print(os.Stdout, *rate, *duration)
	if r.errors > 0 || r.dropped > 0 {
		os.Exit(1)
	}
}

type result struct {
	latencies []time.Duration
	sent      int
	errors    int
	dropped   int
	decisions map[string]int
	firstErr  string
	elapsed   time.Duration
}

func load(client *http.Client, endpoint, id, secret string, rate int, d time.Duration, borrowers, inFlight int, measure bool) result {
	var (
		mu  sync.Mutex
		res = result{decisions: map[string]int{}}
		wg  sync.WaitGroup
		sem = make(chan struct{}, inFlight)
	)
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	n := int(d / interval)
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		select {
		case sem <- struct{}{}:
		default:
			res.dropped++
			continue
		}
		res.sent++
		body := event(rand.IntN(borrowers))
		wg.Go(func() {
			defer func() { <-sem }()
			decision, err := post(client, endpoint, id, secret, body)
			lat := time.Since(due)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.errors++
				if res.firstErr == "" {
					res.firstErr = err.Error()
				}
				return
			}
			res.decisions[decision]++
			if measure {
				res.latencies = append(res.latencies, lat)
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

func post(client *http.Client, endpoint, id, secret string, body []byte) (string, error) {
	req, err := http.NewRequestWithContext(context.Background(), "POST", endpoint, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-ID", id)
	req.Header.Set("X-API-SECRET", secret)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	var a struct {
		Success       bool   `json:"success"`
		FinalDecision string `json:"final_decision"`
		Message       string `json:"message"`
	}
	if err := json.Unmarshal(raw, &a); err != nil || resp.StatusCode != 200 || !a.Success {
		return "", fmt.Errorf("status %d: %.200s", resp.StatusCode, raw)
	}
	return a.FinalDecision, nil
}

// event is a valid Loan event for borrower n of the pool.
func event(n int) []byte {
	return fmt.Appendf(nil, `{"event_time":%q,"event_type":"Loan","scenario":"cashloan","order_id":"LOAD-%d-%d",
"terminal":{"ip":"10.%d.%d.%d","black_box":"bb-%d"},
"account":{"account_id":"U%d","phone":"+234803%07d","email":"b%d@example.com"},
"profile":{"name":"Load Borrower","phone":{"country_code":234,"phone_number":"803%07d"},
"id":{"id_country":"NG","id_type":"others","id_number":"2%010d","valid_date":"2030-01-01"},
"email":"b%d@example.com","sex":"female","birthdate":"1990-01-15","marital_status":"single","education":"bachelor","nationality":"NG"},
"contact":[{"name":"C1","phone":{"country_code":234,"phone_number":"805%07d"},"relationship":"parent"},
{"name":"C2","phone":{"country_code":234,"phone_number":"806%07d"},"relationship":"friend"}],
"card":{"bank_name":"Access Bank","card_number":"01%08d"}}`,
		time.Now().UTC().Format(time.RFC3339), n, rand.Int(), n%200, n/200%200, n%7, n%5000,
		n, n, n, n, n, n, n%3000, rand.IntN(1_000_000), n)
}

func (r result) print(w io.Writer, rate int, d time.Duration) {
	lat := r.latencies
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	fmt.Fprintf(w, "target %d req/s for %s: sent %d, ok %d, errors %d, dropped %d, achieved %.0f req/s\n",
		rate, d, r.sent, len(lat), r.errors, r.dropped, float64(len(lat))/r.elapsed.Seconds())
	fmt.Fprintf(w, "latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms\n",
		ms(pct(0.50)), ms(pct(0.90)), ms(pct(0.99)), ms(pct(0.999)), ms(pct(1)))
	fmt.Fprintf(w, "decisions %v\n", r.decisions)
	if r.firstErr != "" {
		fmt.Fprintf(w, "first error: %s\n", r.firstErr)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
