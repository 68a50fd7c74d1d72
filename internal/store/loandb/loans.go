package loandb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
	"creditpocket/internal/loan"
	"creditpocket/internal/page"
	"creditpocket/internal/store"
)

const productColumns = `id, name, currency, principal, cycle, interest_rate, service_fee, fee_mode, penalty_rate,
	penalty_cap, extension_fee, min_settled, on_sale`

func scanProduct(r store.Scanner) (p loan.Product, err error) {
	err = r.Scan(&p.ID, &p.Name, &p.Currency, &p.Principal, &p.Cycle, &p.InterestRate, &p.ServiceFee, &p.FeeMode,
		&p.PenaltyRate, &p.PenaltyCap, &p.ExtensionFee, &p.MinSettledLoans, &p.OnSale)
	return p, err
}

func (t tx) Products(ctx context.Context, onSaleOnly bool) ([]loan.Product, error) {
	return store.Collect(ctx, t.t, scanProduct, `SELECT `+productColumns+` FROM loan_products
		WHERE on_sale = $1 OR $2 ORDER BY position, id`, true, !onSaleOnly)
}

func (t tx) Product(ctx context.Context, id string) (*loan.Product, error) {
	p, err := scanProduct(t.t.QueryRow(ctx, `SELECT `+productColumns+` FROM loan_products WHERE id = $1`, id))
	if err != nil {
		return nil, store.NotFound(err, "product")
	}
	return &p, nil
}

// SeedProducts upserts products (the demo catalogue) in the given order.
func (s *Store) SeedProducts(ctx context.Context, ps []loan.Product) error {
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *store.Tx) error {
		for i, p := range ps {
			if err := p.Validate(); err != nil {
				return err
			}
			if _, err := t.Exec(ctx, `INSERT INTO loan_products (`+productColumns+`, position)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
				ON CONFLICT (id) DO UPDATE SET name = excluded.name, currency = excluded.currency,
					principal = excluded.principal, cycle = excluded.cycle, interest_rate = excluded.interest_rate,
					service_fee = excluded.service_fee, fee_mode = excluded.fee_mode, penalty_rate = excluded.penalty_rate,
					penalty_cap = excluded.penalty_cap, extension_fee = excluded.extension_fee,
					min_settled = excluded.min_settled, on_sale = excluded.on_sale, position = excluded.position`,
				p.ID, p.Name, p.Currency, p.Principal, p.Cycle, p.InterestRate, p.ServiceFee, p.FeeMode, p.PenaltyRate,
				p.PenaltyCap, p.ExtensionFee, p.MinSettledLoans, p.OnSale, i); err != nil {
				return fmt.Errorf("seed product %s: %w", p.ID, err)
			}
		}
		return nil
	})
}

// SaveProduct upserts one product, keeping a known product's place in
// the catalogue and putting a new one last.
func (t tx) SaveProduct(ctx context.Context, p loan.Product) error {
	_, err := t.t.Exec(ctx, `INSERT INTO loan_products (`+productColumns+`, position)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
			(SELECT COALESCE(MAX(position), -1) + 1 FROM loan_products))
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, currency = excluded.currency,
			principal = excluded.principal, cycle = excluded.cycle, interest_rate = excluded.interest_rate,
			service_fee = excluded.service_fee, fee_mode = excluded.fee_mode, penalty_rate = excluded.penalty_rate,
			penalty_cap = excluded.penalty_cap, extension_fee = excluded.extension_fee,
			min_settled = excluded.min_settled, on_sale = excluded.on_sale`,
		p.ID, p.Name, p.Currency, p.Principal, p.Cycle, p.InterestRate, p.ServiceFee, p.FeeMode, p.PenaltyRate,
		p.PenaltyCap, p.ExtensionFee, p.MinSettledLoans, p.OnSale)
	if err != nil {
		return fmt.Errorf("store: save product %s: %w", p.ID, err)
	}
	return nil
}

