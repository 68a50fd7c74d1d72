package loandb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"creditpocket/internal/bookstats"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/store"
)

// BookStats computes the dashboard's figures for the whole business days
// q.From..q.To in loc, the lender's business time zone (see package
// bookstats and docs/dashboard.md for each figure's definition):
//
//   - Applications: loans whose applied_at falls in the day.
//   - Approved / Rejected: loans whose latest decision (decided_at,
//     automatic or manual) falls in the day and approved (auditRiskStatus
//     2) or rejected (−1) them.
//   - Disbursed: the principal of loans whose payout was confirmed in the
//     day (disbursed_at) — the ledger's principal receivable debits, set in
//     the same transaction.
//   - Repaid: what successful repayment and extension payments collected
//     in the day (payments.paid at updated_at, which is when the payment
//     left pending and its ledger transaction was booked).
//   - As of now: open loans (status 6, 7, 9) and everything they owe;
//     overdue loans (status 7) by overDays bucket; loans in manual review.
//   - DecisionMix: the period's applications by the automatic decision's
//     recorded reason (the deciding rule's reason). The decision is made
//     in the application request, so its time is applied_at; a loan a
//     reviewer decided later counts as the Review its rule gave.
//
// Every figure is an aggregate over an index made for it (migration
// 008_bookstats), and the statements run concurrently on separate
// connections, so they are not one snapshot: a loan disbursed while the
// dashboard is computed may show in one figure and not yet in another.
func (s *Store) BookStats(ctx context.Context, q bookstats.Query, loc *time.Location) (*bookstats.Book, error) {
	bounds, err := q.Bounds(loc)
	if err != nil {
		return nil, err
	}
	n := len(bounds) - 1
	b := &bookstats.Book{
		Query:          q,
		Zone:           loc.String(),
		Days:           make([]bookstats.Day, n),
		OverdueBuckets: bookstats.DPDBuckets(),
		GeneratedAt:    time.Now().In(loc),
	}
	for i := range b.Days {
		b.Days[i].Date = bounds[i]
	}
	days, dayArgs := dayTable(bounds)

	// Each part writes only its own fields of b, so they can run at once.
	mix := map[ruleKey]int64{}
	parts := []func(context.Context, *store.Tx) error{
		func(ctx context.Context, t *store.Tx) error { return applications(ctx, t, days, dayArgs, b.Days, mix) },
		func(ctx context.Context, t *store.Tx) error { return decisions(ctx, t, days, dayArgs, b.Days) },
		func(ctx context.Context, t *store.Tx) error { return disbursed(ctx, t, days, dayArgs, b.Days) },
		func(ctx context.Context, t *store.Tx) error { return repaid(ctx, t, days, dayArgs, b.Days) },
		func(ctx context.Context, t *store.Tx) error { return openBook(ctx, t, b) },
		func(ctx context.Context, t *store.Tx) error { return payoutsOpen(ctx, t, q.StuckBefore, b) },
	}
	failed := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, part := range parts {
		wg.Go(func() { failed[i] = s.db.Read(ctx, part) })
	}
	wg.Wait()
	for i, err := range failed {
		if err != nil {
			return nil, fmt.Errorf("store: book stats (part %d): %w", i+1, err)
		}
	}
	b.DecisionMix = sortedMix(mix)
	return b, nil
}

// dayTable is a common table expression d(i, lo, hi) of the period's days
// as [lo, hi) Unix-millisecond ranges. Joining a table to it walks one
// index range per day, and stays right across clock changes, where a day
// is not 24 hours.
func dayTable(bounds []time.Time) (string, []any) {
	var sb strings.Builder
	args := make([]any, 0, 3*(len(bounds)-1))
	sb.WriteString(`WITH d (i, lo, hi) AS (VALUES `)
	for i := range len(bounds) - 1 {
		if i > 0 {
			sb.WriteString(", ")
		}
		n := len(args)
		fmt.Fprintf(&sb, "(CAST($%d AS INTEGER), CAST($%d AS BIGINT), CAST($%d AS BIGINT))", n+1, n+2, n+3)
		args = append(args, i, bounds[i].UnixMilli(), bounds[i+1].UnixMilli())
	}
	sb.WriteString(`) `)
	return sb.String(), args
}

// ruleKey groups the decision mix.
type ruleKey struct{ rule, decision string }

// automaticDecision is the application's automatic decision as a
// bookstats decision: a loan a reviewer decided (audit_user_at set) was
// referred to review, whatever the reviewer then did.
const automaticDecision = `CASE WHEN l.audit_user_at > 0 THEN 1 ELSE l.audit_risk_status END`

