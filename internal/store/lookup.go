package store

import (
	"context"
	"database/sql"
	"errors"

	"creditpocket/internal/errs"
)

// notFound turns a lookup that found no row into errs.NotFound naming what.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "%s not found", what)
	}
	return err
}

// exists tells whether q returns a row.
func (t *Tx) exists(ctx context.Context, q string, args ...any) (bool, error) {
	var one int
	err := t.QueryRow(ctx, q, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