func (t tx) History(ctx context.Context, userID int64) (loan.History, error) {
	rows, err := store.Collect(ctx, t.t, func(r store.Scanner) (l loan.PastLoan, err error) {
		var disbursedAt int64
		err = r.Scan(&l.Status, &disbursedAt, &l.OverDays)
		l.Disbursed = disbursedAt > 0
		return l, err
	}, `SELECT status, disbursed_at, over_days FROM loans WHERE user_id = $1`, userID)
	if err != nil {
		return loan.History{}, err
	}
	return loan.HistoryOf(rows...), nil
}

// ReadApplication reads the product and the borrower's loans in one
// statement: the product's row joined to each of the loans (once, with
// NULLs, when there are none); no row at all when there is no product.
// On PostgreSQL the statement also draws the application's loan id from
// the loans sequence (an uncorrelated subquery: drawn once, whatever the
// number of rows), which InsertApplication then writes the loan under.
func (t tx) ReadApplication(ctx context.Context, productID string, userID int64) (*loan.ApplicationFacts, error) {
	type row struct {
		p      loan.Product
		loan   sql.NullInt64 // the loan's status; NULL for the product of a borrower without loans
		past   loan.PastLoan
		loanID int64 // 0: not drawn ahead
	}
	rows, err := store.Collect(ctx, t.t, func(sc store.Scanner) (r row, err error) {
		var disbursedAt, overDays sql.NullInt64
		r.p, err = scanProduct(trailing{sc, []any{&r.loan, &disbursedAt, &overDays, &r.loanID}})
		r.past = loan.PastLoan{Status: loan.Status(r.loan.Int64), Disbursed: disbursedAt.Int64 > 0, OverDays: int(overDays.Int64)}
		return r, err
	}, `SELECT `+productColumnsOfP+`, h.status, h.disbursed_at, h.over_days, `+drawLoanID[t.t.Engine()]+`
		FROM loan_products p LEFT JOIN loans h ON h.user_id = $2 WHERE p.id = $1`, productID, userID)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errs.E(errs.NotFound, "product not found")
	}
	var past []loan.PastLoan
	for _, r := range rows {
		if r.loan.Valid {
			past = append(past, r.past)
		}
	}
	return &loan.ApplicationFacts{Product: rows[0].p, History: loan.HistoryOf(past...), LoanID: loan.ID(rows[0].loanID)}, nil
}

// drawLoanID is the column of ReadApplication that draws a loan id ahead:
// on PostgreSQL from the loans sequence; SQLite's insert assigns it (and
// its read connections may not write).
var drawLoanID = map[store.Engine]string{
	store.Postgres: `(SELECT nextval(pg_get_serial_sequence('loans', 'id')))`,
	store.SQLite:   `0`,
}

// productColumnsOfP are productColumns of the table aliased p.
var productColumnsOfP = "p." + strings.Join(strings.Fields(strings.ReplaceAll(productColumns, ",", " ")), ", p.")

// trailing scans a row whose first columns one scanner reads, and the
// columns after them into rest.
type trailing struct {
	row  store.Scanner
	rest []any
}

func (t trailing) Scan(dest ...any) error { return t.row.Scan(append(dest, t.rest...)...) }

// loanColumns are read by scanLoan and written by InsertLoan/UpdateLoan in
// this order (id first, then the writable columns).
var loanColumns = []string{"id",
	"user_id", "unfinished_user", "product_id", "product_json", "currency", "cycle", "balance", "actual_quote",
	"service_fee", "interest", "prefix_fee", "suffix_fee", "shouldback_fee", "penalty_cap",
	"status", "audit_risk_status", "audit_risk_reason", "audit_risk_detail", "risk_score",
	"risk_sequence_id", "device_consent_at",
	"audit_user_id", "audit_user_reason", "audit_user_at",
	"out_principal", "out_interest", "out_fee", "out_penalty", "paid_out", "received", "penalty_charged", "credit",
	"written_off", "extensions", "over_days", "accrued_through", "due_date",
	"apply_terminal", "loan_count", "photos", "card_id", "bank_code", "bank_name", "account_mask", "account_name",
	"pan_mask", "recipient_code", "disbursements",
	"applied_at", "decided_at", "disbursed_at", "initial_due_at", "due_at", "last_paid_at", "closed_at", "updated_at",
	"version"}

