package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"creditpocket/internal/page"
)

// Collect runs a query and scans every row with scan.
func Collect[T any](ctx context.Context, t *Tx, scan func(Scanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := t.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Paged counts with countQ and lists one page with listQ, which ends in
// LIMIT and takes the same arguments as countQ followed by the limit.
func Paged[T any](ctx context.Context, t *Tx, p page.Request, scan func(Scanner) (T, error), countQ, listQ string, args ...any) (page.Result[T], error) {
	var res page.Result[T]
	if err := t.QueryRow(ctx, countQ, args...).Scan(&res.Total); err != nil {
		return res, err
	}
	var err error
	listQ, args = pageArgs(p, listQ, args)
	res.Items, err = Collect(ctx, t, scan, listQ, args...)
	return res, err
}

// OwnPaged is Paged for the lists of one borrower's rows (loans, cards,
// messages), few enough to count while listing them: listQ's first column
// is COUNT(*) OVER (), so a page is one statement instead of two. Only
// past the last row, where no row carries the count, is countQ asked.
func OwnPaged[T any](ctx context.Context, t *Tx, p page.Request, scan func(Scanner) (T, error), countQ, listQ string, args ...any) (page.Result[T], error) {
	var res page.Result[T]
	q, pargs := pageArgs(p, listQ, args)
	var err error
	res.Items, err = Collect(ctx, t, func(r Scanner) (T, error) { return scan(Prefixed{r, &res.Total}) }, q, pargs...)
	if err != nil || len(res.Items) > 0 {
		return res, err
	}
	return res, t.QueryRow(ctx, countQ, args...).Scan(&res.Total)
}

// pageArgs adds the page's limit to a list's arguments and, past the first
// page, an OFFSET to its text. The first page, which apps ask for nearly
// always, goes without: with an OFFSET parameter PostgreSQL prices its
// reusable generic plan above a plan made for the values at hand (it
// guesses the offset skips rows), so it planned the borrower's loan list
// afresh on every call, six times as long as running it.
func pageArgs(p page.Request, listQ string, args []any) (string, []any) {
	args = append(args[:len(args):len(args)], p.Limit())
	if off := p.Offset(); off > 0 {
		listQ += " OFFSET $" + strconv.Itoa(len(args)+1)
		args = append(args, off)
	}
	return listQ, args
}

// ViewAll is Collect in its own read-only transaction.
func ViewAll[T any](ctx context.Context, db *DB, scan func(Scanner) (T, error), q string, args ...any) ([]T, error) {
	var out []T
	err := db.View(ctx, func(ctx context.Context, t *Tx) error {
		var err error
		out, err = Collect(ctx, t, scan, q, args...)
		return err
	})
	return out, err
}

// ViewPaged is Paged in its own read-only transaction.
func ViewPaged[T any](ctx context.Context, db *DB, p page.Request, scan func(Scanner) (T, error), countQ, listQ string, args ...any) (page.Result[T], error) {
	var res page.Result[T]
	err := db.View(ctx, func(ctx context.Context, t *Tx) error {
		var err error
		res, err = Paged(ctx, t, p, scan, countQ, listQ, args...)
		return err
	})
	return res, err
}

// Scanner is a row to scan: *sql.Row or *sql.Rows.
type Scanner interface{ Scan(dest ...any) error }

// Prefixed scans its first column into first and the rest with the
// wrapped Scanner's caller, so a row Scanner can be shared by queries that
// select one more column in front.
type Prefixed struct {
	Row   Scanner
	First any
}

func (p Prefixed) Scan(dest ...any) error { return p.Row.Scan(append([]any{p.First}, dest...)...) }

// Affected returns rows affected, treating driver errors as internal.
func Affected(r sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

// Millis converts a time to the stored form.
func Millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// FromMillis converts the stored form back; 0 is the zero time.
func FromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// NullMillis stores an optional time as NULL when zero.
func NullMillis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// FromNullMillis converts an optional stored time back; NULL is the zero time.
func FromNullMillis(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return FromMillis(n.Int64)
}
