// Package storetest gives tests a fresh, migrated database on every engine
// creditpocket supports, so one conformance suite runs against real SQLite
// and real PostgreSQL (never a mock).
//
// SQLite is always available (a file in t.TempDir). PostgreSQL is used when
// CREDITPOCKET_TEST_POSTGRES_URL names a server the tests may create schemas
// in; each test gets its own schema, dropped afterwards. When
// CREDITPOCKET_TEST_REQUIRE_POSTGRES=1 (as the project's test script sets
// it) a missing PostgreSQL fails the tests instead of skipping them.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"creditpocket/internal/store"
)

// PostgresURLEnv names the environment variable with the admin URL.
const PostgresURLEnv = "CREDITPOCKET_TEST_POSTGRES_URL"

// Engines lists the engines to test on.
func Engines(t testing.TB) []store.Engine {
	t.Helper()
	es := []store.Engine{store.SQLite}
	if os.Getenv(PostgresURLEnv) != "" {
		es = append(es, store.Postgres)
	} else if os.Getenv("CREDITPOCKET_TEST_REQUIRE_POSTGRES") == "1" {
		t.Fatalf("%s is not set but CREDITPOCKET_TEST_REQUIRE_POSTGRES=1", PostgresURLEnv)
	}
	return es
}

// Run runs fn as a subtest on each engine.
func Run(t *testing.T, fn func(t *testing.T, e store.Engine)) {
	for _, e := range Engines(t) {
		t.Run(string(e), func(t *testing.T) { fn(t, e) })
	}
}

// URL returns a database URL for a fresh, empty database on engine e, and
// the data folder to use with it. Cleanup is registered on t.
func URL(t testing.TB, e store.Engine) (dbURL, dataDir string) {
	t.Helper()
	dataDir = t.TempDir()
	if e == store.SQLite {
		return "", dataDir
	}
	admin := os.Getenv(PostgresURLEnv)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), dataDir
}

// Open returns a fresh, migrated database on engine e.
func Open(t testing.TB, e store.Engine) *store.DB {
	t.Helper()
	dbURL, dir := URL(t, e)
	var db *store.DB
	var err error
	if dbURL == "" {
		db, err = store.OpenSQLiteFile(context.Background(), filepath.Join(dir, "test.db"), nil)
	} else {
		db, err = store.Open(context.Background(), dbURL, dir, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}