var (
	// Borrower fields shown on every record come from the profile.
	loanFrom         = ` FROM loans l JOIN users u ON u.id = l.user_id LEFT JOIN profiles p ON p.user_id = l.user_id `
	loanSelectJoined = "l." + strings.Join(loanColumns, ", l.") +
		", u.mobile, COALESCE(p.first_name, ''), COALESCE(p.middle_name, ''), COALESCE(p.last_name, ''), COALESCE(p.id_number_mask, '')"
)

// loanValues lists r's writable column values (all but id and version).
func loanValues(r *loan.Record) ([]any, error) {
	prod, err := json.Marshal(r.Product)
	if err != nil {
		return nil, err
	}
	var unfinished sql.NullInt64
	if !r.Status.Finished() {
		unfinished = sql.NullInt64{Int64: r.UserID, Valid: true}
	}
	pr := r.Pricing
	return []any{
		r.UserID, unfinished, pr.ProductID, string(prod), pr.Currency, pr.Cycle, pr.Principal, pr.Disbursed,
		pr.ServiceFee, pr.Interest, pr.PrefixFee, pr.FeesDue, pr.Due, pr.PenaltyCap,
		int(r.Status), int(r.AuditRiskStatus), r.RiskReason, r.RiskDetail, r.RiskScore,
		r.RiskSequenceID, store.Millis(r.DeviceConsentAt),
		r.AuditUserID, r.AuditUserReason, store.Millis(r.AuditUserAt),
		r.Outstanding.Principal, r.Outstanding.Interest, r.Outstanding.Fee, r.Outstanding.Penalty, r.PaidOut, r.Received,
		r.PenaltyCharged, r.Credit, r.WrittenOff, r.Extensions, r.OverDays, r.AccruedThrough.String(), r.DueDate.String(),
		r.ApplyTerminal, r.LoanCount, strings.Join(r.Photos, ","), r.Card.ID, r.Card.BankCode, r.Card.BankName,
		r.Card.AccountMask, r.Card.AccountName, r.Card.PANMask, r.Card.RecipientCode, r.Disbursements,
		store.Millis(r.AppliedAt), store.Millis(r.DecidedAt), store.Millis(r.DisbursedAt), store.Millis(r.InitialDueAt), store.Millis(r.DueAt),
		store.Millis(r.LastPaidAt), store.Millis(r.ClosedAt), store.Millis(r.UpdatedAt),
	}, nil
}

var (
	insertLoanSQL = `INSERT INTO loans (` + strings.Join(loanColumns[1:], ", ") + `) VALUES (` +
		store.Placeholders(1, len(loanColumns)-1) + `) RETURNING id`
	updateLoanSQL = func() string {
		sets := make([]string, 0, len(loanColumns))
		for i, c := range loanColumns[1 : len(loanColumns)-1] {
			sets = append(sets, fmt.Sprintf("%s = $%d", c, i+1))
		}
		n := len(loanColumns) - 2
		return fmt.Sprintf(`UPDATE loans SET %s, version = version + 1 WHERE id = $%d AND version = $%d`,
			strings.Join(sets, ", "), n+1, n+2)
	}()
)

func (t tx) InsertLoan(ctx context.Context, r *loan.Record) error {
	vals, err := loanValues(r)
	if err != nil {
		return err
	}
	vals = append(vals, int64(0))
	var id int64
	if err := t.t.QueryRow(ctx, insertLoanSQL, vals...).Scan(&id); err != nil {
		return store.Translate(err)
	}
	r.ID = loan.ID(id)
	r.Version = 0
	return nil
}

func (t tx) UpdateLoan(ctx context.Context, r *loan.Record) error {
	vals, err := loanValues(r)
	if err != nil {
		return err
	}
	id, err := loanID(r.ID)
	if err != nil {
		return err
	}
	n, err := store.Affected(t.t.Exec(ctx, updateLoanSQL, append(vals, id, r.Version)...))
	if err != nil {
		return err
	}
	if n != 1 {
		return errs.E(errs.Conflict, "loan %s changed meanwhile; try again", r.ID)
	}
	r.Version++
	return nil
}

