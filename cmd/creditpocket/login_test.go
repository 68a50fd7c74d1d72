package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"creditpocket/internal/account"
	"creditpocket/internal/sms"
	"creditpocket/internal/store"
	"creditpocket/internal/store/accountdb"
	"creditpocket/internal/store/storetest"
)

// countingHasher is the real test hasher that also counts the password
// checks it runs: every check still computes argon2id. Each check first
// waits cost, what production parameters take (about 25 ms), so that
// concurrent logins overlap as they do in production.
type countingHasher struct {
	account.PasswordHasher
	cost   time.Duration
	checks atomic.Int64
}

func (h *countingHasher) Check(hash, password string) (bool, error) {
	h.checks.Add(1)
	time.Sleep(h.cost)
	return h.PasswordHasher.Check(hash, password)
}

// countChecks makes the app's borrower accounts check passwords through a
// counting wrapper of the test hasher (before any request is served).
func (a *testApp) countChecks(cost time.Duration) *countingHasher {
	h := &countingHasher{PasswordHasher: fastHasher, cost: cost}
	a.app.Server.Accounts.Hasher = h
	return h
}

// slowCardReads is the app's real account store with reads of a bank card
// that take lag longer, as over a slow network: a read-then-write race on
// the card widens from microseconds to lag.
type slowCardReads struct {
	account.Store
	lag time.Duration
}

func (s slowCardReads) Tx(ctx context.Context, fn func(context.Context, account.Tx) error) error {
	return s.Store.Tx(ctx, func(ctx context.Context, tx account.Tx) error { return fn(ctx, slowCardTx{tx, s.lag}) })
}

type slowCardTx struct {
	account.Tx
	lag time.Duration
}

func (t slowCardTx) Card(ctx context.Context, userID, cardID int64) (*account.BankCard, error) {
	c, err := t.Tx.Card(ctx, userID, cardID)
	time.Sleep(t.lag)
	return c, err
}

// smsTo lists the sandbox messages stored for phone, newest first.
func (a *testApp) smsTo(phone string) []sms.Message {
	a.t.Helper()
	ms, err := accountdb.NewSMSOutbox(a.app.DB).SMSFor(context.Background(), phone, 100)
	if err != nil {
		a.t.Fatal(err)
	}
	return ms
}

// registered stores a borrower with phone (E.164 digits) directly, as a
// sign-up long ago would have left it.
func (a *testApp) registered(phone string) {
	a.t.Helper()
	hash, err := fastHasher.Hash("s3cret-pass")
	if err != nil {
		a.t.Fatal(err)
	}
	now := time.Now()
	u := &account.User{Phone: phone, CallingCode: 234, Mobile: strings.TrimPrefix(phone, "234"), PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	if err := accountdb.New(a.app.DB).Tx(context.Background(), func(ctx context.Context, tx account.Tx) error { return tx.CreateUser(ctx, u) }); err != nil {
		a.t.Fatal(err)
	}
}

// concurrently sends n copies of one request at once and counts the
// statuses.
func (a *testApp) concurrently(n int, method, path string, body any) map[int]int {
	var mu sync.Mutex
	got := map[int]int{}
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, _ := a.raw(method, path, body)
			mu.Lock()
			got[st]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return got
}

func TestPasswordLoginCapHoldsUnderConcurrentGuessing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newTestApp(t, e)
		h := a.countChecks(20 * time.Millisecond)
		a.signUp("08022223333")
		capDaily := a.app.Server.Accounts.Config.LoginFailuresDaily
		wrong := map[string]string{"mobile": "08022223333", "password": "not-the-pass1"}
		right := map[string]string{"mobile": "08022223333", "password": "s3cret-pass"}

		t.Run("a right password gives its claim back, so only failures count", func(t *testing.T) {
			before := h.checks.Load()
			for range capDaily - 1 {
				if r := a.req("POST", "/user/login", wrong, ""); r.Status != 401 {
					t.Fatalf("wrong password = %d %q", r.Status, r.Message)
				}
			}
			a.ok("POST", "/user/login", right, "")
			a.ok("POST", "/user/login", right, "")
			if n := h.checks.Load() - before; n != int64(capDaily+1) {
				t.Fatalf("%d password checks; want %d", n, capDaily+1)
			}
		})
		t.Run("60 concurrent wrong passwords check at most the cap, and the right one is refused after", func(t *testing.T) {
			before := h.checks.Load()
			got := a.concurrently(60, "POST", "/user/login", wrong)
			if got[401] != 1 || got[429] != 59 { // one attempt of the cap was left
				t.Fatalf("60 concurrent wrong passwords gave %v; want 1×401 and 59×429", got)
			}
			if n := h.checks.Load() - before; n != 1 {
				t.Fatalf("%d password checks; want 1 (the cap of %d, %d already used)", n, capDaily, capDaily-1)
			}
			if r := a.req("POST", "/user/login", right, ""); r.Status != 429 {
				t.Fatalf("the right password while locked = %d %q; want 429", r.Status, r.Message)
			}
			if n := h.checks.Load() - before; n != 1 {
				t.Fatalf("the refused login checked the password (%d checks)", n)
			}
		})
		t.Run("an SMS code still signs in while passwords are locked", func(t *testing.T) {
			a.ok("POST", "/sms/code", map[string]string{"mobile": "08022223333", "type": "login"}, "")
			a.ok("POST", "/user/login", map[string]string{"mobile": "08022223333", "code": a.lastCode("2348022223333")}, "")
		})
		t.Run("on a fresh phone 60 concurrent guesses check exactly the cap", func(t *testing.T) {
			a.signUp("08022224444")
			before := h.checks.Load()
			got := a.concurrently(60, "POST", "/user/login", map[string]string{"mobile": "08022224444", "password": "not-the-pass1"})
			if got[401] != capDaily || got[429] != 60-capDaily {
				t.Fatalf("60 concurrent wrong passwords gave %v; want %d×401", got, capDaily)
			}
			if n := h.checks.Load() - before; n != int64(capDaily) {
				t.Fatalf("%d password checks; want %d", n, capDaily)
			}
			if r := a.req("POST", "/user/login", map[string]string{"mobile": "08022224444", "password": "s3cret-pass"}, ""); r.Status != 429 {
				t.Fatalf("the 61st, right, password = %d %q; want 429", r.Status, r.Message)
			}
		})
	})
}

