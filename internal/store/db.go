// Package store is creditpocket's storage adapter: it opens embedded SQLite
// (modernc.org/sqlite, pure Go) or PostgreSQL (pgx), applies each engine's
// embedded numbered migrations, runs transactions with retries, and
// implements the domain packages' store interfaces with plain SQL.
//
// SQL is written once in PostgreSQL style ($1, $2 …) and rebound to SQLite's
// ?1, ?2 … form; where the engines differ (DDL, a few functions) each engine
// has its own text. Times are stored as BIGINT Unix milliseconds (UTC) so
// both engines compare and index them the same way.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"creditpocket/internal/errs"
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is an open database. For SQLite it keeps one writer connection (SQLite
// allows one writer at a time; queueing in Go is cheaper than busy retries)
// and a pool of read-only connections.
type DB struct {
	Engine Engine
	rw     *sql.DB
	ro     *sql.DB
	log    *slog.Logger

	counts      *counter // PostgreSQL only: see Stats
	rebindCache sync.Map // query → rebound query (SQLite only)
	stmts       sync.Map // stmtKey → *sql.Stmt (SQLite only)
}

type stmtKey struct {
	pool  *sql.DB
	query string
}

// Open opens the database named by url; an empty url means the embedded
// SQLite database DataDir/creditpocket.db (the folder is created).
func Open(ctx context.Context, url, dataDir string, log *slog.Logger) (*DB, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if url == "" {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data folder: %w", err)
		}
		return openSQLite(ctx, filepath.Join(dataDir, "creditpocket.db"), log)
	}
	return openPostgres(ctx, url, log)
}

// OpenSQLiteFile opens (creating) an SQLite database at path.
func OpenSQLiteFile(ctx context.Context, path string, log *slog.Logger) (*DB, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return openSQLite(ctx, path, log)
}

func openSQLite(ctx context.Context, path string, log *slog.Logger) (*DB, error) {
	const pragmas = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	rw, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	rw.SetMaxOpenConns(1)
	rw.SetMaxIdleConns(1)
	rw.SetConnMaxLifetime(0)
	if err := rw.PingContext(ctx); err != nil {
		rw.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	ro, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		rw.Close()
		return nil, err
	}
	ro.SetMaxOpenConns(8)
	ro.SetMaxIdleConns(8)
	return &DB{Engine: SQLite, rw: rw, ro: ro, log: log}, nil
}

func openPostgres(ctx context.Context, url string, log *slog.Logger) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err)
	}
	counts := &counter{}
	cfg.Tracer = counts
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return &DB{Engine: Postgres, rw: db, ro: db, log: log, counts: counts}, nil
}

// Close closes every connection.
func (db *DB) Close() error {
	db.stmts.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	err := db.rw.Close()
	if db.ro != db.rw {
		err = errors.Join(err, db.ro.Close())
	}
	return err
}

// Ping checks the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error { return db.rw.PingContext(ctx) }

// Tx is a database transaction with engine-aware helpers. Domain store
// methods hang off it.
type Tx struct {
	db   *DB
	q    querier // the transaction, or for Read the read pool
	pool *sql.DB // the pool q runs on, for prepared statements
	tx   *sql.Tx // nil for Read
}

// querier is what a Tx runs statements on: a transaction, or for Read a
// single pooled connection.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// maxAttempts bounds retries of serialization failures and deadlocks.
const maxAttempts = 5

// inTx marks a context that a transaction's function was given, so a
// transaction begun inside another is refused instead of deadlocking (the
// SQLite writer has one connection) or committing apart from its parent.
type inTx struct{}

// ErrNested is returned when a transaction is begun inside another.
var ErrNested = errors.New("store: a transaction was begun inside another transaction; pass the outer one's Tx instead")