func scanLoan(sc store.Scanner) (loan.Record, error) {
	var (
		r                                                             loan.Record
		id, userID, cardID                                            int64
		unfinished                                                    sql.NullInt64
		productID, prod, accrued, due, photos                         string
		status, audit                                                 int
		auditAt, applied, decided, disbursed, initialDue, dueAt, paid int64
		closed, updated, consentAt                                    int64
	)
	pr := &r.Pricing
	o := &r.Outstanding
	err := sc.Scan(&id,
		&userID, &unfinished, &productID, &prod, &pr.Currency, &pr.Cycle, &pr.Principal, &pr.Disbursed,
		&pr.ServiceFee, &pr.Interest, &pr.PrefixFee, &pr.FeesDue, &pr.Due, &pr.PenaltyCap,
		&status, &audit, &r.RiskReason, &r.RiskDetail, &r.RiskScore,
		&r.RiskSequenceID, &consentAt,
		&r.AuditUserID, &r.AuditUserReason, &auditAt,
		&o.Principal, &o.Interest, &o.Fee, &o.Penalty, &r.PaidOut, &r.Received, &r.PenaltyCharged, &r.Credit,
		&r.WrittenOff, &r.Extensions, &r.OverDays, &accrued, &due,
		&r.ApplyTerminal, &r.LoanCount, &photos, &cardID, &r.Card.BankCode, &r.Card.BankName, &r.Card.AccountMask,
		&r.Card.AccountName, &r.Card.PANMask, &r.Card.RecipientCode, &r.Disbursements,
		&applied, &decided, &disbursed, &initialDue, &dueAt, &paid, &closed, &updated,
		&r.Version,
		&r.Mobile, &r.First, &r.Middle, &r.Last, &r.IDMask)
	if err != nil {
		return r, err
	}
	r.ID, r.UserID, r.Card.ID = loan.ID(id), userID, cardID
	pr.ProductID = productID
	if r.Product, err = productSnapshot(prod); err != nil {
		return r, fmt.Errorf("loan %d: product snapshot: %w", id, err)
	}
	r.Status, r.AuditRiskStatus = loan.Status(status), loan.AuditRiskStatus(audit)
	if r.AccruedThrough, err = optionalDate(accrued); err != nil {
		return r, fmt.Errorf("loan %d: accrued_through: %w", id, err)
	}
	if r.DueDate, err = optionalDate(due); err != nil {
		return r, fmt.Errorf("loan %d: due_date: %w", id, err)
	}
	if photos != "" {
		r.Photos = strings.Split(photos, ",")
	}
	r.AuditUserAt, r.AppliedAt, r.DecidedAt = store.FromMillis(auditAt), store.FromMillis(applied), store.FromMillis(decided)
	r.DeviceConsentAt = store.FromMillis(consentAt)
	r.DisbursedAt, r.InitialDueAt, r.DueAt = store.FromMillis(disbursed), store.FromMillis(initialDue), store.FromMillis(dueAt)
	r.LastPaidAt, r.ClosedAt, r.UpdatedAt = store.FromMillis(paid), store.FromMillis(closed), store.FromMillis(updated)
	r.Pricing.DueAt = r.AppliedAt.AddDate(0, 0, r.Pricing.Cycle)
	return r, nil
}

// snapshots caches decoded product snapshots: loans of one product share
// the same JSON text, and close of business decodes every owing loan daily.
// It stops growing at maxSnapshots distinct texts.
var (
	snapshots     sync.Map // JSON text → loan.Product
	snapshotCount atomic.Int64
)

const maxSnapshots = 1024

func productSnapshot(text string) (loan.Product, error) {
	if p, ok := snapshots.Load(text); ok {
		return p.(loan.Product), nil
	}
	var p loan.Product
	if err := json.Unmarshal([]byte(text), &p); err != nil {
		return p, err
	}
	if snapshotCount.Add(1) <= maxSnapshots {
		snapshots.Store(text, p)
	}
	return p, nil
}

func optionalDate(s string) (loan.Date, error) {
	if s == "" {
		return loan.Date{}, nil
	}
	return loan.ParseDate(s)
}