func decisionName(code int) string {
	switch loan.AuditRiskStatus(code) {
	case loan.AuditApproved:
		return bookstats.Accept
	case loan.AuditRejected:
		return bookstats.Reject
	case loan.AuditReview:
		return bookstats.Review
	}
	return "" // not decided yet
}

// applications counts the applications of each day and, over the period,
// their automatic decisions by reason.
func applications(ctx context.Context, t *store.Tx, days string, args []any, out []bookstats.Day, mix map[ruleKey]int64) error {
	rows, err := t.Query(ctx, days+`SELECT d.i, `+automaticDecision+`, l.audit_risk_reason, COUNT(*)
		FROM d JOIN loans l ON l.applied_at >= d.lo AND l.applied_at < d.hi
		GROUP BY d.i, `+automaticDecision+`, l.audit_risk_reason`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			i, code int
			reason  string
			count   int64
		)
		if err := rows.Scan(&i, &code, &reason, &count); err != nil {
			return err
		}
		if err := inPeriod(i, out); err != nil {
			return err
		}
		out[i].Applications += count
		if d := decisionName(code); d != "" {
			mix[ruleKey{reason, d}] += count
		}
	}
	return rows.Err()
}

// decisions counts each day's approvals and rejections.
func decisions(ctx context.Context, t *store.Tx, days string, args []any, out []bookstats.Day) error {
	rows, err := t.Query(ctx, days+fmt.Sprintf(`SELECT d.i, l.audit_risk_status, COUNT(*)
		FROM d JOIN loans l ON l.decided_at >= d.lo AND l.decided_at < d.hi
		WHERE l.decided_at > 0 AND l.audit_risk_status IN (%d, %d)
		GROUP BY d.i, l.audit_risk_status`, loan.AuditApproved, loan.AuditRejected), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var i, status int
		var count int64
		if err := rows.Scan(&i, &status, &count); err != nil {
			return err
		}
		if err := inPeriod(i, out); err != nil {
			return err
		}
		if loan.AuditRiskStatus(status) == loan.AuditApproved {
			out[i].Approved = count
		} else {
			out[i].Rejected = count
		}
	}
	return rows.Err()
}

// disbursed sums each day's confirmed payouts' principal.
func disbursed(ctx context.Context, t *store.Tx, days string, args []any, out []bookstats.Day) error {
	return dailySums(ctx, t, days+`SELECT d.i, COUNT(*), `+wideSum("l.balance")+`
		FROM d JOIN loans l ON l.disbursed_at >= d.lo AND l.disbursed_at < d.hi
		WHERE l.disbursed_at > 0
		GROUP BY d.i`, args, out, func(d *bookstats.Day, n int64, m ledger.Money) { d.DisbursedLoans, d.Disbursed = n, m })
}

// repaidSQL spells the payment kinds and status as literals so the
// planner can use the partial index payments_collected, whose predicate
// is the same.
var repaidSQL = fmt.Sprintf(`SELECT d.i, COUNT(*), %s
		FROM d JOIN payments p ON p.updated_at >= d.lo AND p.updated_at < d.hi
		WHERE p.status = '%s' AND p.kind IN ('%s', '%s')
		GROUP BY d.i`, wideSum("p.paid"), loan.PaySuccess, loan.PayRepayment, loan.PayExtension)

// repaid sums each day's cash collected from borrowers.
func repaid(ctx context.Context, t *store.Tx, days string, args []any, out []bookstats.Day) error {
	return dailySums(ctx, t, days+repaidSQL, args, out, func(d *bookstats.Day, n int64, m ledger.Money) { d.Repayments, d.Repaid = n, m })
}

// dailySums reads (day, count, amount) rows into out with set.
func dailySums(ctx context.Context, t *store.Tx, q string, args []any, out []bookstats.Day, set func(*bookstats.Day, int64, ledger.Money)) error {
	rows, err := t.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		var count, hi, lo int64
		if err := rows.Scan(&i, &count, &hi, &lo); err != nil {
			return err
		}
		if err := inPeriod(i, out); err != nil {
			return err
		}
		set(&out[i], count, bookstats.FromParts(hi, lo))
	}
	return rows.Err()
}

func inPeriod(i int, days []bookstats.Day) error {
	if i < 0 || i >= len(days) {
		return fmt.Errorf("day %d outside the period's %d days", i, len(days))
	}
	return nil
}

