// Package accounttest is the conformance suite of account.Store: every
// implementation runs Exercise (accountdb on SQLite and PostgreSQL).
package accounttest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"creditpocket/internal/account"
	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
	"creditpocket/internal/page"
	"creditpocket/internal/reference"
)

// Reference is the reference data the suite's stores must hold: two
// banks, three cities and an income band.
func Reference() reference.Seed {
	return reference.Seed{
		Banks:         []reference.Bank{{Code: "058", Name: "GT Bank", Country: "NG", NUBAN: true}, {Code: "044", Name: "Access Bank", Country: "NG", NUBAN: true}},
		Cities:        []reference.City{{Code: "C1", Name: "Ikeja", State: "Lagos"}, {Code: "C2", Name: "Kano", State: "Kano"}, {Code: "C3", Name: "Yaba", State: "Lagos"}},
		IncomeBands:   []reference.IncomeBand{{Code: "I1", Label: "low", Min: 0, Max: 100}},
		HotQuestions:  []reference.HotQuestion{{Question: "q1", Answer: "a1"}, {Question: "q2", Answer: "a2"}},
		SupportPhones: []reference.SupportPhone{{Phone: "+234", Label: "care"}},
		Settings:      map[string]string{reference.SettingSupportEmail: "help@example.com"},
	}
}

// Exercise runs the account.Store contract against the stores open
// returns: each call must give a fresh, empty store whose reference data
// holds Reference().
func Exercise(t *testing.T, open func(t *testing.T) account.Store) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, account.Store)
	}{
		{"users and sessions", usersAndSessions},
		{"counters hold under concurrency", countersHoldUnderConcurrency},
		{"claimed counters never pass their cap", claimedCountersNeverPassTheirCap},
		{"past days' counters are pruned in batches", pastDaysCountersArePrunedInBatches},
		{"expired codes are pruned in batches", expiredCodesArePrunedInBatches},
		{"card verify attempts are counted atomically", cardVerifyAttemptsAreCountedAtomically},
		{"OTP attempts are counted atomically", oTPAttemptsAreCountedAtomically},
		{"cards keep one default and stay with their owner", cardsKeepOneDefaultAndStayWithTheirOwner},
		{"profile, contacts, work and messages", profileContactsWorkAndMessages},
		{"the overview and the newest credit report are read at once", overviewAndCreditReport},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, open(t)) })
	}
}

var ctx = context.Background()

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func mustUser(t *testing.T, st account.Store, phone string) *account.User {
	t.Helper()
	u := &account.User{Phone: phone, CallingCode: 234, Mobile: phone[3:], PasswordHash: "h", CreatedAt: t0, UpdatedAt: t0}
	if err := st.Tx(ctx, func(ctx context.Context, x account.Tx) error { return x.CreateUser(ctx, u) }); err != nil {
		t.Fatal(err)
	}
	return u
}

func usersAndSessions(t *testing.T, st account.Store) {
	u := mustUser(t, st, "2347068425023")
	t.Run("a second user with the same phone is a conflict", func(t *testing.T) {
		err := st.Tx(ctx, func(ctx context.Context, x account.Tx) error {
			return x.CreateUser(ctx, &account.User{Phone: u.Phone, CallingCode: 234, Mobile: "x", PasswordHash: "h", CreatedAt: t0, UpdatedAt: t0})
		})
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("err = %v, want conflict", err)
		}
	})
	t.Run("users are found by phone and id", func(t *testing.T) {
		_ = st.View(ctx, func(ctx context.Context, x account.Tx) error {
			got, err := x.UserByPhone(ctx, u.Phone)
			if err != nil || got.ID != u.ID || !got.CreatedAt.Equal(t0) {
				t.Fatalf("UserByPhone = %+v, %v", got, err)
			}
			if _, err := x.UserByID(ctx, u.ID+100); !errs.Is(err, errs.NotFound) {
				t.Fatalf("missing user err = %v", err)
			}
			return nil
		})
	})
	t.Run("a session is active until it expires or is revoked", func(t *testing.T) {
		s := &account.Session{TokenHash: "abc", UserID: u.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		if err := st.Tx(ctx, func(ctx context.Context, x account.Tx) error { return x.CreateSession(ctx, s) }); err != nil {
			t.Fatal(err)
		}
		check := func(at time.Time, wantOK bool) {
			t.Helper()
			_ = st.View(ctx, func(ctx context.Context, x account.Tx) error {
				got, err := x.ActiveSession(ctx, "abc", at)
				if wantOK && (err != nil || got.UserID != u.ID) {
					t.Fatalf("ActiveSession at %v = %+v, %v", at, got, err)
				}
				if !wantOK && !errs.Is(err, errs.Unauthenticated) {
					t.Fatalf("ActiveSession at %v err = %v, want unauthenticated", at, err)
				}
				return nil
			})
		}
		check(t0.Add(time.Minute), true)
		check(t0.Add(time.Hour), false)
		_ = st.Tx(ctx, func(ctx context.Context, x account.Tx) error {
			return x.RevokeSession(ctx, "abc", t0.Add(2*time.Minute))
		})
		check(t0.Add(3*time.Minute), false)
	})
}

