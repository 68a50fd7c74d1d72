package loandb

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"creditpocket/internal/identity"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/page"
	"creditpocket/internal/store"
)

// The operator console's read-only queries of loans: search, a loan's
// ledger and payments. They never lock and never write.

// SearchLoans lists loans matching q, newest first.
func (s *Store) SearchLoans(ctx context.Context, q loan.Search, p page.Request) (page.Result[loan.Record], error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q.LoanID != 0 {
		where = append(where, "l.id = "+arg(int64(q.LoanID)))
	}
	if m := identity.KeepDigits(q.Mobile); m != "" {
		national := strings.TrimLeft(m, "0")
		where = append(where, fmt.Sprintf("(u.mobile = %s OR u.phone = %s)", arg(national), arg(m)))
	}
	if len(q.Statuses) > 0 {
		ps := make([]string, len(q.Statuses))
		for i, s := range q.Statuses {
			ps[i] = arg(int(s))
		}
		where = append(where, "l.status IN ("+strings.Join(ps, ", ")+")")
	}
	if q.Overdue {
		where = append(where, "l.status = "+arg(int(loan.StatusOverdue)))
	}
	if !q.From.IsZero() {
		where = append(where, "l.applied_at >= "+arg(store.Millis(q.From)))
	}
	if !q.To.IsZero() {
		where = append(where, "l.applied_at < "+arg(store.Millis(q.To)))
	}
	if !q.UpdatedBefore.IsZero() {
		where = append(where, "l.updated_at < "+arg(store.Millis(q.UpdatedBefore)))
	}
	if q.PayoutWaiting {
		where = append(where, fmt.Sprintf("l.status = %d AND NOT EXISTS (SELECT 1 FROM payout_retries pr WHERE pr.loan_id = l.id)", loan.StatusDisbursementFailed))
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ") + " "
	}
	n := len(args)
	return store.ViewPaged(ctx, s.db, p, scanLoan, `SELECT COUNT(*)`+loanFrom+cond,
		`SELECT `+loanSelectJoined+loanFrom+cond+fmt.Sprintf(`ORDER BY l.id DESC LIMIT $%d`, n+1), args...)
}

// LedgerEntry is a booked ledger transaction and when it was booked.
type LedgerEntry = ledger.Booked

// LoanLedger lists a loan's ledger transactions with their postings, in
// booking order.
func (s *Store) LoanLedger(ctx context.Context, loanID loan.ID) ([]LedgerEntry, error) {
	var out []LedgerEntry
	err := s.db.View(ctx, func(ctx context.Context, t *store.Tx) error {
		out = nil
		return tx{t}.eachLedgerEntry(ctx, func(e LedgerEntry) { out = append(out, e) }, "WHERE t.loan_id = $1", loanID.String())
	})
	return out, err
}

// LoanPayments lists a loan's payments (payouts, repayments, extensions)
// oldest first.
func (s *Store) LoanPayments(ctx context.Context, id loan.ID) ([]loan.Payment, error) {
	n, err := loanID(id)
	if err != nil {
		return nil, err
	}
	return store.ViewAll(ctx, s.db, scanPayment, `SELECT `+paymentColumns+` FROM payments WHERE loan_id = $1 ORDER BY created_at, reference`, n)
}