// openBookSQL groups the open loans: -1 for those not overdue, else the
// index of their days-past-due bucket. The statuses are literals so the
// planner can use the partial index loans_owing.
var openBookSQL = fmt.Sprintf(`SELECT CASE WHEN status <> %d THEN -1 %s END, COUNT(*), %s
	FROM loans WHERE status IN (%d, %d, %d)
	GROUP BY 1`, loan.StatusOverdue, bucketCases(), wideSum("out_principal", "out_interest", "out_fee", "out_penalty"),
	loan.StatusRepaying, loan.StatusOverdue, loan.StatusExtended)

// wideSum sums the BIGINT columns cols over a group without any
// intermediate that can overflow on either engine (SQLite's SUM fails on
// overflow, PostgreSQL's does not fit back into BIGINT): as two columns,
// the sum of each value's high 32 bits (arithmetic shift) and the sum of
// its low 32 bits, each of which fits in 64 bits for billions of rows.
// bookstats.FromParts joins them again, saturating what does not fit.
func wideSum(cols ...string) string {
	hi := make([]string, len(cols))
	lo := make([]string, len(cols))
	for i, c := range cols {
		hi[i], lo[i] = "("+c+" >> 32)", "("+c+" & 4294967295)"
	}
	return "CAST(SUM(" + strings.Join(hi, " + ") + ") AS BIGINT), CAST(SUM(" + strings.Join(lo, " + ") + ") AS BIGINT)"
}

// bucketCases is the CASE arms mapping over_days to bookstats.BucketOf,
// built from bookstats.DPDBuckets so the two cannot disagree.
func bucketCases() string {
	var sb strings.Builder
	bs := bookstats.DPDBuckets()
	for i, b := range bs {
		if b.MaxDPD == 0 {
			sb.WriteString(" ELSE " + strconv.Itoa(i))
			break
		}
		fmt.Fprintf(&sb, " WHEN over_days <= %d THEN %d", b.MaxDPD, i)
	}
	return sb.String()
}

// openBook reads the open book and the review queue as they are now.
func openBook(ctx context.Context, t *store.Tx, b *bookstats.Book) error {
	rows, err := t.Query(ctx, openBookSQL)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var group int
		var count, hi, lo int64
		if err := rows.Scan(&group, &count, &hi, &lo); err != nil {
			return err
		}
		owed := bookstats.FromParts(hi, lo)
		b.OpenLoans += count
		b.Outstanding = bookstats.AddMoney(b.Outstanding, owed)
		if group < 0 {
			continue
		}
		if group >= len(b.OverdueBuckets) {
			return fmt.Errorf("overdue bucket %d of %d", group, len(b.OverdueBuckets))
		}
		b.OverdueBuckets[group].Loans, b.OverdueBuckets[group].Outstanding = count, owed
		b.OverdueLoans += count
		b.OverdueOutstanding = bookstats.AddMoney(b.OverdueOutstanding, owed)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return t.QueryRow(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM loans WHERE status = %d`, loan.StatusManualReview)).
		Scan(&b.ReviewQueueLoans)
}

// payoutsOpen counts stuck payouts and those waiting for an operator,
// through the partial index loans_payout_open (migration 013).
func payoutsOpen(ctx context.Context, t *store.Tx, stuckBefore time.Time, b *bookstats.Book) error {
	if !stuckBefore.IsZero() {
		if err := t.QueryRow(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM loans WHERE status IN (%d, %d) AND updated_at < $1`,
			loan.StatusDisbursing, loan.StatusDisbursementFailed), store.Millis(stuckBefore)).Scan(&b.StuckPayouts); err != nil {
			return err
		}
	}
	// The event is written literally so the partial index
	// payout_events_unbooked (migration 017) serves the count.
	if err := t.QueryRow(ctx, fmt.Sprintf(`SELECT COUNT(DISTINCT loan_id) FROM payout_events WHERE event = '%s'`,
		loan.PayoutPaidUnbooked)).Scan(&b.PayoutsUnbooked); err != nil {
		return err
	}
	return t.QueryRow(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM loans l WHERE l.status = %d
		AND NOT EXISTS (SELECT 1 FROM payout_retries pr WHERE pr.loan_id = l.id)`, loan.StatusDisbursementFailed)).Scan(&b.PayoutsWaiting)
}

// sortedMix orders the decision mix most frequent first, then by decision
// and rule so equal counts have a stable order.
func sortedMix(mix map[ruleKey]int64) []bookstats.RuleCount {
	out := make([]bookstats.RuleCount, 0, len(mix))
	for k, n := range mix {
		out = append(out, bookstats.RuleCount{Rule: k.rule, Decision: k.decision, Count: n})
	}
	slices.SortFunc(out, func(a, b bookstats.RuleCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Decision, b.Decision), cmp.Compare(a.Rule, b.Rule))
	})
	return out
}