func (t tx) oneLoan(ctx context.Context, where string, args ...any) (*loan.Record, error) {
	r, err := scanLoan(t.t.QueryRow(ctx, `SELECT `+loanSelectJoined+loanFrom+where, args...))
	if err != nil {
		return nil, store.NotFound(err, "loan")
	}
	return &r, nil
}

// loanID is id as the database column, errs.NotFound for an id no loan
// can have.
func loanID(id loan.ID) (int64, error) {
	if id <= 0 {
		return 0, errs.E(errs.NotFound, "loan %d not found", id)
	}
	return int64(id), nil
}

func (t tx) LoanForUpdate(ctx context.Context, id loan.ID) (*loan.Record, error) {
	n, err := loanID(id)
	if err != nil {
		return nil, err
	}
	if t.t.Engine() == store.Postgres {
		// Lock the loan row alone: FOR UPDATE over the join would lock
		// the borrower's user and profile rows too.
		if _, err := t.t.Exec(ctx, `SELECT id FROM loans WHERE id = $1 FOR UPDATE`, n); err != nil {
			return nil, err
		}
	}
	return t.oneLoan(ctx, `WHERE l.id = $1`, n)
}

// LockBorrower locks the borrower's user row on PostgreSQL; SQLite's one
// writer already writes applications one at a time.
func (t tx) LockBorrower(ctx context.Context, userID int64) error {
	if t.t.Engine() != store.Postgres {
		return nil
	}
	_, err := t.t.Exec(ctx, `SELECT id FROM users WHERE id = $1 FOR UPDATE`, userID)
	return err
}

func (t tx) Loan(ctx context.Context, id loan.ID) (*loan.Record, error) {
	n, err := loanID(id)
	if err != nil {
		return nil, err
	}
	return t.oneLoan(ctx, `WHERE l.id = $1`, n)
}

func (t tx) UserLoan(ctx context.Context, userID int64, id loan.ID) (*loan.Record, error) {
	n, err := loanID(id)
	if err != nil {
		return nil, err
	}
	return t.oneLoan(ctx, `WHERE l.id = $1 AND l.user_id = $2`, n, userID)
}

func (t tx) LatestLoan(ctx context.Context, userID int64, unfinishedOnly bool) (*loan.Record, error) {
	if unfinishedOnly {
		return t.oneLoan(ctx, `WHERE l.unfinished_user = $1`, userID)
	}
	return t.oneLoan(ctx, `WHERE l.user_id = $1 ORDER BY l.id DESC LIMIT 1`, userID)
}

func (t tx) UserLoans(ctx context.Context, userID int64, p page.Request) (page.Result[loan.Record], error) {
	return store.OwnPaged(ctx, t.t, p, scanLoan, `SELECT COUNT(*) FROM loans WHERE user_id = $1`,
		`SELECT COUNT(*) OVER (), `+loanSelectJoined+loanFrom+`WHERE l.user_id = $1 ORDER BY l.id DESC LIMIT $2`, userID)
}

func (t tx) LoansByStatus(ctx context.Context, status loan.Status, p page.Request) (page.Result[loan.Record], error) {
	return store.Paged(ctx, t.t, p, scanLoan, `SELECT COUNT(*) FROM loans WHERE status = $1`,
		`SELECT `+loanSelectJoined+loanFrom+`WHERE l.status = $1 ORDER BY l.id LIMIT $2`, int(status))
}

func (t tx) RecentDisbursed(ctx context.Context, limit int) ([]loan.Record, error) {
	return store.Collect(ctx, t.t, scanLoan, `SELECT `+loanSelectJoined+loanFrom+
		`WHERE l.disbursed_at > 0 ORDER BY l.disbursed_at DESC, l.id DESC LIMIT $1`, limit)
}

func (t tx) OwingDueBefore(ctx context.Context, business loan.Date, afterID loan.ID, limit int) ([]loan.ID, error) {
	d := business.String()
	// Dates are YYYY-MM-DD text, so text order is date order.
	return store.Collect(ctx, t.t, func(r store.Scanner) (loan.ID, error) {
		var id int64
		err := r.Scan(&id)
		return loan.ID(id), err
	}, owingDueSQL, d, int64(afterID), limit)
}