// Transact runs fn in a read-write transaction at isolation level iso,
// committing if fn returns nil and rolling back otherwise, or on a panic,
// which it re-raises. fn gets a context marked as inside the transaction:
// beginning another with it returns ErrNested.
//
// What iso guarantees, and so what fn may rely on:
//   - sql.LevelReadCommitted (PostgreSQL's default): each statement sees
//     what was committed before it began; two transactions may read the
//     same row and both write it. Money paths at this level take row locks
//     (SELECT … FOR UPDATE, Dialect.ForUpdate) or compare a version column
//     before they write. A deadlock (40P01) reruns fn.
//   - sql.LevelRepeatableRead, sql.LevelSerializable: fn sees one snapshot,
//     and PostgreSQL aborts a transaction whose snapshot another commit has
//     invalidated (SQLSTATE 40001); Transact then reruns fn from the start,
//     so fn must not have effects outside the transaction.
//
// SQLite runs every write transaction serializably (one writer, BEGIN
// IMMEDIATE) whatever iso says; a busy database reruns fn.
func (db *DB) Transact(ctx context.Context, iso sql.IsolationLevel, fn func(context.Context, *Tx) error) error {
	var opts *sql.TxOptions
	if db.Engine == Postgres && iso != sql.LevelDefault {
		opts = &sql.TxOptions{Isolation: iso}
	}
	return db.run(ctx, db.rw, opts, fn)
}

// View runs fn in a read-only transaction: on PostgreSQL at REPEATABLE
// READ, so every statement of fn reads the same snapshot.
func (db *DB) View(ctx context.Context, fn func(context.Context, *Tx) error) error {
	var opts *sql.TxOptions
	if db.Engine == Postgres {
		opts = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	return db.run(ctx, db.ro, opts, fn)
}

// Read runs fn on one pooled read connection without a transaction: each
// statement sees the latest committed data, but several statements are not
// one snapshot. It saves PostgreSQL the BEGIN and COMMIT round trips, which
// matters on hot read paths; use View when the reads must agree.
func (db *DB) Read(ctx context.Context, fn func(context.Context, *Tx) error) error {
	if ctx.Value(inTx{}) != nil {
		return ErrNested
	}
	return fn(context.WithValue(ctx, inTx{}, true), &Tx{db: db, q: db.ro, pool: db.ro})
}

// Exec runs one write statement on its own, committed by itself: no BEGIN
// and COMMIT round trips, for writes that are a single statement. A
// deadlock or busy database is retried as Transact retries.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if ctx.Value(inTx{}) != nil {
		return nil, ErrNested
	}
	var res sql.Result
	err := db.retry(ctx, nil, func() error {
		var err error
		res, err = db.autocommit().Exec(ctx, query, args...)
		return err
	})
	return res, err
}

// autocommit is the write connection without a transaction: each
// statement commits on its own.
func (db *DB) autocommit() *Tx { return &Tx{db: db, q: db.rw, pool: db.rw} }

func (db *DB) run(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(context.Context, *Tx) error) error {
	if ctx.Value(inTx{}) != nil {
		return ErrNested
	}
	return db.retry(ctx, opts, func() error { return db.runOnce(ctx, pool, opts, fn) })
}

// retry runs fn again, with a growing pause, up to maxAttempts times, after
// a deadlock or busy database, and after a serialization failure when the
// transaction ran at REPEATABLE READ or above (at READ COMMITTED PostgreSQL
// never raises one; a 40001 there is an error to report, not to hide).
func (db *DB) retry(ctx context.Context, opts *sql.TxOptions, fn func() error) error {
	snapshot := opts != nil && opts.Isolation >= sql.LevelRepeatableRead
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		err = fn()
		if err == nil || !retryable(err, snapshot) || ctx.Err() != nil {
			return err
		}
		db.log.WarnContext(ctx, "retrying", "attempt", attempt, "err", err)
		time.Sleep(time.Duration(attempt*attempt) * 5 * time.Millisecond)
	}
	return err
}

func (db *DB) runOnce(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(context.Context, *Tx) error) (err error) {
	sqltx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return translate(err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = sqltx.Rollback() // also on a panic, which then goes on up
		}
	}()
	if err = fn(context.WithValue(ctx, inTx{}, true), &Tx{db: db, q: sqltx, pool: pool, tx: sqltx}); err != nil {
		return err
	}
	committed = true
	return translate(sqltx.Commit())
}

// retryable tells whether err leaves nothing written and may pass if the
// transaction runs again: a deadlock, a busy SQLite database, or (with
// snapshot, at REPEATABLE READ or above) a serialization failure.
func retryable(err error, snapshot bool) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "40P01" || (snapshot && pg.Code == "40001")
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		return lite.Code()&0xff == sqlite3.SQLITE_BUSY
	}
	return false
}

// ErrNoRows is returned by single-row lookups that find nothing.
var ErrNoRows = sql.ErrNoRows

// Translate maps engine errors to the domain vocabulary (uniqueness →
// errs.Conflict), for the errors a domain store reads from Row.Scan,
// which Tx cannot translate itself.
func Translate(err error) error { return translate(err) }

