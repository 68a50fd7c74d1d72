package loandb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"creditpocket/internal/errs"
	"creditpocket/internal/ledger"
	"creditpocket/internal/store"
)

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
func (t tx) AppendLedger(ctx context.Context, txs []ledger.Transaction, now time.Time) error {
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
		rows = append(rows, []any{lt.Reference, string(lt.Kind), lt.LoanID, lt.Currency, meta, store.Millis(now)})
		for i, p := range lt.Postings {
			postings = append(postings, []any{lt.Reference, i, p.Account, p.Amount})
		}
	}
	if err := t.addBalances(ctx, txs); err != nil {
		return err
	}
	err := t.t.InsertRows(ctx, `INSERT INTO ledger_transactions (reference, kind, loan_id, currency, metadata, created_at) VALUES `, rows)
	if errs.Is(err, errs.Conflict) {
		return errs.E(errs.Conflict, "a ledger transaction of this batch is already booked")
	}
	if err != nil {
		return err
	}
	return t.t.InsertRows(ctx, `INSERT INTO ledger_postings (reference, position, account, amount) VALUES `, postings)
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
func (t tx) addBalances(ctx context.Context, txs []ledger.Transaction) error {
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
	const per = store.MaxBatchParams / 2
	for start := 0; start < len(accounts); start += per {
		chunk := accounts[start:min(start+per, len(accounts))]
		vals := make([][]any, len(chunk))
		for i, a := range chunk {
			vals[i] = []any{a, net[a]}
		}
		q, args := store.ValuesList(`INSERT INTO ledger_balances (account, balance) VALUES `, vals)
		rs, err := t.t.Query(ctx, q+` ON CONFLICT (account) DO UPDATE SET balance = ledger_balances.balance + excluded.balance
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
func (t tx) balanceErr(txs []ledger.Transaction, err error) error {
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
func (s *Store) LedgerBalances(ctx context.Context) (ledger.Balances, error) {
	out := ledger.Balances{}
	err := s.db.View(ctx, func(ctx context.Context, t *store.Tx) error {
		clear(out)
		rs, err := t.Query(ctx, `SELECT account, balance FROM ledger_balances`)
		if err != nil {
			return err
		}
		return scanBalances(rs, out)
	})
	return out, err
}

// LedgerTransactions reads the whole ledger in booking order, for verify.
func (s *Store) LedgerTransactions(ctx context.Context) ([]ledger.Transaction, error) {
	var out []ledger.Transaction
	err := s.db.View(ctx, func(ctx context.Context, t *store.Tx) error {
		out = nil
		return tx{t}.eachLedgerEntry(ctx, func(e LedgerEntry) { out = append(out, e.Transaction) }, "")
	})
	return out, err
}

// eachLedgerEntry calls fn with each ledger transaction and its postings,
// in the order they were written; where, when not empty, filters the
// transactions (alias t) with args.
func (t tx) eachLedgerEntry(ctx context.Context, fn func(LedgerEntry), where string, args ...any) error {
	rows, err := t.t.Query(ctx, `SELECT t.reference, t.kind, t.loan_id, t.currency, t.metadata, t.created_at, p.account, p.amount
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
			cur = &LedgerEntry{At: store.FromMillis(at), Transaction: ledger.Transaction{Reference: ref, Kind: ledger.Kind(kind), LoanID: loanID, Currency: currency}}
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
func (s *Store) AllLoanFacts(ctx context.Context) ([]ledger.LoanFacts, error) {
	return store.ViewAll(ctx, s.db, func(sc store.Scanner) (ledger.LoanFacts, error) {
		r, err := scanLoan(sc)
		if err != nil {
			return ledger.LoanFacts{}, err
		}
		return r.Facts(), nil
	}, `SELECT `+loanSelectJoined+loanFrom+`ORDER BY l.id`)
}

// Fund books lender capital at the provider once per reference.
func (s *Store) Fund(ctx context.Context, ref, currency string, amount ledger.Money) error {
	lt, err := ledger.Funding(ref, currency, amount)
	if err != nil {
		return err
	}
	err = s.db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, st *store.Tx) error {
		t := tx{st}
		// Check first: on PostgreSQL a failed insert would abort the
		// transaction, so the conflict is the rare race only.
		if done, err := t.t.Exists(ctx, `SELECT 1 FROM ledger_transactions WHERE reference = $1`, lt.Reference); err != nil || done {
			return err
		}
		return t.AppendLedger(ctx, []ledger.Transaction{lt}, time.Now())
	})
	if errs.Is(err, errs.Conflict) && !errors.Is(err, ErrBalanceOverflow) {
		return nil // another process booked it meanwhile
	}
	return err
}
