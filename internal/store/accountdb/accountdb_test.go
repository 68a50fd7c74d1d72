package accountdb_test

import (
	"context"
	"testing"

	"creditpocket/internal/account"
	"creditpocket/internal/account/accounttest"
	"creditpocket/internal/page"
	"creditpocket/internal/reference"
	"creditpocket/internal/store"
	"creditpocket/internal/store/accountdb"
	"creditpocket/internal/store/storetest"
)

var ctx = context.Background()

// open returns the account store over a fresh database holding the
// suite's reference data.
func open(t *testing.T, e store.Engine) account.Store {
	t.Helper()
	db := storetest.Open(t, e)
	if err := accountdb.NewReference(db).Seed(ctx, accounttest.Reference()); err != nil {
		t.Fatal(err)
	}
	return accountdb.New(db)
}

func TestStoreMeetsTheAccountContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		accounttest.Exercise(t, func(t *testing.T) account.Store { return open(t, e) })
	})
}

func TestReferenceSeedIsIdempotentAndPaged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		ref := accountdb.NewReference(storetest.Open(t, e))
		for range 2 {
			if err := ref.Seed(ctx, accounttest.Reference()); err != nil {
				t.Fatal(err)
			}
		}
		banks, err := ref.Banks(ctx)
		if err != nil || len(banks) != 2 || banks[0].Code != "058" || !banks[0].NUBAN {
			t.Fatalf("banks = %+v, %v", banks, err)
		}
		cities, err := ref.Cities(ctx, "Lagos", page.Request{Num: 1, Size: 1})
		if err != nil || cities.Total != 2 || len(cities.Items) != 1 || cities.Items[0].Code != "C1" {
			t.Fatalf("cities = %+v, %v", cities, err)
		}
		qs, err := ref.HotQuestions(ctx, page.Request{Num: 1, Size: 10})
		if err != nil || qs.Total != 2 {
			t.Fatalf("questions = %+v, %v", qs, err)
		}
		if v, err := ref.Setting(ctx, reference.SettingSupportEmail); v != "help@example.com" || err != nil {
			t.Fatalf("setting = %q, %v", v, err)
		}
		if v, err := ref.Setting(ctx, "missing"); v != "" || err != nil {
			t.Fatalf("missing setting = %q, %v", v, err)
		}
	})
}
