package store

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Pgx runs fn on a pooled PostgreSQL connection's pgx.Conn, for what
// database/sql cannot express: a pipelined batch.
func (db *DB) Pgx(ctx context.Context, fn func(*pgx.Conn) error) error {
	c, err := db.rw.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Raw(func(dc any) error { return fn(dc.(*stdlib.Conn).Conn()) })
}
