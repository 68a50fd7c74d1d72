package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"creditpocket/internal/errs"
)

// The helpers below are what the domain stores share beyond rows.go: how
// a missing row reads in the domain vocabulary, and the few places the
// two engines' SQL differs.

// NotFound turns a look-up that found no row into errs.NotFound naming
// what; other errors pass through.
func NotFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "%s not found", what)
	}
	return err
}

// Exists reports whether q returns a row.
func (t *Tx) Exists(ctx context.Context, q string, args ...any) (bool, error) {
	var one int
	err := t.QueryRow(ctx, q, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// ForUpdate is the clause that locks the rows a read returns until the
// transaction ends: " FOR UPDATE" on PostgreSQL; nothing on SQLite, whose
// one writer's transaction excludes every other already.
func (t *Tx) ForUpdate() string {
	if t.db.Engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// Placeholders is "$from, $from+1, …" for n parameters.
func Placeholders(from, n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = "$" + strconv.Itoa(from+i)
	}
	return strings.Join(ps, ", ")
}

// MaxBatchParams keeps a multi-row statement under both engines' limits on
// bound parameters (SQLite 32766, PostgreSQL 65535).
const MaxBatchParams = 8000

// ValuesList appends "($1, $2…), (…)" for rows to prefix and returns the
// statement with its arguments.
func ValuesList(prefix string, rows [][]any) (string, []any) {
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

// InsertRows runs prefix followed by as many value tuples per statement as
// MaxBatchParams allows.
func (t *Tx) InsertRows(ctx context.Context, prefix string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, MaxBatchParams/len(rows[0]))
	for start := 0; start < len(rows); start += per {
		q, args := ValuesList(prefix, rows[start:min(start+per, len(rows))])
		if _, err := t.Exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}