func TestKnownAndUnknownPhonesGetTheSameAnswers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newTestApp(t, e)
		h := a.countChecks(0)
		a.signUp("07068425023")
		const known, unknown = "07068425023", "08188889999"
		const knownE164, unknownE164 = "2347068425023", "2348188889999"
		var sameFor func(t *testing.T, known, unknown, path string, body func(mobile string) map[string]string) (int, []byte)
		// same sends body to the app API for the known and the unknown
		// phone and requires the same status and the same bytes.
		same := func(t *testing.T, path string, body func(mobile string) map[string]string) (int, []byte) {
			t.Helper()
			return sameFor(t, known, unknown, path, body)
		}
		sameFor = func(t *testing.T, known, unknown, path string, body func(mobile string) map[string]string) (int, []byte) {
			t.Helper()
			st1, b1 := a.raw("POST", path, body(known))
			st2, b2 := a.raw("POST", path, body(unknown))
			if st1 != st2 || !bytes.Equal(b1, b2) {
				t.Fatalf("%s: known phone %d %s, unknown phone %d %s", path, st1, b1, st2, b2)
			}
			return st1, b1
		}

		t.Run("a login code is answered alike and sent only to a registered phone", func(t *testing.T) {
			sent := len(a.smsTo(unknownE164))
			if st, b := same(t, "/sms/code", func(m string) map[string]string { return map[string]string{"mobile": m, "type": "login"} }); st != 200 {
				t.Fatalf("login code = %d %s", st, b)
			}
			if n := len(a.smsTo(unknownE164)); n != sent {
				t.Fatalf("%d SMS stored for the unknown phone", n-sent)
			}
			if ms := a.smsTo(knownE164); len(ms) == 0 || !codeRE.MatchString(ms[0].Body) {
				t.Fatalf("the registered phone got %+v", ms)
			}
		})
		t.Run("a second login code within the cooldown is refused alike", func(t *testing.T) {
			if st, _ := same(t, "/sms/code", func(m string) map[string]string { return map[string]string{"mobile": m, "type": "login"} }); st != 429 {
				t.Fatalf("resend = %d", st)
			}
		})
		t.Run("a wrong login code is refused alike, by verify and by login", func(t *testing.T) {
			wrong := "000000"
			if codeRE.FindStringSubmatch(a.smsTo(knownE164)[0].Body)[1] == wrong {
				wrong = "111111"
			}
			same(t, "/sms/verify", func(m string) map[string]string {
				return map[string]string{"mobile": m, "code": wrong, "type": "login"}
			})
			same(t, "/user/login", func(m string) map[string]string { return map[string]string{"mobile": m, "code": wrong} })
		})
		t.Run("a sign-up code is answered alike; a registered phone is told to log in instead", func(t *testing.T) {
			const taken, free = "08033330000", "08033331111"
			a.registered("2348033330000") // with no sign-up code of its own, so no cooldown runs
			if st, b := sameFor(t, taken, free, "/sms/code", func(m string) map[string]string { return map[string]string{"mobile": m, "type": "register"} }); st != 200 {
				t.Fatalf("register code = %d %s", st, b)
			}
			ms := a.smsTo("2348033330000")
			if codeRE.MatchString(ms[0].Body) || !strings.Contains(ms[0].Body, "already have a creditpocket account") {
				t.Fatalf("the registered phone got %q", ms[0].Body)
			}
			if ms := a.smsTo("2348033331111"); len(ms) != 1 || !codeRE.MatchString(ms[0].Body) {
				t.Fatalf("the new phone got %+v", ms)
			}
			// Registering the taken phone fails on the code it never got,
			// as a wrong code for a new phone does.
			sameFor(t, taken, free, "/user/register", func(m string) map[string]string {
				return map[string]string{"mobile": m, "code": "999999", "password": "an0ther-pass"}
			})
		})
		t.Run("a password login is refused alike, after exactly one hash check each", func(t *testing.T) {
			const n = 15
			var dKnown, dUnknown []time.Duration
			for range n {
				for _, m := range []string{known, unknown} {
					before := h.checks.Load()
					start := time.Now()
					st, _ := a.raw("POST", "/user/login", map[string]string{"mobile": m, "password": "not-the-pass1"})
					d := time.Since(start)
					if st != 401 && st != 429 {
						t.Fatalf("login %s = %d", m, st)
					}
					if checks := h.checks.Load() - before; st == 401 && checks != 1 {
						t.Fatalf("login of %s ran %d hash checks; want 1", m, checks)
					}
					if st == 401 {
						if m == known {
							dKnown = append(dKnown, d)
						} else {
							dUnknown = append(dUnknown, d)
						}
					}
				}
			}
			slices.Sort(dKnown)
			slices.Sort(dUnknown)
			t.Logf("median of %d refused logins: registered phone %v, unknown phone %v", len(dKnown), dKnown[len(dKnown)/2], dUnknown[len(dUnknown)/2])
			same(t, "/user/login", func(m string) map[string]string { return map[string]string{"mobile": m, "password": "not-the-pass1"} })
		})
		t.Run("the daily failure cap locks an unknown phone as it does a known one", func(t *testing.T) {
			before := h.checks.Load()
			st, b := same(t, "/user/login", func(m string) map[string]string { return map[string]string{"mobile": m, "password": "not-the-pass1"} })
			if st != 429 || !strings.Contains(string(b), "too many failed logins") {
				t.Fatalf("after the cap = %d %s", st, b)
			}
			if n := h.checks.Load() - before; n != 0 {
				t.Fatalf("locked logins ran %d hash checks", n)
			}
		})
	})
}