func countersHoldUnderConcurrency(t *testing.T, st account.Store) {
	var wg sync.WaitGroup
	seen := make([]atomic.Bool, 41)
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var n int
			err := st.Tx(ctx, func(ctx context.Context, x account.Tx) error {
				var err error
				n, err = x.BumpCounter(ctx, "s", "k", "2026-11-23")
				return err
			})
			if err != nil {
				t.Error(err)
				return
			}
			if seen[n].Swap(true) {
				t.Errorf("value %d returned twice", n)
			}
		}()
	}
	wg.Wait()
	_ = st.View(ctx, func(ctx context.Context, x account.Tx) error {
		if n, err := x.CounterValue(ctx, "s", "k", "2026-11-23"); n != 40 || err != nil {
			t.Fatalf("counter = %d, %v; want 40", n, err)
		}
		return nil
	})
}

func claimedCountersNeverPassTheirCap(t *testing.T, st account.Store) {
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := st.Tx(ctx, func(ctx context.Context, x account.Tx) error {
				got, err := x.ClaimCounter(ctx, "s", "k", "2026-11-23", 10)
				if got {
					ok.Add(1)
				}
				return err
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 10 {
		t.Fatalf("%d of 60 concurrent claims succeeded; want 10", ok.Load())
	}
	value := func() (n int) {
		_ = st.View(ctx, func(ctx context.Context, x account.Tx) error {
			n, _ = x.CounterValue(ctx, "s", "k", "2026-11-23")
			return nil
		})
		return n
	}
	if n := value(); n != 10 {
		t.Fatalf("counter = %d; want 10", n)
	}
	if err := st.Tx(ctx, func(ctx context.Context, x account.Tx) error { return x.ReleaseCounter(ctx, "s", "k", "2026-11-23") }); err != nil {
		t.Fatal(err)
	}
	if n := value(); n != 9 {
		t.Fatalf("after a release counter = %d; want 9", n)
	}
}

// keys returns "0" … "n-1".
func keys(n int) []string {
	ks := make([]string, n)
	for i := range ks {
		ks[i] = fmt.Sprint(i)
	}
	return ks
}

func pastDaysCountersArePrunedInBatches(t *testing.T, st account.Store) {
	if err := st.Tx(ctx, func(ctx context.Context, x account.Tx) error {
		for i := range 700 {
			if _, err := x.BumpCounter(ctx, "login.fail", fmt.Sprint(i), "2026-11-20"); err != nil {
				return err
			}
		}
		_, err := x.BumpCounter(ctx, "login.fail", "today", "2026-11-23")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	left := func() (n int64) { // counters still holding their count
		if err := st.View(ctx, func(ctx context.Context, x account.Tx) error {
			for _, k := range append(keys(700), "today") {
				day := "2026-11-20"
				if k == "today" {
					day = "2026-11-23"
				}
				v, err := x.CounterValue(ctx, "login.fail", k, day)
				if err != nil {
					return err
				}
				n += int64(v)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, want := range []int64{201, 1, 1} {
		if err := st.Tx(ctx, func(ctx context.Context, x account.Tx) error { return x.PruneCounters(ctx, "2026-11-22") }); err != nil {
			t.Fatal(err)
		}
		if n := left(); n != want {
			t.Fatalf("%d counters left; want %d", n, want)
		}
	}
}

func expiredCodesArePrunedInBatches(t *testing.T, st account.Store) {
	if err := st.Tx(ctx, func(ctx context.Context, x account.Tx) error {
		for i := range 700 {
			if err := x.CreateOTP(ctx, &account.OTP{Phone: fmt.Sprint(i), Purpose: account.PurposeLogin, CodeHash: "h",
				CreatedAt: t0, ExpiresAt: t0.Add(5 * time.Minute)}); err != nil {
				return err
			}
		}
		return x.CreateOTP(ctx, &account.OTP{Phone: "live", Purpose: account.PurposeLogin, CodeHash: "h",
			CreatedAt: t0.Add(48 * time.Hour), ExpiresAt: t0.Add(48*time.Hour + 5*time.Minute)})
	}); err != nil {
		t.Fatal(err)
	}
	left := func() (n int64) { // codes still stored
		if err := st.View(ctx, func(ctx context.Context, x account.Tx) error {
			for _, phone := range append(keys(700), "live") {
				_, err := x.LatestOTP(ctx, phone, account.PurposeLogin)
				if err == nil {
					n++
				} else if !errs.Is(err, errs.NotFound) {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, want := range []int64{201, 1, 1} {
		if err := st.Tx(ctx, func(ctx context.Context, x account.Tx) error { return x.PruneOTPs(ctx, t0.Add(24*time.Hour)) }); err != nil {
			t.Fatal(err)
		}
		if n := left(); n != want {
			t.Fatalf("%d codes left; want %d", n, want)
		}
	}
}

func cardVerifyAttemptsAreCountedAtomically(t *testing.T, st account.Store) {
	u := mustUser(t, st, "2347000000001")
	c := &account.BankCard{UserID: u.ID, BankCode: "058", AccountHash: "h", AccountMask: "******0001", AccountName: "A", Default: true, CreatedAt: t0}
	c.SetSealed([]byte{1, 2, 3}, nil)
	if err := st.Tx(ctx, func(ctx context.Context, x account.Tx) error { return x.CreateCard(ctx, c) }); err != nil {
		t.Fatal(err)
	}
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = st.Tx(ctx, func(ctx context.Context, x account.Tx) error {
				got, err := x.AddCardVerifyAttempt(ctx, u.ID, c.ID, 3)
				if got {
					ok.Add(1)
				}
				return err
			})
		}()
	}
	wg.Wait()
	if ok.Load() != 3 {
		t.Fatalf("%d of 30 concurrent guesses counted; want 3", ok.Load())
	}
	other := mustUser(t, st, "2347000000002")
	if err := st.Tx(ctx, func(ctx context.Context, x account.Tx) error {
		got, err := x.AddCardVerifyAttempt(ctx, other.ID, c.ID, 9)
		if got {
			t.Error("another borrower's guess was counted on this card")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func oTPAttemptsAreCountedAtomically(t *testing.T, st account.Store) {
	o := &account.OTP{Phone: "234", Purpose: "register", CodeHash: "h", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}
	if err := st.Tx(ctx, func(ctx context.Context, x account.Tx) error { return x.CreateOTP(ctx, o) }); err != nil {
		t.Fatal(err)
	}
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = st.Tx(ctx, func(ctx context.Context, x account.Tx) error {
				got, err := x.AddOTPAttempt(ctx, o.ID, 5)
				if got {
					ok.Add(1)
				}
				return err
			})
		}()
	}
	wg.Wait()
	if ok.Load() != 5 {
		t.Fatalf("%d attempts allowed, want 5", ok.Load())
	}
	var first, second bool
	_ = st.Tx(ctx, func(ctx context.Context, x account.Tx) error {
		first, _ = x.ConsumeOTP(ctx, o.ID, t0)
		second, _ = x.ConsumeOTP(ctx, o.ID, t0)
		return nil
	})
	if !first || second {
		t.Fatalf("consume = %v then %v; want true then false", first, second)
	}
}

func cardsKeepOneDefaultAndStayWithTheirOwner(t *testing.T, st account.Store) {
	a := mustUser(t, st, "2347000000001")
	b := mustUser(t, st, "2347000000002")
	card := func(u *account.User, hash string, def bool) *account.BankCard {
		c := &account.BankCard{UserID: u.ID, BankCode: "058", AccountHash: hash, AccountMask: "****", CreatedAt: t0, Default: def}
		c.SetSealed([]byte{1, 2, 3}, nil)
		if err := st.Tx(ctx, func(ctx context.Context, x account.Tx) error { return x.CreateCard(ctx, c) }); err != nil {
			t.Fatal(err)
		}
		return c
	}
	a1 := card(a, "h1", true)
	a2 := card(a, "h2", false)
	b1 := card(b, "h1", true)
	t.Run("the same account twice for one borrower is a conflict", func(t *testing.T) {
		c := &account.BankCard{UserID: a.ID, BankCode: "058", AccountHash: "h1", CreatedAt: t0}
		c.SetSealed([]byte{1}, nil)
		if err := st.Tx(ctx, func(ctx context.Context, x account.Tx) error { return x.CreateCard(ctx, c) }); !errs.Is(err, errs.Conflict) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a second default is refused by the database", func(t *testing.T) {
		c := &account.BankCard{UserID: a.ID, BankCode: "058", AccountHash: "h3", CreatedAt: t0, Default: true}
		c.SetSealed([]byte{1}, nil)
		if err := st.Tx(ctx, func(ctx context.Context, x account.Tx) error { return x.CreateCard(ctx, c) }); !errs.Is(err, errs.Conflict) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("switching the default moves it", func(t *testing.T) {
		_ = st.Tx(ctx, func(ctx context.Context, x account.Tx) error { return x.SetDefaultCard(ctx, a.ID, a2.ID) })
		_ = st.View(ctx, func(ctx context.Context, x account.Tx) error {
			d, err := x.DefaultCard(ctx, a.ID)
			if err != nil || d.ID != a2.ID || d.BankName != "GT Bank" {
				t.Fatalf("default = %+v, %v", d, err)
			}
			res, err := x.Cards(ctx, a.ID, page.Request{Num: 1, Size: 10})
			if err != nil || res.Total != 2 || res.Items[0].ID != a2.ID || res.Items[1].ID != a1.ID {
				t.Fatalf("cards = %+v, %v", res, err)
			}
			return nil
		})
	})
	t.Run("another borrower's card is not found", func(t *testing.T) {
		_ = st.View(ctx, func(ctx context.Context, x account.Tx) error {
			if _, err := x.Card(ctx, a.ID, b1.ID); !errs.Is(err, errs.NotFound) {
				t.Fatalf("err = %v", err)
			}
			return nil
		})
		_ = st.Tx(ctx, func(ctx context.Context, x account.Tx) error { return x.SetDefaultCard(ctx, a.ID, b1.ID) })
		_ = st.View(ctx, func(ctx context.Context, x account.Tx) error {
			if d, _ := x.DefaultCard(ctx, b.ID); d.ID != b1.ID {
				t.Fatalf("b's default changed to %d", d.ID)
			}
			return nil
		})
	})
}

func profileContactsWorkAndMessages(t *testing.T, st account.Store) {
	u := mustUser(t, st, "2347000000003")
	p := &account.Profile{UserID: u.ID, FirstName: "Ada", LastName: "Obi", Gender: "female", BirthDate: "1990-01-01",
		MaritalStatus: "single", Education: "bachelor", IDType: "identity_card", IDCountry: "NG", IDNumberMask: "*******8734",
		Nationality: "NG", State: "Lagos", CityCode: "C1", Address: "1 Road", UpdatedAt: t0}
	err := st.Tx(ctx, func(ctx context.Context, x account.Tx) error {
		if err := x.SaveProfile(ctx, p, []byte("sealed"), "hash"); err != nil {
			return err
		}
		p.FirstName = "Adaeze"
		if err := x.SaveProfile(ctx, p, []byte("sealed2"), "hash"); err != nil {
			return err
		}
		if err := x.ReplaceContacts(ctx, u.ID, []account.Contact{{Name: "A", Phone: "1", Relationship: "parent"}, {Name: "B", Phone: "2", Relationship: "friend"}}, t0); err != nil {
			return err
		}
		if err := x.ReplaceContacts(ctx, u.ID, []account.Contact{{Name: "C", Phone: "3", Relationship: "sibling"}, {Name: "D", Phone: "4", Relationship: "friend"}}, t0); err != nil {
			return err
		}
		if err := x.SaveWork(ctx, u.ID, &account.Work{CompanyName: "Acme", CompanyPhone: "234", CompanyAddress: "x", Profession: "dev", IncomeCode: "I1", UpdatedAt: t0}); err != nil {
			return err
		}
		for i := range 3 {
			if err := x.AddMessage(ctx, &inbox.Message{UserID: u.ID, Kind: "account", Title: fmt.Sprint(i), Content: "c", CreatedAt: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = st.View(ctx, func(ctx context.Context, x account.Tx) error {
		got, sealed, err := x.Profile(ctx, u.ID)
		if err != nil || got.FirstName != "Adaeze" || string(sealed) != "sealed2" {
			t.Fatalf("profile = %+v %q %v", got, sealed, err)
		}
		cs, err := x.Contacts(ctx, u.ID)
		if err != nil || len(cs) != 2 || cs[0].Name != "C" {
			t.Fatalf("contacts = %+v, %v", cs, err)
		}
		if w, err := x.Work(ctx, u.ID); err != nil || w.CompanyName != "Acme" {
			t.Fatalf("work = %+v, %v", w, err)
		}
		// A borrower's lists count with the page; past the last row
		// the count is asked for on its own.
		for _, tc := range []struct {
			page  int
			title string
		}{{1, "2"}, {2, "0"}, {3, ""}} {
			ms, err := x.Messages(ctx, u.ID, page.Request{Num: tc.page, Size: 2})
			if err != nil || ms.Total != 3 || tc.title == "" && len(ms.Items) != 0 || tc.title != "" && ms.Items[0].Title != tc.title {
				t.Fatalf("messages page %d = %+v, %v", tc.page, ms, err)
			}
		}
		return nil
	})
}
