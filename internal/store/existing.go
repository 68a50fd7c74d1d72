package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// OpenExisting opens the database named by url (empty: DataDir's SQLite
// file) as Open does, but only when it exists and its schema is up to
// date: it never creates a file, a folder or a table, and never migrates.
// The commands that work on a deployment's data (ledger verify, cob run,
// blobs check, partner, staff, risk) open it this way, so a mistyped
// --data or --database-url fails naming what was not found instead of
// answering from a new, empty database.
func OpenExisting(ctx context.Context, url, dataDir string, log *slog.Logger) (*DB, error) {
	where := "PostgreSQL database"
	if url == "" {
		path := filepath.Join(dataDir, "creditpocket.db")
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no creditpocket database: %s does not exist (check --data, or give --database-url for PostgreSQL; serve or migrate creates one)", path)
		} else if err != nil {
			return nil, fmt.Errorf("no creditpocket database: %w", err)
		}
		where = "SQLite database " + path
	}
	db, err := Open(ctx, url, dataDir, log)
	if err != nil {
		return nil, err
	}
	if err := db.checkMigrated(ctx, where); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// checkMigrated fails unless every embedded migration is applied.
func (db *DB) checkMigrated(ctx context.Context, where string) error {
	exists := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	if db.Engine == Postgres {
		exists = `SELECT COUNT(*) FROM (SELECT to_regclass('schema_migrations') AS t) s WHERE t IS NOT NULL`
	}
	var n int
	if err := db.rw.QueryRowContext(ctx, exists).Scan(&n); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	if n == 0 {
		return fmt.Errorf("%s holds no creditpocket schema (check --data or --database-url; serve or migrate creates one)", where)
	}
	pending, err := db.Pending(ctx)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		names := make([]string, len(pending))
		for i, m := range pending {
			names[i] = fmt.Sprintf("%03d_%s", m.Version, m.Name)
		}
		return fmt.Errorf("%s is behind this version: migration(s) %s not applied; run creditpocket migrate", where, strings.Join(names, ", "))
	}
	return nil
}

// Pending lists the embedded migrations the database has not applied.
func (db *DB) Pending(ctx context.Context) ([]Migration, error) {
	ms, err := Migrations(db.Engine)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, m := range ms {
		done, err := db.migrationApplied(ctx, m.Version)
		if err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		if !done {
			out = append(out, m)
		}
	}
	return out, nil
}

// KeyCheck returns the database's recorded key check value. When none is
// recorded yet it calls first, which may refuse (a key that does not open
// data stored before the check existed), and then records value; of
// processes racing to record, the first wins and all return its value.
// The caller compares the result with its own value.
func (db *DB) KeyCheck(ctx context.Context, value string, first func() error) (recorded string, err error) {
	read := func() error {
		return db.Read(ctx, func(ctx context.Context, t *Tx) error {
			return t.QueryRow(ctx, `SELECT check_value FROM key_check WHERE id = 1`).Scan(&recorded)
		})
	}
	switch err := read(); {
	case err == nil:
		return recorded, nil
	case !errors.Is(err, ErrNoRows):
		return "", fmt.Errorf("read key check value: %w", err)
	}
	if err := first(); err != nil {
		return "", err
	}
	if _, err := db.Exec(ctx, `INSERT INTO key_check (id, check_value, recorded_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING`,
		value, time.Now().UnixMilli()); err != nil {
		return "", fmt.Errorf("record key check value: %w", err)
	}
	if err := read(); err != nil {
		return "", fmt.Errorf("read key check value: %w", err)
	}
	return recorded, nil
}

// SealedIDNumber returns one stored profile's sealed ID number and its
// user, ok false when there is none: a sample to try a key on.
func (db *DB) SealedIDNumber(ctx context.Context) (userID int64, sealed []byte, ok bool, err error) {
	err = db.Read(ctx, func(ctx context.Context, t *Tx) error {
		return t.QueryRow(ctx, `SELECT user_id, id_number_enc FROM profiles ORDER BY user_id LIMIT 1`).Scan(&userID, &sealed)
	})
	if errors.Is(err, ErrNoRows) {
		return 0, nil, false, nil
	}
	return userID, sealed, err == nil, err
}

// SealedTOTP returns one staff member's sealed TOTP secret and e-mail, ok
// false when there is none: another sample to try a key on.
func (db *DB) SealedTOTP(ctx context.Context) (email string, sealed []byte, ok bool, err error) {
	err = db.Read(ctx, func(ctx context.Context, t *Tx) error {
		return t.QueryRow(ctx, `SELECT email, totp_sealed FROM staff ORDER BY id LIMIT 1`).Scan(&email, &sealed)
	})
	if errors.Is(err, ErrNoRows) {
		return "", nil, false, nil
	}
	return email, sealed, err == nil, err
}

// SealedApplicant returns one KYC submission's sealed applicant fields and
// its binding, ok false when there is none: another sample to try a key on.
func (db *DB) SealedApplicant(ctx context.Context) (bindingID int64, sealed []byte, ok bool, err error) {
	err = db.Read(ctx, func(ctx context.Context, t *Tx) error {
		return t.QueryRow(ctx, `SELECT binding_id, applicant FROM kyc_submissions ORDER BY id LIMIT 1`).Scan(&bindingID, &sealed)
	})
	if errors.Is(err, ErrNoRows) {
		return 0, nil, false, nil
	}
	return bindingID, sealed, err == nil, err
}
