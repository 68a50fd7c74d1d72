package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/page"
)

// Loans adapts the DB to loan.Store.
func (db *DB) Loans() loan.Store { return loanStore{db} }

type loanStore struct{ db *DB }

func (s loanStore) Tx(ctx context.Context, fn func(loan.Tx) error) error {
	return s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error { return fn(t) })
}

func (s loanStore) View(ctx context.Context, fn func(loan.Tx) error) error {
	return s.db.View(ctx, func(ctx context.Context, t *Tx) error { return fn(t) })
}

func (s loanStore) Read(ctx context.Context, fn func(loan.Tx) error) error {
	return s.db.Read(ctx, func(ctx context.Context, t *Tx) error { return fn(t) })
}

var _ loan.Tx = (*Tx)(nil)

// forUpdate locks the rows a read returns on PostgreSQL (and CockroachDB);
// SQLite has one writer, so its write transactions are serial already.
func (t *Tx) forUpdate() string {
	if t.db.Engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

const productColumns = `id, name, currency, principal, cycle, interest_rate, service_fee, fee_mode, penalty_rate,
	penalty_cap, extension_fee, min_settled, on_sale`

func scanProduct(r Scanner) (p loan.Product, err error) {
	err = r.Scan(&p.ID, &p.Name, &p.Currency, &p.Principal, &p.Cycle, &p.InterestRate, &p.ServiceFee, &p.FeeMode,
		&p.PenaltyRate, &p.PenaltyCap, &p.ExtensionFee, &p.MinSettledLoans, &p.OnSale)
	return p, err
}

func (t *Tx) Products(ctx context.Context, onSaleOnly bool) ([]loan.Product, error) {
	return Collect(ctx, t, scanProduct, `SELECT `+productColumns+` FROM loan_products
		WHERE on_sale = $1 OR $2 ORDER BY position, id`, true, !onSaleOnly)
}

func (t *Tx) Product(ctx context.Context, id string) (*loan.Product, error) {
	p, err := scanProduct(t.QueryRow(ctx, `SELECT `+productColumns+` FROM loan_products WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "product")
	}
	return &p, nil
}

// SeedProducts upserts products (the demo catalogue) in the given order.
func (db *DB) SeedProducts(ctx context.Context, ps []loan.Product) error {
	return db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
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
func (t *Tx) SaveProduct(ctx context.Context, p loan.Product) error {
	_, err := t.Exec(ctx, `INSERT INTO loan_products (`+productColumns+`, position)
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

func (t *Tx) History(ctx context.Context, userID int64) (loan.History, error) {
	rows, err := Collect(ctx, t, func(r Scanner) (s loan.Status, err error) {
		err = r.Scan(&s)
		return s, err
	}, `SELECT status FROM loans WHERE user_id = $1`, userID)
	if err != nil {
		return loan.History{}, err
	}
	return loan.HistoryOf(rows...), nil
}

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
		unfinished = sql.NullInt64{Int64: r.UserID(), Valid: true}
	}
	pr := r.Pricing
	return []any{
		r.UserID(), unfinished, pr.ProductID, string(prod), pr.Currency, pr.Cycle, pr.Principal, pr.Disbursed,
		pr.ServiceFee, pr.Interest, pr.PrefixFee, pr.FeesDue, pr.Due, pr.PenaltyCap,
		int(r.Status), int(r.AuditRiskStatus), r.RiskReason, r.RiskDetail, r.RiskScore,
		r.RiskSequenceID, Millis(r.DeviceConsentAt),
		r.AuditUserID, r.AuditUserReason, Millis(r.AuditUserAt),
		r.Outstanding.Principal, r.Outstanding.Interest, r.Outstanding.Fee, r.Outstanding.Penalty, r.PaidOut, r.Received,
		r.PenaltyCharged, r.Credit, r.WrittenOff, r.Extensions, r.OverDays, r.AccruedThrough.String(), r.DueDate.String(),
		r.ApplyTerminal, r.LoanCount, strings.Join(r.Photos, ","), r.Card.ID, r.Card.BankCode, r.Card.BankName,
		r.Card.AccountMask, r.Card.AccountName, r.Card.PANMask, r.Card.RecipientCode, r.Disbursements,
		Millis(r.AppliedAt), Millis(r.DecidedAt), Millis(r.DisbursedAt), Millis(r.InitialDueAt), Millis(r.DueAt),
		Millis(r.LastPaidAt), Millis(r.ClosedAt), Millis(r.UpdatedAt),
	}, nil
}

func placeholders(from, n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = "$" + strconv.Itoa(from+i)
	}
	return strings.Join(ps, ", ")
}

var (
	insertLoanSQL = `INSERT INTO loans (` + strings.Join(loanColumns[1:], ", ") + `) VALUES (` +
		placeholders(1, len(loanColumns)-1) + `) RETURNING id`
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

func (t *Tx) InsertLoan(ctx context.Context, r *loan.Record) error {
	vals, err := loanValues(r)
	if err != nil {
		return err
	}
	vals = append(vals, int64(0))
	var id int64
	if err := t.QueryRow(ctx, insertLoanSQL, vals...).Scan(&id); err != nil {
		return translate(err)
	}
	r.ID = strconv.FormatInt(id, 10)
	r.Version = 0
	return nil
}

func (t *Tx) UpdateLoan(ctx context.Context, r *loan.Record) error {
	vals, err := loanValues(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.ID, 10, 64)
	if err != nil {
		return errs.E(errs.NotFound, "loan %q not found", r.ID)
	}
	n, err := Affected(t.Exec(ctx, updateLoanSQL, append(vals, id, r.Version)...))
	if err != nil {
		return err
	}
	if n != 1 {
		return errs.E(errs.Conflict, "loan %s changed meanwhile; try again", r.ID)
	}
	r.Version++
	return nil
}

func scanLoan(sc Scanner) (loan.Record, error) {
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
	r.ID, r.BorrowerID, r.Card.ID = strconv.FormatInt(id, 10), strconv.FormatInt(userID, 10), cardID
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
	r.AuditUserAt, r.AppliedAt, r.DecidedAt = FromMillis(auditAt), FromMillis(applied), FromMillis(decided)
	r.DeviceConsentAt = FromMillis(consentAt)
	r.DisbursedAt, r.InitialDueAt, r.DueAt = FromMillis(disbursed), FromMillis(initialDue), FromMillis(dueAt)
	r.LastPaidAt, r.ClosedAt, r.UpdatedAt = FromMillis(paid), FromMillis(closed), FromMillis(updated)
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

func (t *Tx) oneLoan(ctx context.Context, where string, args ...any) (*loan.Record, error) {
	r, err := scanLoan(t.QueryRow(ctx, `SELECT `+loanSelectJoined+loanFrom+where, args...))
	if err != nil {
		return nil, notFound(err, "loan")
	}
	return &r, nil
}

func loanID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, errs.E(errs.NotFound, "loan %.32q not found", id)
	}
	return n, nil
}

func (t *Tx) LoanForUpdate(ctx context.Context, id string) (*loan.Record, error) {
	n, err := loanID(id)
	if err != nil {
		return nil, err
	}
	if t.db.Engine == Postgres {
		// Lock the loan row alone: FOR UPDATE over the join would lock
		// the borrower's user and profile rows too.
		if _, err := t.Exec(ctx, `SELECT id FROM loans WHERE id = $1 FOR UPDATE`, n); err != nil {
			return nil, err
		}
	}
	return t.oneLoan(ctx, `WHERE l.id = $1`, n)
}

// LockBorrower locks the borrower's user row on PostgreSQL; SQLite's one
// writer already writes applications one at a time.
func (t *Tx) LockBorrower(ctx context.Context, userID int64) error {
	if t.db.Engine != Postgres {
		return nil
	}
	_, err := t.Exec(ctx, `SELECT id FROM users WHERE id = $1 FOR UPDATE`, userID)
	return err
}

func (t *Tx) Loan(ctx context.Context, id string) (*loan.Record, error) {
	n, err := loanID(id)
	if err != nil {
		return nil, err
	}
	return t.oneLoan(ctx, `WHERE l.id = $1`, n)
}

func (t *Tx) UserLoan(ctx context.Context, userID int64, id string) (*loan.Record, error) {
	n, err := loanID(id)
	if err != nil {
		return nil, err
	}
	return t.oneLoan(ctx, `WHERE l.id = $1 AND l.user_id = $2`, n, userID)
}

func (t *Tx) LatestLoan(ctx context.Context, userID int64, unfinishedOnly bool) (*loan.Record, error) {
	if unfinishedOnly {
		return t.oneLoan(ctx, `WHERE l.unfinished_user = $1`, userID)
	}
	return t.oneLoan(ctx, `WHERE l.user_id = $1 ORDER BY l.id DESC LIMIT 1`, userID)
}

func (t *Tx) UserLoans(ctx context.Context, userID int64, p page.Request) (page.Result[loan.Record], error) {
	return OwnPaged(ctx, t, p, scanLoan, `SELECT COUNT(*) FROM loans WHERE user_id = $1`,
		`SELECT COUNT(*) OVER (), `+loanSelectJoined+loanFrom+`WHERE l.user_id = $1 ORDER BY l.id DESC LIMIT $2`, userID)
}

func (t *Tx) LoansByStatus(ctx context.Context, status loan.Status, p page.Request) (page.Result[loan.Record], error) {
	return Paged(ctx, t, p, scanLoan, `SELECT COUNT(*) FROM loans WHERE status = $1`,
		`SELECT `+loanSelectJoined+loanFrom+`WHERE l.status = $1 ORDER BY l.id LIMIT $2`, int(status))
}

func (t *Tx) RecentDisbursed(ctx context.Context, limit int) ([]loan.Record, error) {
	return Collect(ctx, t, scanLoan, `SELECT `+loanSelectJoined+loanFrom+
		`WHERE l.disbursed_at > 0 ORDER BY l.disbursed_at DESC, l.id DESC LIMIT $1`, limit)
}

func (t *Tx) OwingDueBefore(ctx context.Context, business loan.Date, afterID int64, limit int) ([]string, error) {
	d := business.String()
	// Dates are YYYY-MM-DD text, so text order is date order.
	return Collect(ctx, t, func(r Scanner) (string, error) {
		var id int64
		err := r.Scan(&id)
		return strconv.FormatInt(id, 10), err
	}, owingDueSQL, d, afterID, limit)
}

// owingDueSQL spells the owing statuses as literals so the planner can
// use the partial index loans_owing, whose predicate is the same list.
var owingDueSQL = fmt.Sprintf(`SELECT id FROM loans WHERE status IN (%d, %d, %d) AND id > $2
	AND due_date < $1 AND accrued_through < $1 ORDER BY id LIMIT $3`,
	loan.StatusRepaying, loan.StatusOverdue, loan.StatusExtended)

// AppendLedger inserts transactions and their postings, a few hundred
// rows per statement. The reference is unique, so the same money movement
// can never be booked twice. The batch's net change to every account is
// added to the account's kept balance (ledger_balances) in the same
// database transaction, and a batch that would take any balance out of
// the 64-bit range — after any of its transactions, posted as
// ledger.Balances.Post posts them, which is what ledger verify replays —
// is refused whole with errs.Conflict (and ErrBalanceOverflow) before the
// transaction can commit, so the append-only ledger never holds a balance
// it cannot represent.
func (t *Tx) AppendLedger(ctx context.Context, txs []ledger.Transaction, now time.Time) error {
	var postings [][]any
	rows := make([][]any, 0, len(txs))
	for _, lt := range txs {
		if err := lt.Validate(); err != nil {
			return err
		}
		meta := ""
		if len(lt.Metadata) > 0 {
			b, err := json.Marshal(lt.Metadata)
			if err != nil {
				return err
			}
			meta = string(b)
		}
		rows = append(rows, []any{lt.Reference, string(lt.Kind), lt.LoanID, lt.Currency, meta, Millis(now)})
		for i, p := range lt.Postings {
			postings = append(postings, []any{lt.Reference, i, p.Account, p.Amount})
		}
	}
	if err := t.addBalances(ctx, txs); err != nil {
		return err
	}
	err := t.insertRows(ctx, `INSERT INTO ledger_transactions (reference, kind, loan_id, currency, metadata, created_at) VALUES `, rows)
	if errs.Is(err, errs.Conflict) {
		return errs.E(errs.Conflict, "a ledger transaction of this batch is already booked")
	}
	if err != nil {
		return err
	}
	return t.insertRows(ctx, `INSERT INTO ledger_postings (reference, position, account, amount) VALUES `, postings)
}

// ErrBalanceOverflow marks a booking refused because an account's balance
// would leave the 64-bit range.
var ErrBalanceOverflow = errors.New("ledger balance would overflow")

func balanceOverflow(ref string, cause error) error {
	return errors.Join(ErrBalanceOverflow, errs.E(errs.Conflict,
		"ledger transaction %q refused: an account balance would leave the 64-bit range; nothing was booked", ref), cause)
}

// addBalances adds txs' net change per account to the kept balances in
// one statement per few thousand accounts, an upsert that also locks the
// rows (in account order, so two bookings wait for each other instead of
// deadlocking on PostgreSQL) and returns the new balances. The balances
// before are what it returned less the change; txs are then posted onto
// those in order with ledger's checked arithmetic. A balance that leaves
// the 64-bit range in SQL fails the statement (PostgreSQL: bigint out of
// range; SQLite: the CHECK that the balance is still an integer).
func (t *Tx) addBalances(ctx context.Context, txs []ledger.Transaction) error {
	net := map[string]ledger.Money{}
	for _, lt := range txs {
		d, err := ledger.NetChanges(lt)
		if err != nil {
			return balanceOverflow(lt.Reference, err)
		}
		for a, v := range d {
			if net[a], err = net[a].Add(v); err != nil {
				if len(txs) == 1 {
					return balanceOverflow(lt.Reference, err)
				}
				// The batch's sum does not fit though each transaction's
				// might: book them one by one.
				for _, one := range txs {
					if err := t.addBalances(ctx, []ledger.Transaction{one}); err != nil {
						return err
					}
				}
				return nil
			}
		}
	}
	// Every account touched, even one whose net change is zero: its
	// balance before is needed to post the transactions in order.
	accounts := slices.Sorted(maps.Keys(net))
	before := make(ledger.Balances, len(accounts))
	const per = maxBatchParams / 2
	for start := 0; start < len(accounts); start += per {
		chunk := accounts[start:min(start+per, len(accounts))]
		vals := make([][]any, len(chunk))
		for i, a := range chunk {
			vals[i] = []any{a, net[a]}
		}
		q, args := valuesList(`INSERT INTO ledger_balances (account, balance) VALUES `, vals)
		rs, err := t.Query(ctx, q+` ON CONFLICT (account) DO UPDATE SET balance = ledger_balances.balance + excluded.balance
			RETURNING account, balance`, args...)
		if err != nil {
			return t.balanceErr(txs, err)
		}
		after := ledger.Balances{}
		if err := scanBalances(rs, after); err != nil {
			return t.balanceErr(txs, err)
		}
		for a, v := range after {
			if before[a], err = v.Sub(net[a]); err != nil {
				return fmt.Errorf("store: ledger balance %s: %w", a, err) // v and v−net both fit: a bug
			}
		}
	}
	if len(before) != len(accounts) {
		return fmt.Errorf("store: %d of %d ledger balances returned", len(before), len(accounts))
	}
	for _, lt := range txs {
		if err := before.Post(lt); err != nil {
			return balanceOverflow(lt.Reference, err)
		}
	}
	return nil
}

// balanceErr is err, or the refusal of txs when err is a balance that left
// the 64-bit range in SQL.
func (t *Tx) balanceErr(txs []ledger.Transaction, err error) error {
	var pg *pgconn.PgError
	var lite *sqlite.Error
	switch {
	case errors.As(err, &pg) && pg.Code == "22003", // numeric_value_out_of_range
		errors.As(err, &lite) && lite.Code() == sqlite3.SQLITE_CONSTRAINT_CHECK:
		ref := ""
		if len(txs) > 0 {
			ref = txs[0].Reference
		}
		return balanceOverflow(ref, err)
	}
	return err
}

// scanBalances reads (account, balance) rows into out and closes them.
func scanBalances(rs *sql.Rows, out ledger.Balances) error {
	defer rs.Close()
	for rs.Next() {
		var a string
		var b ledger.Money
		if err := rs.Scan(&a, &b); err != nil {
			return err
		}
		out[a] = b
	}
	return rs.Err()
}

// LedgerBalances reads every account's stored balance, for ledger verify to
// hold against the balances its postings sum to.
func (db *DB) LedgerBalances(ctx context.Context) (ledger.Balances, error) {
	out := ledger.Balances{}
	err := db.View(ctx, func(ctx context.Context, t *Tx) error {
		clear(out)
		rs, err := t.Query(ctx, `SELECT account, balance FROM ledger_balances`)
		if err != nil {
			return err
		}
		return scanBalances(rs, out)
	})
	return out, err
}

// maxBatchParams keeps a multi-row statement under both engines' limits on
// bound parameters (SQLite 32766, PostgreSQL 65535).
const maxBatchParams = 8000

// insertRows runs prefix followed by as many value tuples per statement as
// the parameter limit allows.
func (t *Tx) insertRows(ctx context.Context, prefix string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, maxBatchParams/len(rows[0]))
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		q, args := valuesList(prefix, chunk)
		if _, err := t.Exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// valuesList appends "($1, $2…), (…)" for rows to prefix.
func valuesList(prefix string, rows [][]any) (string, []any) {
	var b strings.Builder
	b.WriteString(prefix)
	args := make([]any, 0, len(rows)*len(rows[0]))
	for i, row := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j, v := range row {
			if j > 0 {
				b.WriteString(", ")
			}
			args = append(args, v)
			b.WriteString("$" + strconv.Itoa(len(args)))
		}
		b.WriteByte(')')
	}
	return b.String(), args
}

