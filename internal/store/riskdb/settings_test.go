package riskdb

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

// The settings a gather sends inside its list look-up hold for the rest
// of its batch whether or not anything is listed: the look-up's LEFT JOIN
// keeps the one row they are evaluated on.
func TestListLookUpSetsTheGathersSettings(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		if e != store.Postgres {
			t.Skip("the settings are PostgreSQL's")
		}
		db := storetest.Open(t, e)
		ctx := context.Background()
		var b pgx.Batch
		rows := 0
		b.Queue(pgListsAndSettingsSQL, int64(0), []string{"phone"}, []string{"no-such-hash"}).Query(func(rs pgx.Rows) error {
			for rs.Next() {
				if rs.RawValues()[1] != nil {
					t.Errorf("a list entry for a hash never listed: %v", rs.RawValues())
				}
				rows++
			}
			return rs.Err()
		})
		var commit, plans string
		b.Queue(`SELECT current_setting('synchronous_commit'), current_setting('plan_cache_mode')`).QueryRow(func(r pgx.Row) error {
			return r.Scan(&commit, &plans)
		})
		if err := db.Pgx(ctx, func(c *pgx.Conn) error { return c.SendBatch(ctx, &b).Close() }); err != nil {
			t.Fatal(err)
		}
		if rows != 1 || commit != "off" || plans != "force_generic_plan" {
			t.Errorf("look-up rows %d, then synchronous_commit %q, plan_cache_mode %q; want 1 row, off, force_generic_plan", rows, commit, plans)
		}
	})
}