// translate maps engine errors to the domain vocabulary where a client can
// act on them (uniqueness → conflict); others pass through unchanged.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505":
			return &errs.Error{Code: errs.Conflict, Message: "already exists"}
		case "23503":
			return &errs.Error{Code: errs.Conflict, Message: "refers to something that does not exist"}
		}
		return err
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		switch lite.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &errs.Error{Code: errs.Conflict, Message: "already exists"}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &errs.Error{Code: errs.Conflict, Message: "refers to something that does not exist"}
		}
	}
	return err
}

// rebind turns $N placeholders into SQLite's ?N form. Queries are constants,
// so the result is cached.
func (db *DB) rebind(q string) string {
	if db.Engine != SQLite {
		return q
	}
	if v, ok := db.rebindCache.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(q))
	inString := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c == '\'' {
			inString = !inString
		}
		if c == '$' && !inString && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9' {
			b.WriteByte('?')
			continue
		}
		b.WriteByte(c)
	}
	r := b.String()
	db.rebindCache.Store(q, r)
	return r
}

// stmt returns q prepared on the read pool, for SQLite reads outside a
// transaction, where the driver would otherwise parse the SQL again on
// every call (parsing was two thirds of a read's CPU). It returns nil
// inside transactions: preparing on a pool needs a free connection, and the
// writer pool's only connection is the transaction's own, so that would
// deadlock. PostgreSQL's driver (pgx) caches prepared statements per
// connection itself.
func (t *Tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if t.db.Engine != SQLite || t.tx != nil {
		return nil
	}
	key := stmtKey{t.pool, q}
	if v, ok := t.db.stmts.Load(key); ok {
		return v.(*sql.Stmt)
	}
	st, err := t.pool.PrepareContext(ctx, q)
	if err != nil {
		return nil // the unprepared call reports the error
	}
	if v, loaded := t.db.stmts.LoadOrStore(key, st); loaded {
		st.Close()
		return v.(*sql.Stmt)
	}
	return st
}

// Exec runs a statement.
func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	q = t.db.rebind(q)
	if st := t.stmt(ctx, q); st != nil {
		r, err := st.ExecContext(ctx, args...)
		return r, translate(err)
	}
	r, err := t.q.ExecContext(ctx, q, args...)
	return r, translate(err)
}

// Query runs a query returning rows.
func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	q = t.db.rebind(q)
	if st := t.stmt(ctx, q); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		return rows, translate(err)
	}
	rows, err := t.q.QueryContext(ctx, q, args...)
	return rows, translate(err)
}

// QueryRow runs a query returning at most one row.
func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	q = t.db.rebind(q)
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.q.QueryRowContext(ctx, q, args...)
}

// Engine tells which engine the transaction runs on.
func (t *Tx) Engine() Engine { return t.db.Engine }

// tables lists every application table, for RowCounts.
var tables = []string{"users", "sessions", "otps", "profiles", "contacts", "work_infos", "banks", "bank_cards",
	"cities", "income_bands", "support_questions", "support_phones", "settings", "messages", "sms_outbox",
	"payment_recipients", "rate_counters", "loan_products", "loans", "ledger_transactions", "ledger_postings", "ledger_balances",
	"payments", "sandbox_events", "sandbox_cancelled_checkouts", "risk_list_entries", "job_leases", "cob_runs",
	"kyc_bindings", "kyc_submissions", "kyc_documents", "kyc_document_views", "kyc_outbox",
	// risk engine (005_risk)
	"risk_velocity_events", "risk_counter_keys", "risk_contact_links", "risk_decisions", "risk_feedback", "risk_policies",
	// operator console (007_staff)
	"staff", "staff_sessions", "review_claims", "staff_audit", "staff_audit_head", "signin_attempts",
	"partners", "credit_reports", "risk_shadow", "key_check", "payout_events", "payout_retries"}

// RowCounts counts the rows of every application table (operations views,
// and tests proving a refused request wrote nothing).
func (db *DB) RowCounts(ctx context.Context) (map[string]int64, error) {
	out := make(map[string]int64, len(tables))
	err := db.View(ctx, func(ctx context.Context, t *Tx) error {
		for _, name := range tables {
			var n int64
			if err := t.QueryRow(ctx, `SELECT COUNT(*) FROM `+name).Scan(&n); err != nil {
				return fmt.Errorf("count %s: %w", name, err)
			}
			out[name] = n
		}
		return nil
	})
	return out, err
}
