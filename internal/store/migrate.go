package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one numbered schema change, NNN_name.up.sql. Versions are
// unique and in order but may have gaps: work done in parallel lands in any
// order, and a version added below an applied one is still applied (each is
// recorded on its own), so migrations must not depend on ones they do not
// follow in number.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the engine's embedded migrations in order.
func Migrations(e Engine) ([]Migration, error) {
	dir := path.Join("migrations", string(e))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, ent := range entries {
		name := ent.Name()
		if !strings.HasSuffix(name, ".up.sql") {
			continue
		}
		num, rest, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNN_name.up.sql", name)
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: strings.TrimSuffix(rest, ".up.sql"), SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("migrations for %s: version %d is used twice", e, ms[i].Version)
		}
	}
	return ms, nil
}

// Migrate applies every migration not yet applied, in version order, each in its own
// transaction together with its row in schema_migrations, and returns the
// versions it applied. Two processes migrating at once is safe: the loser's
// transaction fails on the version's primary key and rolls back, and it
// re-reads what is applied.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	ms, err := Migrations(db.Engine)
	if err != nil {
		return nil, err
	}
	if _, err := db.rw.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at BIGINT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var applied []int
	for _, m := range ms {
		done, err := db.migrationApplied(ctx, m.Version)
		if err != nil {
			return applied, err
		}
		if done {
			continue
		}
		err = db.Transact(ctx, sql.LevelReadCommitted, func(ctx context.Context, tx *Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, time.Now().UnixMilli()); err != nil {
				return err
			}
			_, err := tx.q.ExecContext(ctx, m.SQL) // not rebound or prepared: DDL text per engine
			return err
		})
		if err != nil {
			if done, again := db.migrationApplied(ctx, m.Version); again == nil && done {
				continue // another process applied it meanwhile
			}
			return applied, fmt.Errorf("migration %03d_%s: %w", m.Version, m.Name, err)
		}
		applied = append(applied, m.Version)
		db.log.Info("applied migration", "version", m.Version, "name", m.Name)
	}
	return applied, nil
}

func (db *DB) migrationApplied(ctx context.Context, v int) (bool, error) {
	var n int
	err := db.rw.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = $1`), v).Scan(&n)
	return n > 0, err
}
