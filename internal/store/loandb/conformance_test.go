package loandb_test

import (
	"fmt"
	"testing"

	"creditpocket/internal/loan"
	"creditpocket/internal/loan/loantest"
	"creditpocket/internal/store"
	"creditpocket/internal/store/loandb"
	"creditpocket/internal/store/storetest"
)

// TestStoreConforms runs the loan store's conformance suite on every
// engine, each case on a fresh database with the suite's borrowers.
func TestStoreConforms(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		loantest.Exercise(t, func(t *testing.T) loan.Store {
			db := storetest.Open(t, e)
			for i := range loantest.Borrowers {
				u := mustUser(t, db, fmt.Sprintf("234706842500%d", i+1))
				if u.ID != int64(i+1) {
					t.Fatalf("borrower %d stored with id %d", i+1, u.ID)
				}
			}
			return loandb.New(db)
		})
	})
}
