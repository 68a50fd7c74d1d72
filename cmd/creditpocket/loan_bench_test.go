package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"creditpocket/internal/loan"
	"creditpocket/internal/store"
	"creditpocket/internal/store/loandb"
	"creditpocket/internal/store/storetest"
)

// BenchmarkLoanApply measures apply → risk decision → persisted (with the
// payout queued) through the real HTTP handler over loopback, one fresh
// borrower per application (a borrower may hold one unfinished loan). It
// reports applies/s, latency percentiles and the machine's CPU per
// application; run it with bench/loan-apply.sh.
//
// The timed applications follow CREDITPOCKET_BENCH_WARMUP (default 1000)
// untimed ones by other borrowers and an ANALYZE, as on a lender's
// database that has been taking applications for a while: from empty
// tables, PostgreSQL's statistics change with every few hundred rows,
// and each change makes every connection plan its statements again.
// CREDITPOCKET_BENCH_CONCURRENCY sets the requests in flight (default 16);
// CREDITPOCKET_BENCH_PHOTOS=0 applies without the photo.
func BenchmarkLoanApply(b *testing.B) {
	inFlight := envInt("CREDITPOCKET_BENCH_CONCURRENCY", 16)
	warmup := envInt("CREDITPOCKET_BENCH_WARMUP", 1000)
	photo := os.Getenv("CREDITPOCKET_BENCH_PHOTOS") != "0"
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			a := newLoanApp(b, e, nil)
			a.app.Server.Accounts.Config.OTPDailyPerIP = 1 << 30
			tokens := make([]string, warmup+b.N)
			for i := range tokens {
				tokens[i] = a.borrower(fmt.Sprintf("0809%07d", i))
				// As the app does after binding a card (检查及创建转移收件人),
				// so the application finds the payout recipient registered.
				a.ok("POST", "/user/transferRecipient", map[string]string{}, tokens[i])
			}
			applyAll := func(tokens []string, lat []time.Duration) {
				var next atomic.Int64
				var wg sync.WaitGroup
				for range inFlight {
					wg.Go(func() {
						for {
							i := int(next.Add(1) - 1)
							if i >= len(tokens) {
								return
							}
							t0 := time.Now()
							r := a.applyWith(tokens[i], "301", photo)
							lat[i] = time.Since(t0)
							if r.Status != 200 {
								b.Errorf("apply %d = %d %q", i, r.Status, r.Message)
							}
						}
					})
				}
				wg.Wait()
			}
			applyAll(tokens[:warmup], make([]time.Duration, warmup))
			if _, err := a.app.DB.Exec(context.Background(), `ANALYZE`); err != nil {
				b.Fatal(err)
			}
			lat := make([]time.Duration, b.N)
			b.ResetTimer()
			busy0, db0 := machineBusy(), a.app.DB.Stats()
			start := time.Now()
			applyAll(tokens[warmup:], lat)
			elapsed := time.Since(start)
			busy, db := machineBusy()-busy0, a.app.DB.Stats().Sub(db0)
			b.StopTimer()
			slices.Sort(lat)
			pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "applies/s")
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			if busy > 0 {
				b.ReportMetric(float64(busy.Microseconds())/1000/float64(b.N), "cpu-ms/apply")
			}
			if e == store.Postgres { // everything the database was asked meanwhile, per application
				b.ReportMetric(float64(db.Statements)/float64(b.N), "stmts/apply")
				b.ReportMetric(float64(db.RoundTrips)/float64(b.N), "round-trips/apply")
				b.ReportMetric(float64(db.Commits)/float64(b.N), "commits/apply")
			}
		})
	}
}

// machineBusy is the CPU time all of the machine's processes (server,
// database, load generator) have used since boot, read from /proc/stat;
// 0 where there is none. On a shared machine, throughput swings with the
// neighbours; the CPU an application costs moves much less, and it says
// what the cores can carry: 2 cores / cpu-ms per apply.
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal …
	if len(f) < 8 || f[0] != "cpu" {
		return 0
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7} { // user, nice, system, irq, softirq
		n, _ := strconv.ParseInt(f[i], 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// BenchmarkCloseOfBusiness runs the overdue job over many owing loans past
// due: CREDITPOCKET_BENCH_COB_LOANS of them (default 20,000), cloned from
// one real disbursed loan by doubling INSERT … SELECT. Each iteration is
// one more business date, so every loan accrues once per iteration. Run it
// with bench/cob.sh.
func BenchmarkCloseOfBusiness(b *testing.B) {
	want := envInt("CREDITPOCKET_BENCH_COB_LOANS", 20_000)
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			lagos, _ := time.LoadLocation("Africa/Lagos")
			c := &clock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, lagos)}
			a := newLoanApp(b, e, c)
			tok := a.borrower("07068425023")
			a.applyReq(tok, "301")
			a.deliver()
			n := cloneLoans(b, a.app.DB, want)
			ctx := context.Background()
			due, _ := loan.ParseDate("2026-01-08")
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				res, err := a.app.COB.CloseOfBusiness(ctx, loandb.NewLeases(a.app.DB), due.AddDays(i+1), "bench")
				if err != nil {
					b.Fatal(err)
				}
				if res.Loans != n {
					b.Fatalf("close of business saw %d loans, want %d", res.Loans, n)
				}
			}
			elapsed := time.Since(start)
			b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "loans/s")
			b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/run")
		})
	}
}

// cloneLoans doubles the loans table until it holds at least want rows
// (clones are nobody's unfinished loan, so the one-per-borrower rule does
// not apply to them) and returns the count.
func cloneLoans(b *testing.B, db *store.DB, want int) int {
	b.Helper()
	ctx := context.Background()
	list := loanCloneColumns
	var n int
	for {
		err := db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, tx *store.Tx) error {
			return tx.QueryRow(ctx, `SELECT COUNT(*) FROM loans`).Scan(&n)
		})
		if err != nil {
			b.Fatal(err)
		}
		if n >= want {
			return n
		}
		limit := min(n, want-n)
		err = db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO loans (`+list+`) SELECT `+list+` FROM loans ORDER BY id LIMIT $1`, limit)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// loanCloneColumns are the loan columns copied to clones: all but the id
// and the one-unfinished-loan-per-borrower marker.
const loanCloneColumns = "user_id, product_id, product_json, currency, cycle, balance, actual_quote, service_fee, interest, " +
	"prefix_fee, suffix_fee, shouldback_fee, penalty_cap, status, audit_risk_status, audit_risk_reason, audit_risk_detail, " +
	"risk_score, audit_user_id, audit_user_reason, audit_user_at, out_principal, out_interest, out_fee, out_penalty, paid_out, " +
	"received, penalty_charged, credit, written_off, extensions, over_days, accrued_through, due_date, apply_terminal, " +
	"loan_count, photos, card_id, bank_code, bank_name, account_mask, account_name, pan_mask, recipient_code, disbursements, " +
	"applied_at, decided_at, disbursed_at, initial_due_at, due_at, last_paid_at, closed_at, updated_at, version"

// envInt reads a positive whole number from the environment.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
