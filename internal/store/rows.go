package store

import (
	"context"

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

// paged counts with countQ and lists one page with listQ; listQ takes the
// same arguments as countQ followed by LIMIT and OFFSET.
func paged[T any](ctx context.Context, t *Tx, p page.Request, scan func(scanner) (T, error), countQ, listQ string, args ...any) (page.Result[T], error) {
	var res page.Result[T]
	if err := t.QueryRow(ctx, countQ, args...).Scan(&res.Total); err != nil {
		return res, err
	}
	var err error
	res.Items, err = collect(ctx, t, scan, listQ, append(args, p.Limit(), p.Offset())...)
	return res, err
}

// viewAll is collect in its own read-only transaction.
func viewAll[T any](ctx context.Context, db *DB, scan func(scanner) (T, error), q string, args ...any) ([]T, error) {
	var out []T
	err := db.View(ctx, func(t *Tx) error {
		var err error
		out, err = collect(ctx, t, scan, q, args...)
		return err
	})
	return out, err
}

// viewPaged is paged in its own read-only transaction.
func viewPaged[T any](ctx context.Context, db *DB, p page.Request, scan func(scanner) (T, error), countQ, listQ string, args ...any) (page.Result[T], error) {
	var res page.Result[T]
	err := db.View(ctx, func(t *Tx) error {
		var err error
		res, err = paged(ctx, t, p, scan, countQ, listQ, args...)
		return err
	})
	return res, err
}
