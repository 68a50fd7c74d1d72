package kycdb_test

import (
	"context"
	"testing"

	"creditpocket/internal/kyc/kyctest"
	"creditpocket/internal/store"
	"creditpocket/internal/store/kycdb"
	"creditpocket/internal/store/storetest"
)

func TestStoreMeetsTheKYCContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		kyctest.Exercise(t, func(t *testing.T) kyctest.Stores {
			db := storetest.Open(t, e)
			return kyctest.Stores{Store: kycdb.New(db), Outbox: kycdb.NewOutbox(db), Count: func(t *testing.T, table string) int64 {
				t.Helper()
				c, err := db.RowCounts(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				return c[table]
			}}
		})
	})
}
