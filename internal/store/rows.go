package store

import (
	"context"
	"strconv"

	"creditpocket/internal/page"
)

// collect runs a query and scans every row with scan.
func collect[T any](ctx context.Context, t *Tx, scan func(scanner) (T, error), q string, args ...any) ([]T, error) {
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

// paged counts with countQ and lists one page with listQ, which ends in
// LIMIT and takes the same arguments as countQ followed by the limit.
func paged[T any](ctx context.Context, t *Tx, p page.Request, scan func(scanner) (T, error), countQ, listQ string, args ...any) (page.Result[T], error) {
	var res page.Result[T]
	if err := t.QueryRow(ctx, countQ, args...).Scan(&res.Total); err != nil {
		return res, err
	}
	var err error
	listQ, args = pageArgs(p, listQ, args)
	res.Items, err = collect(ctx, t, scan, listQ, args...)
	return res, err
}

// ownPaged is paged for the lists of one borrower's rows (loans, cards,
// messages), few enough to count while listing them: listQ's first column
// is COUNT(*) OVER (), so a page is one statement instead of two. Only
// past the last row, where no row carries the count, is countQ asked.
func ownPaged[T any](ctx context.Context, t *Tx, p page.Request, scan func(scanner) (T, error), countQ, listQ string, args ...any) (page.Result[T], error) {
	var res page.Result[T]
	q, pargs := pageArgs(p, listQ, args)
	var err error
	res.Items, err = collect(ctx, t, func(r scanner) (T, error) { return scan(prefixed{r, &res.Total}) }, q, pargs...)
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

// viewAll is collect in its own read-only transaction.
func viewAll[T any](ctx context.Context, db *DB, scan func(scanner) (T, error), q string, args ...any) ([]T, error) {
	var out []T
	err := db.View(ctx, func(ctx context.Context, t *Tx) error {
		var err error
		out, err = collect(ctx, t, scan, q, args...)
		return err
	})
	return out, err
}

// viewPaged is paged in its own read-only transaction.
func viewPaged[T any](ctx context.Context, db *DB, p page.Request, scan func(scanner) (T, error), countQ, listQ string, args ...any) (page.Result[T], error) {
	var res page.Result[T]
	err := db.View(ctx, func(ctx context.Context, t *Tx) error {
		var err error
		res, err = paged(ctx, t, p, scan, countQ, listQ, args...)
		return err
	})
	return res, err
}