// owingDueSQL spells the owing statuses as literals so the planner can
// use the partial index loans_owing, whose predicate is the same list.
var owingDueSQL = fmt.Sprintf(`SELECT id FROM loans WHERE status IN (%d, %d, %d) AND id > $2
	AND due_date < $1 AND accrued_through < $1 ORDER BY id LIMIT $3`,
	loan.StatusRepaying, loan.StatusOverdue, loan.StatusExtended)

func (t tx) LoansForUpdate(ctx context.Context, ids []loan.ID) ([]*loan.Record, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(ids))
	for _, id := range ids {
		n, err := loanID(id)
		if err != nil {
			continue
		}
		args = append(args, n)
	}
	lock := ""
	if t.t.Engine() == store.Postgres {
		lock = " FOR UPDATE OF l" // the loans alone, not the borrowers' rows
	}
	rs, err := store.Collect(ctx, t.t, scanLoan, `SELECT `+loanSelectJoined+loanFrom+`WHERE l.id IN (`+store.Placeholders(1, len(args))+`)
		ORDER BY l.id`+lock, args...)
	if err != nil {
		return nil, err
	}
	out := make([]*loan.Record, len(rs))
	for i := range rs {
		out[i] = &rs[i]
	}
	return out, nil
}

// SaveAccruals updates close of business's columns of many loans in one
// statement per chunk: UPDATE … FROM (VALUES …), which PostgreSQL,
// SQLite 3.33+ and CockroachDB all run. VALUES columns are column1…N on
// every engine, so no alias list is needed.
func (t tx) SaveAccruals(ctx context.Context, rs []*loan.Record) error {
	const cols = 8
	for start := 0; start < len(rs); start += store.MaxBatchParams / cols {
		chunk := rs[start:min(start+store.MaxBatchParams/cols, len(rs))]
		var b strings.Builder
		args := make([]any, 0, len(chunk)*cols)
		for i, r := range chunk {
			id, err := loanID(r.ID)
			if err != nil {
				return err
			}
			if i > 0 {
				b.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&b, "(CAST($%d AS BIGINT), CAST($%d AS BIGINT), CAST($%d AS INTEGER), CAST($%d AS INTEGER), CAST($%d AS TEXT), CAST($%d AS BIGINT), CAST($%d AS BIGINT), CAST($%d AS BIGINT))",
				n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8)
			args = append(args, id, r.Version, int(r.Status), r.OverDays, r.AccruedThrough.String(),
				r.Outstanding.Penalty, r.PenaltyCharged, store.Millis(r.UpdatedAt))
		}
		n, err := store.Affected(t.t.Exec(ctx, `UPDATE loans AS l SET status = v.column3, over_days = v.column4,
				accrued_through = v.column5, out_penalty = v.column6, penalty_charged = v.column7, updated_at = v.column8,
				version = l.version + 1
			FROM (VALUES `+b.String()+`) AS v
			WHERE l.id = v.column1 AND l.version = v.column2`, args...))
		if err != nil {
			return err
		}
		if int(n) != len(chunk) {
			return errs.E(errs.Conflict, "%d of %d loans changed meanwhile; try again", len(chunk)-int(n), len(chunk))
		}
		for _, r := range chunk {
			r.Version++
		}
	}
	return nil
}

// AddMessage writes a message to the borrower's message centre and sets
// its id.
func (t tx) AddMessage(ctx context.Context, m *inbox.Message) error {
	return t.t.QueryRow(ctx, insertMessageSQL+`($1, $2, $3, $4, $5) RETURNING id`, messageValues(m)...).Scan(&m.ID)
}

// AddMessages writes many messages to the message centre at once.
func (t tx) AddMessages(ctx context.Context, ms []inbox.Message) error {
	rows := make([][]any, len(ms))
	for i, m := range ms {
		rows[i] = messageValues(&m)
	}
	return t.t.InsertRows(ctx, insertMessageSQL, rows)
}