func (t *Tx) LoansForUpdate(ctx context.Context, ids []string) ([]*loan.Record, error) {
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
	if t.db.Engine == Postgres {
		lock = " FOR UPDATE OF l" // the loans alone, not the borrowers' rows
	}
	rs, err := Collect(ctx, t, scanLoan, `SELECT `+loanSelectJoined+loanFrom+`WHERE l.id IN (`+placeholders(1, len(args))+`)
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
func (t *Tx) SaveAccruals(ctx context.Context, rs []*loan.Record) error {
	const cols = 8
	for start := 0; start < len(rs); start += maxBatchParams / cols {
		chunk := rs[start:min(start+maxBatchParams/cols, len(rs))]
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
				r.Outstanding.Penalty, r.PenaltyCharged, Millis(r.UpdatedAt))
		}
		n, err := Affected(t.Exec(ctx, `UPDATE loans AS l SET status = v.column3, over_days = v.column4,
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

// AddMessages writes many messages to the message centre at once.
func (t *Tx) AddMessages(ctx context.Context, ms []inbox.Message) error {
	rows := make([][]any, len(ms))
	for i, m := range ms {
		rows[i] = []any{m.UserID, m.Kind, m.Title, m.Content, Millis(m.CreatedAt)}
	}
	return t.insertRows(ctx, `INSERT INTO messages (user_id, kind, title, content, created_at) VALUES `, rows)
}

// LedgerTransactions reads the whole ledger in booking order, for verify.
func (db *DB) LedgerTransactions(ctx context.Context) ([]ledger.Transaction, error) {
	var out []ledger.Transaction
	err := db.View(ctx, func(ctx context.Context, t *Tx) error {
		out = nil
		return t.eachLedgerEntry(ctx, func(e LedgerEntry) { out = append(out, e.Transaction) }, "")
	})
	return out, err
}

// eachLedgerEntry calls fn with each ledger transaction and its postings,
// in the order they were written; where, when not empty, filters the
// transactions (alias t) with args.
func (t *Tx) eachLedgerEntry(ctx context.Context, fn func(LedgerEntry), where string, args ...any) error {
	rows, err := t.Query(ctx, `SELECT t.reference, t.kind, t.loan_id, t.currency, t.metadata, t.created_at, p.account, p.amount
		FROM ledger_transactions t JOIN ledger_postings p ON p.reference = t.reference `+where+`
		ORDER BY t.id, p.position`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var cur *LedgerEntry // the transaction whose postings are being read
	for rows.Next() {
		var (
			ref, kind, loanID, currency, meta, acct string
			at                                      int64
			amount                                  ledger.Money
		)
		if err := rows.Scan(&ref, &kind, &loanID, &currency, &meta, &at, &acct, &amount); err != nil {
			return err
		}
		if cur == nil || cur.Transaction.Reference != ref {
			if cur != nil {
				fn(*cur)
			}
			cur = &LedgerEntry{At: FromMillis(at), Transaction: ledger.Transaction{Reference: ref, Kind: ledger.Kind(kind), LoanID: loanID, Currency: currency}}
			if meta != "" {
				if err := json.Unmarshal([]byte(meta), &cur.Transaction.Metadata); err != nil {
					return fmt.Errorf("ledger transaction %q: metadata: %w", ref, err)
				}
			}
		}
		cur.Transaction.Postings = append(cur.Transaction.Postings, ledger.Posting{Account: acct, Amount: amount})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if cur != nil {
		fn(*cur)
	}
	return nil
}

// AllLoanFacts reads what every loan's record claims about its money.
func (db *DB) AllLoanFacts(ctx context.Context) ([]ledger.LoanFacts, error) {
	return ViewAll(ctx, db, func(sc Scanner) (ledger.LoanFacts, error) {
		r, err := scanLoan(sc)
		if err != nil {
			return ledger.LoanFacts{}, err
		}
		return r.Facts(), nil
	}, `SELECT `+loanSelectJoined+loanFrom+`ORDER BY l.id`)
}

// Fund books lender capital at the provider once per reference.
func (db *DB) Fund(ctx context.Context, ref, currency string, amount ledger.Money) error {
	lt, err := ledger.Funding(ref, currency, amount)
	if err != nil {
		return err
	}
	err = db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, t *Tx) error {
		// Check first: on PostgreSQL a failed insert would abort the
		// transaction, so the conflict is the rare race only.
		if done, err := t.exists(ctx, `SELECT 1 FROM ledger_transactions WHERE reference = $1`, lt.Reference); err != nil || done {
			return err
		}
		return t.AppendLedger(ctx, []ledger.Transaction{lt}, time.Now())
	})
	if errs.Is(err, errs.Conflict) && !errors.Is(err, ErrBalanceOverflow) {
		return nil // another process booked it meanwhile
	}
	return err
}

const paymentColumns = `reference, loan_id, user_id, kind, amount, paid, status, checkout_url, idempotency_key,
	request_hash, failure, closed_reason, cycle_due, created_at, updated_at`

func scanPayment(sc Scanner) (p loan.Payment, err error) {
	var loanID, created, updated int64
	var key sql.NullString
	var cycle string
	err = sc.Scan(&p.Reference, &loanID, &p.UserID, &p.Kind, &p.Amount, &p.Paid, &p.Status, &p.CheckoutURL, &key,
		&p.RequestHash, &p.Failure, &p.ClosedReason, &cycle, &created, &updated)
	if err != nil {
		return p, err
	}
	p.LoanID, p.IdempotencyKey = strconv.FormatInt(loanID, 10), key.String
	p.CreatedAt, p.UpdatedAt = FromMillis(created), FromMillis(updated)
	if p.CycleDue, err = optionalDate(cycle); err != nil {
		return p, fmt.Errorf("payment %s: cycle_due: %w", p.Reference, err)
	}
	return p, nil
}

// openCheckoutWhere selects a loan's open checkouts. It spells the
// predicate of the partial unique index payments_open_checkout, which
// holds "one open checkout per loan" on both engines.
const openCheckoutWhere = `status = 'pending' AND kind IN ('repayment', 'extension')`

func (t *Tx) InsertPayment(ctx context.Context, p *loan.Payment) error {
	id, err := loanID(p.LoanID)
	if err != nil {
		return err
	}
	key := sql.NullString{String: p.IdempotencyKey, Valid: p.IdempotencyKey != ""}
	_, err = t.Exec(ctx, `INSERT INTO payments (`+paymentColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		p.Reference, id, p.UserID, p.Kind, p.Amount, p.Paid, p.Status, p.CheckoutURL, key, p.RequestHash, p.Failure,
		p.ClosedReason, p.CycleDue.String(), Millis(p.CreatedAt), Millis(p.UpdatedAt))
	return err
}

// PaymentForUpdate locks the payment's loan before the payment on
// PostgreSQL, the order Repay takes them in (loan, then its open
// checkouts), so a webhook and a new checkout of one loan never deadlock.
func (t *Tx) PaymentForUpdate(ctx context.Context, ref string) (*loan.Payment, error) {
	if t.db.Engine == Postgres {
		if _, err := t.Exec(ctx, `SELECT l.id FROM loans l JOIN payments p ON p.loan_id = l.id
			WHERE p.reference = $1 FOR UPDATE OF l`, ref); err != nil {
			return nil, err
		}
	}
	p, err := scanPayment(t.QueryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE reference = $1`+t.forUpdate(), ref))
	if err != nil {
		return nil, notFound(err, "payment "+strconv.Quote(ref))
	}
	return &p, nil
}

func (t *Tx) OpenCheckouts(ctx context.Context, id string) ([]loan.Payment, error) {
	n, err := loanID(id)
	if err != nil {
		return nil, err
	}
	return Collect(ctx, t, scanPayment, `SELECT `+paymentColumns+` FROM payments
		WHERE loan_id = $1 AND `+openCheckoutWhere+` ORDER BY created_at, reference`+t.forUpdate(), n)
}

func (t *Tx) LoanPayments(ctx context.Context, id string) ([]loan.Payment, error) {
	n, err := loanID(id)
	if err != nil {
		return nil, err
	}
	return Collect(ctx, t, scanPayment, `SELECT `+paymentColumns+` FROM payments WHERE loan_id = $1 ORDER BY created_at, reference`, n)
}

func (t *Tx) PaymentByKey(ctx context.Context, userID int64, key string) (*loan.Payment, error) {
	p, err := scanPayment(t.QueryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE user_id = $1 AND idempotency_key = $2`, userID, key))
	if err != nil {
		return nil, notFound(err, "payment")
	}
	return &p, nil
}

func (t *Tx) UpdatePayment(ctx context.Context, p *loan.Payment) error {
	_, err := t.Exec(ctx, `UPDATE payments SET paid = $2, status = $3, checkout_url = $4, failure = $5, closed_reason = $6,
		updated_at = $7 WHERE reference = $1`, p.Reference, p.Paid, p.Status, p.CheckoutURL, p.Failure, p.ClosedReason,
		Millis(p.UpdatedAt))
	return err
}

func (t *Tx) StalePayments(ctx context.Context, kind string, before time.Time, limit int) ([]loan.Payment, error) {
	return Collect(ctx, t, scanPayment, `SELECT `+paymentColumns+` FROM payments
		WHERE status = $1 AND kind = $2 AND updated_at < $3 ORDER BY updated_at LIMIT $4`,
		loan.PayPending, kind, Millis(before), limit)
}

// PaymentExists reports whether a payment reference is known, for the
// sandbox provider's checkout pages.
func (db *DB) PaymentExists(ctx context.Context, ref string) (kind string, amount int64, err error) {
	err = db.View(ctx, func(ctx context.Context, t *Tx) error {
		err := t.QueryRow(ctx, `SELECT kind, amount FROM payments WHERE reference = $1`, ref).Scan(&kind, &amount)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "no payment %.64q", ref)
		}
		return err
	})
	return kind, amount, err
}
