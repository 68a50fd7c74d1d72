package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

func TestTransactions(t *testing.T) {
	ctx := context.Background()
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		setting := func(t *testing.T) string {
			t.Helper()
			var v string
			err := db.Read(ctx, func(ctx context.Context, tx *store.Tx) error {
				return tx.QueryRow(ctx, `SELECT value FROM settings WHERE key = 'transact-test'`).Scan(&v)
			})
			if errors.Is(err, sql.ErrNoRows) {
				return ""
			}
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		put := func(ctx context.Context, tx *store.Tx, v string) error {
			_, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES ('transact-test', $1)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, v)
			return err
		}

		t.Run("a transaction begun inside another is refused, and the outer one can still commit", func(t *testing.T) {
			err := db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, tx *store.Tx) error {
				for name, nested := range map[string]func() error{
					"Transact": func() error {
						return db.Transact(ctx, sql.LevelReadCommitted, func(context.Context, *store.Tx) error { return nil })
					},
					"View": func() error { return db.View(ctx, func(context.Context, *store.Tx) error { return nil }) },
					"Read": func() error { return db.Read(ctx, func(context.Context, *store.Tx) error { return nil }) },
					"Exec": func() error { _, err := db.Exec(ctx, `SELECT 1`); return err },
				} {
					if err := nested(); !errors.Is(err, store.ErrNested) {
						t.Errorf("nested %s: got %v, want ErrNested", name, err)
					}
				}
				return put(ctx, tx, "outer")
			})
			if err != nil {
				t.Fatal(err)
			}
			if v := setting(t); v != "outer" {
				t.Fatalf("value %q, want the outer transaction's", v)
			}
		})

		t.Run("a panic rolls the transaction back and goes on up", func(t *testing.T) {
			func() {
				defer func() {
					if recover() == nil {
						t.Fatal("the panic was swallowed")
					}
				}()
				_ = db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, tx *store.Tx) error {
					if err := put(ctx, tx, "panicked"); err != nil {
						t.Fatal(err)
					}
					panic("boom")
				})
			}()
			if v := setting(t); v != "outer" {
				t.Fatalf("value %q after the panic, want the previous one", v)
			}
			// The connection went back to the pool usable: SQLite has one writer.
			if err := db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, tx *store.Tx) error { return put(ctx, tx, "after") }); err != nil {
				t.Fatal(err)
			}
		})

		if e != store.Postgres {
			return // SQLite has one writer: no write is ever lost to a concurrent one
		}
		// Each attempt of fn reads the value, lets another connection
		// change it, then writes: a lost update at READ COMMITTED, a
		// serialization failure (retried) at REPEATABLE READ.
		race := func(t *testing.T, iso sql.IsolationLevel) (attempts int, err error) {
			if err := db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, tx *store.Tx) error { return put(ctx, tx, "0") }); err != nil {
				t.Fatal(err)
			}
			err = db.Transact(ctx, iso, func(ctx context.Context, tx *store.Tx) error {
				attempts++
				var v string
				if err := tx.QueryRow(ctx, `SELECT value FROM settings WHERE key = 'transact-test'`).Scan(&v); err != nil {
					return err
				}
				if attempts == 1 {
					if _, err := db.Exec(context.Background(), `UPDATE settings SET value = 'other' WHERE key = 'transact-test'`); err != nil {
						return err
					}
				}
				_, err := tx.Exec(ctx, `UPDATE settings SET value = $1 WHERE key = 'transact-test'`, v+"+1")
				return err
			})
			return attempts, err
		}
		t.Run("at repeatable read a serialization failure reruns the function on a fresh snapshot", func(t *testing.T) {
			attempts, err := race(t, sql.LevelRepeatableRead)
			if err != nil {
				t.Fatal(err)
			}
			if attempts != 2 || setting(t) != "other+1" {
				t.Fatalf("attempts %d, value %q; want 2 and other+1", attempts, setting(t))
			}
		})
		t.Run("at read committed the function runs once and nothing is retried", func(t *testing.T) {
			attempts, err := race(t, sql.LevelReadCommitted)
			if err != nil {
				t.Fatal(err)
			}
			if attempts != 1 || setting(t) != "0+1" {
				t.Fatalf("attempts %d, value %q; want 1 and the lost update 0+1 that row locks exist to prevent", attempts, setting(t))
			}
		})
	})
}

func TestStatsCountStatementsRoundTripsAndCommits(t *testing.T) {
	ctx := context.Background()
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		if e != store.Postgres {
			t.Skip("only PostgreSQL is counted")
		}
		db := storetest.Open(t, e)
		before := db.Stats()
		err := db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES ('stats', '1')`); err != nil {
				return err
			}
			var v string
			return tx.QueryRow(ctx, `SELECT value FROM settings WHERE key = 'stats'`).Scan(&v)
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `UPDATE settings SET value = '2' WHERE key = 'stats'`); err != nil {
			t.Fatal(err)
		}
		got := db.Stats().Sub(before)
		// BEGIN, INSERT, SELECT, COMMIT, then the UPDATE on its own.
		if want := (store.Stats{Statements: 3, RoundTrips: 5, Commits: 2}); got != want {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	})
}