func TestCardVerificationGuessesAreCappedUnderConcurrency(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		a := newTestApp(t, e)
		tok := a.signUp("07068425023")
		var card struct{ ID string }
		a.ok("POST", "/user/bankcard", cardBody(), tok).decode(t, &card)
		var v struct{ SandboxAmount string }
		a.ok("GET", "/bankcard/verifyAmount?id="+card.ID, nil, tok).decode(t, &v)
		a.app.Server.Accounts.Store = slowCardReads{a.app.Server.Accounts.Store, 20 * time.Millisecond}
		wrong := "1" // below every micro-deposit
		var mu sync.Mutex
		got := map[int]int{}
		var wg sync.WaitGroup
		for range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := a.req("GET", "/bankcard/verifyCallback?id="+card.ID+"&amount="+wrong, nil, tok)
				mu.Lock()
				got[r.Status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if got[400] != 3 || got[429] != 37 {
			t.Fatalf("40 concurrent wrong amounts gave %v; want 3×400 and 37×429", got)
		}
		if r := a.req("GET", "/bankcard/verifyCallback?id="+card.ID+"&amount="+v.SandboxAmount, nil, tok); r.Status != 429 {
			t.Fatalf("the right amount after 3 wrong ones = %d %q; want 429", r.Status, r.Message)
		}
	})
}
