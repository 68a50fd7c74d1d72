package store

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// Stats counts what the database was asked, for benchmarks that report
// statements and round trips per operation (BenchmarkLoanApply). Only
// PostgreSQL is counted, where a round trip crosses the network; SQLite
// runs in the process.
type Stats struct {
	// Statements is the SQL statements run, without BEGIN, COMMIT and
	// ROLLBACK; a statement in a batch counts once.
	Statements int64
	// RoundTrips is the requests sent to the server and waited for: every
	// statement (BEGIN and COMMIT included) run on its own, and a batch
	// of statements once.
	RoundTrips int64
	// Commits is the transactions committed: each COMMIT, and each write
	// statement run outside a transaction (it commits by itself).
	Commits int64
}

// Stats returns the counts so far; subtract two of them to count what
// happened in between.
func (db *DB) Stats() Stats {
	if db.counts == nil {
		return Stats{}
	}
	return Stats{
		Statements: db.counts.statements.Load(),
		RoundTrips: db.counts.roundTrips.Load(),
		Commits:    db.counts.commits.Load(),
	}
}

// Sub is s minus an earlier reading.
func (s Stats) Sub(earlier Stats) Stats {
	return Stats{s.Statements - earlier.Statements, s.RoundTrips - earlier.RoundTrips, s.Commits - earlier.Commits}
}

// counter is a pgx tracer that counts statements, round trips and commits.
type counter struct {
	statements, roundTrips, commits atomic.Int64
}

func (c *counter) TraceQueryStart(ctx context.Context, conn *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.roundTrips.Add(1)
	verb := firstWord(d.SQL)
	switch {
	case strings.EqualFold(verb, "begin"), strings.EqualFold(verb, "rollback"):
	case strings.EqualFold(verb, "commit"):
		c.commits.Add(1)
	default:
		c.statements.Add(1)
		if conn.PgConn().TxStatus() == 'I' && !strings.EqualFold(verb, "select") {
			c.commits.Add(1)
		}
	}
	return ctx
}

func (c *counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *counter) TraceBatchStart(ctx context.Context, conn *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	c.roundTrips.Add(1)
	c.statements.Add(int64(d.Batch.Len()))
	if conn.PgConn().TxStatus() == 'I' { // a batch outside a transaction runs in one of its own
		for _, q := range d.Batch.QueuedQueries {
			if !strings.EqualFold(firstWord(q.SQL), "select") {
				c.commits.Add(1)
				break
			}
		}
	}
	return ctx
}

func (c *counter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (c *counter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// firstWord is the statement's verb as written, skipping leading blanks
// and comments; callers compare it ignoring case, so counting allocates
// nothing on this path, which every PostgreSQL statement takes.
func firstWord(q string) string {
	q = strings.TrimLeft(q, " \t\r\n(")
	for strings.HasPrefix(q, "--") {
		if i := strings.IndexByte(q, '\n'); i >= 0 {
			q = strings.TrimLeft(q[i+1:], " \t\r\n(")
		} else {
			return ""
		}
	}
	end := strings.IndexFunc(q, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == ';' })
	if end < 0 {
		end = len(q)
	}
	return q[:end]
}
