package accountdb_test

import (
	"context"
	"testing"
	"time"

	"creditpocket/internal/account"
	"creditpocket/internal/account/accounttest"
	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
	"creditpocket/internal/page"
	"creditpocket/internal/reference"
	"creditpocket/internal/sms"
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

func TestConsoleFindsBorrowersByMobileAndListsTheirMessages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		s := accountdb.New(storetest.Open(t, e))
		at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		u := &account.User{Phone: "2347068425023", CallingCode: 234, Mobile: "7068425023", PasswordHash: "h", CreatedAt: at, UpdatedAt: at}
		if err := s.Tx(ctx, func(ctx context.Context, x account.Tx) error {
			if err := x.CreateUser(ctx, u); err != nil {
				return err
			}
			for i, title := range []string{"old", "new"} {
				m := &inbox.Message{UserID: u.ID, Kind: inbox.KindAccount, Title: title, CreatedAt: at.Add(time.Duration(i) * time.Hour)}
				if err := x.AddMessage(ctx, m); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for _, mobile := range []string{"7068425023", "07068425023", "+234 706 842 5023"} {
			t.Run("the borrower is found by "+mobile, func(t *testing.T) {
				if id, err := s.BorrowerByMobile(ctx, mobile); err != nil || id != u.ID {
					t.Fatalf("BorrowerByMobile = %d, %v; want %d", id, err, u.ID)
				}
			})
		}
		t.Run("an unknown mobile is not found", func(t *testing.T) {
			if _, err := s.BorrowerByMobile(ctx, "8012345678"); !errs.Is(err, errs.NotFound) {
				t.Fatalf("err = %v, want not found", err)
			}
		})
		t.Run("messages since a time are listed oldest first", func(t *testing.T) {
			ms, err := s.BorrowerMessages(ctx, u.ID, at.Add(time.Minute), 10)
			if err != nil || len(ms) != 1 || ms[0].Title != "new" || ms[0].Read {
				t.Fatalf("BorrowerMessages = %+v, %v", ms, err)
			}
		})
	})
}

func TestTheSMSOutboxKeepsWhatWasSent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		o := accountdb.NewSMSOutbox(storetest.Open(t, e))
		at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		for _, body := range []string{"first", "second"} {
			if err := o.AddSMS(ctx, &sms.Message{Phone: "2347068425023", Body: body, CreatedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		ms, err := o.SMSFor(ctx, "2347068425023", 1)
		if err != nil || len(ms) != 1 || ms[0].Body != "second" || !ms[0].CreatedAt.Equal(at) {
			t.Fatalf("SMSFor = %+v, %v; want the newest only", ms, err)
		}
	})
}
