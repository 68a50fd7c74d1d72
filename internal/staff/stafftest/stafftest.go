// Package stafftest is the conformance suite of staff.Store: every
// implementation runs Exercise (internal/store/staffdb on both engines).
package stafftest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"creditpocket/internal/account"
	"creditpocket/internal/errs"
	"creditpocket/internal/page"
	"creditpocket/internal/staff"
	"creditpocket/internal/vault"
)

// Exercise runs the contract of staff.Store, through staff.Service, on a
// fresh, empty store that open returns for each test.
func Exercise(t *testing.T, open func(t *testing.T) staff.Store) {
	for _, c := range []struct {
		name string
		run  func(t *testing.T, b *Bundle)
	}{
		{"sign-in opens sessions and counts failures", testSignIn},
		{"concurrent audit appends form one chain", testAuditChain},
		{"a review item has one holder at a time", testReviewClaims},
		{"a role change or reset ends sessions and is audited", testRoleChangeAndReset},
		{"the lockout is keyed on the e-mail, known or not", testLockout},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, Setup(t, open(t))) })
	}
}

// Clock is a test clock that tests move by hand.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now is the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Bundle is a staff service over a store, on a clock the test moves.
type Bundle struct {
	Store staff.Store
	Svc   *staff.Service
	Clock *Clock
}

// Setup builds the staff service over st with a fast password hasher and
// a clock at 2026-03-02 09:00 UTC.
func Setup(t *testing.T, st staff.Store) *Bundle {
	t.Helper()
	v, err := vault.New(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	clock := &Clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	svc := &staff.Service{Store: st, Hasher: account.Argon2id{Memory: 64, Time: 1, Threads: 1}, Vault: v,
		Config: staff.DefaultConfig(), Now: clock.Now}
	return &Bundle{Store: st, Svc: svc, Clock: clock}
}

// CLI is the actor of the staff command line.
var CLI = staff.Actor{Email: "cli"}

// Create adds a staff member with the password "correct horse battery".
func (b *Bundle) Create(t *testing.T, email string, role staff.Role) *staff.Enrollment {
	t.Helper()
	en, err := b.Svc.Create(context.Background(), staff.CreateInput{Email: email, Role: role, Password: "correct horse battery", By: CLI})
	if err != nil {
		t.Fatal(err)
	}
	return en
}

// Code is the member's TOTP code at the clock's time.
func (b *Bundle) Code(t *testing.T, en *staff.Enrollment) string {
	t.Helper()
	c, err := staff.Code(en.TOTPSecret, b.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testSignIn(t *testing.T, b *Bundle) {
	ctx := context.Background()
	en := b.Create(t, "Ada@Example.com", staff.Reviewer)
	if en.Staff.Email != "ada@example.com" {
		t.Fatalf("e-mail stored as %q", en.Staff.Email)
	}
	signIn := func(password, code string) (*staff.Session, string, error) {
		return b.Svc.SignIn(ctx, staff.SignInInput{Email: "ada@example.com", Password: password, Code: code, IP: "10.0.0.1", UserAgent: "test"})
	}

	t.Run("the same e-mail cannot be created twice", func(t *testing.T) {
		_, err := b.Svc.Create(ctx, staff.CreateInput{Email: "ada@example.com", Role: staff.Viewer, Password: "another long password", By: CLI})
		if !errs.Is(err, errs.Invalid) {
			t.Fatalf("duplicate = %v", err)
		}
	})
	t.Run("password and code open a session that authenticates", func(t *testing.T) {
		sess, token, err := signIn("correct horse battery", b.Code(t, en))
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.Svc.Authenticate(ctx, token)
		if err != nil || got.Staff.Email != "ada@example.com" || got.Staff.Role != staff.Reviewer || got.CSRF != sess.CSRF || len(got.CSRF) < 40 {
			t.Fatalf("authenticate = %+v, %v", got, err)
		}
		if err := b.Svc.SignOut(ctx, got, CLI); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Svc.Authenticate(ctx, token); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("after sign-out = %v", err)
		}
	})
	t.Run("a code is accepted once", func(t *testing.T) {
		if _, _, err := signIn("correct horse battery", b.Code(t, en)); err != staff.ErrSignIn {
			t.Fatalf("replayed code = %v", err)
		}
		b.Clock.Add(30 * time.Second)
		if _, _, err := signIn("correct horse battery", b.Code(t, en)); err != nil {
			t.Fatalf("next step's code = %v", err)
		}
	})
	t.Run("five failures in fifteen minutes lock the account, even for the right password", func(t *testing.T) {
		b.Clock.Add(30 * time.Second)
		for i := range 5 {
			if _, _, err := signIn("wrong password!!", "000000"); err != staff.ErrSignIn {
				t.Fatalf("failure %d = %v", i+1, err)
			}
		}
		if _, _, err := signIn("correct horse battery", b.Code(t, en)); !errs.Is(err, errs.RateLimited) {
			t.Fatalf("while locked = %v", err)
		}
		b.Clock.Add(15*time.Minute + time.Second)
		if _, _, err := signIn("correct horse battery", b.Code(t, en)); err != nil {
			t.Fatalf("after the window = %v", err)
		}
	})
	t.Run("a disabled account cannot sign in and its sessions end", func(t *testing.T) {
		b.Clock.Add(30 * time.Second)
		_, token, err := signIn("correct horse battery", b.Code(t, en))
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Svc.Disable(ctx, "ada@example.com", CLI); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Svc.Authenticate(ctx, token); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("session of a disabled account = %v", err)
		}
		b.Clock.Add(30 * time.Second)
		if _, _, err := signIn("correct horse battery", b.Code(t, en)); err != staff.ErrSignIn {
			t.Fatalf("disabled sign-in = %v", err)
		}
		list, err := b.Svc.List(ctx)
		if err != nil || len(list) != 1 || !list[0].Disabled() {
			t.Fatalf("list = %+v, %v", list, err)
		}
	})
	t.Run("every attempt is in the audit log and the chain verifies", func(t *testing.T) {
		n, broken, err := b.Svc.VerifyAudit(ctx)
		if err != nil || broken != nil || n < 12 {
			t.Fatalf("verify: %d entries, broken %v, err %v", n, broken, err)
		}
		p, err := b.Svc.AuditPage(ctx, page.Request{Num: 1, Size: 3})
		if err != nil || p.Total != n || len(p.Items) != 3 || p.Items[0].Seq != n {
			t.Fatalf("audit page = %+v, %v", p, err)
		}
	})
}

func testAuditChain(t *testing.T, b *Bundle) {
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := b.Svc.Audit(ctx, staff.Actor{Email: fmt.Sprintf("s%d@example.com", i)}, "test", "", ""); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	n, broken, err := b.Svc.VerifyAudit(ctx)
	if err != nil || broken != nil || n != 16 {
		t.Fatalf("concurrent appends: %d entries, broken %v, err %v", n, broken, err)
	}
}

func testReviewClaims(t *testing.T, b *Bundle) {
	ctx := context.Background()
	ada, bob := staff.Actor{Email: "ada@example.com"}, staff.Actor{Email: "bob@example.com"}
	if _, err := b.Svc.Take(ctx, "loan", "7", ada); err != nil {
		t.Fatal(err)
	}
	t.Run("a second taker is told who holds the item", func(t *testing.T) {
		c, err := b.Svc.Take(ctx, "loan", "7", bob)
		if !errs.Is(err, errs.Conflict) || c.Holder != "ada@example.com" {
			t.Fatalf("second take = %+v, %v", c, err)
		}
		if err := b.Svc.Holding(ctx, "loan", "7", bob); !errs.Is(err, errs.Conflict) {
			t.Fatalf("bob holding = %v", err)
		}
		if err := b.Svc.Holding(ctx, "loan", "7", ada); err != nil {
			t.Fatalf("ada holding = %v", err)
		}
	})
	t.Run("the same item in another queue is a different claim", func(t *testing.T) {
		if _, err := b.Svc.Take(ctx, "kyc", "7", bob); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("an expired claim can be taken", func(t *testing.T) {
		b.Clock.Add(16 * time.Minute)
		if err := b.Svc.Holding(ctx, "loan", "7", ada); !errs.Is(err, errs.Conflict) {
			t.Fatalf("expired claim still held: %v", err)
		}
		if _, err := b.Svc.Take(ctx, "loan", "7", bob); err != nil {
			t.Fatal(err)
		}
		cs, err := b.Svc.Claims(ctx, "loan")
		if err != nil || cs["7"].Holder != "bob@example.com" {
			t.Fatalf("claims = %+v, %v", cs, err)
		}
	})
	t.Run("a release frees the item", func(t *testing.T) {
		if err := b.Svc.Release(ctx, "loan", "7", bob); err != nil {
			t.Fatal(err)
		}
		if c, err := b.Svc.ClaimOf(ctx, "loan", "7"); err != nil || c != nil {
			t.Fatalf("after release = %+v, %v", c, err)
		}
	})
}

func testRoleChangeAndReset(t *testing.T, b *Bundle) {
	ctx := context.Background()
	en := b.Create(t, "rita@example.com", staff.Reviewer)
	admin := staff.Actor{Email: "ada@example.com"}
	b.Create(t, admin.Email, staff.Admin)
	signIn := func(password, code string) (string, error) {
		_, token, err := b.Svc.SignIn(ctx, staff.SignInInput{Email: "rita@example.com", Password: password, Code: code})
		return token, err
	}
	token, err := signIn("correct horse battery", b.Code(t, en))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a role change ends the member's sessions and applies at the next sign-in", func(t *testing.T) {
		if err := b.Svc.SetRole(ctx, "rita@example.com", staff.Viewer, admin); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Svc.Authenticate(ctx, token); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("old session after the role change = %v", err)
		}
		b.Clock.Add(30 * time.Second)
		tok, err := signIn("correct horse battery", b.Code(t, en))
		if err != nil {
			t.Fatal(err)
		}
		if s, err := b.Svc.Authenticate(ctx, tok); err != nil || s.Staff.Role != staff.Viewer {
			t.Fatalf("new session = %+v, %v", s, err)
		}
	})
	t.Run("nobody changes their own role or resets themselves", func(t *testing.T) {
		if err := b.Svc.SetRole(ctx, admin.Email, staff.Viewer, admin); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("own role = %v", err)
		}
		if _, err := b.Svc.Reset(ctx, admin.Email, "a brand new password", admin); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("own reset = %v", err)
		}
		if err := b.Svc.SetRole(ctx, "rita@example.com", "superuser", admin); !errs.Is(err, errs.Invalid) {
			t.Fatalf("unknown role = %v", err)
		}
	})
	t.Run("a reset replaces password and TOTP secret", func(t *testing.T) {
		fresh, err := b.Svc.Reset(ctx, "rita@example.com", "a brand new password", CLI)
		if err != nil {
			t.Fatal(err)
		}
		if fresh.TOTPSecret == en.TOTPSecret {
			t.Fatal("the TOTP secret did not change")
		}
		b.Clock.Add(30 * time.Second)
		if _, err := signIn("correct horse battery", b.Code(t, fresh)); err != staff.ErrSignIn {
			t.Fatalf("old password after reset = %v", err)
		}
		b.Clock.Add(30 * time.Second)
		if _, err := signIn("a brand new password", b.Code(t, en)); err != staff.ErrSignIn {
			t.Fatalf("old TOTP secret after reset = %v", err)
		}
		b.Clock.Add(30 * time.Second)
		if _, err := signIn("a brand new password", b.Code(t, fresh)); err != nil {
			t.Fatalf("new credentials = %v", err)
		}
	})
	t.Run("both are in the audit log", func(t *testing.T) {
		var actions []string
		_ = b.Store.EachAudit(ctx, func(e *staff.Entry) error { actions = append(actions, e.Action); return nil })
		for _, want := range []string{"staff.role", "staff.reset"} {
			if !slices.Contains(actions, want) {
				t.Errorf("no %s in %v", want, actions)
			}
		}
	})
}

// countingHasher is the real test hasher that counts its checks.
type countingHasher struct {
	staff.PasswordHasher
	checks atomic.Int64
}

func (h *countingHasher) Check(hash, password string) (bool, error) {
	h.checks.Add(1)
	time.Sleep(10 * time.Millisecond) // about what production parameters cost, so guesses overlap
	return h.PasswordHasher.Check(hash, password)
}

func testLockout(t *testing.T, b *Bundle) {
	ctx := context.Background()
	h := &countingHasher{PasswordHasher: b.Svc.Hasher}
	b.Svc.Hasher = h
	en := b.Create(t, "ada@example.com", staff.Reviewer)
	max := b.Svc.Config.MaxFailures
	signIn := func(email, password, code string) error {
		_, _, err := b.Svc.SignIn(ctx, staff.SignInInput{Email: email, Password: password, Code: code, IP: "10.0.0.1"})
		return err
	}

	for _, email := range []string{"ada@example.com", "nobody@example.com"} {
		t.Run("40 concurrent wrong sign-ins for "+email+" check at most the cap, and lock it", func(t *testing.T) {
			before := h.checks.Load()
			var wg sync.WaitGroup
			var wrong, locked atomic.Int32
			for range 40 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					switch err := signIn(email, "wrong password!!", "000000"); {
					case err == staff.ErrSignIn:
						wrong.Add(1)
					case errs.Is(err, errs.RateLimited):
						locked.Add(1)
					default:
						t.Errorf("sign-in = %v", err)
					}
				}()
			}
			wg.Wait()
			if wrong.Load() != int32(max) || locked.Load() != int32(40-max) {
				t.Fatalf("%d wrong, %d locked; want %d and %d", wrong.Load(), locked.Load(), max, 40-max)
			}
			if n := h.checks.Load() - before; n != int64(max) {
				t.Fatalf("%d password checks; want %d", n, max)
			}
		})
	}
	t.Run("a known and an unknown e-mail are locked with the same words", func(t *testing.T) {
		err1 := signIn("ada@example.com", "correct horse battery", b.Code(t, en))
		err2 := signIn("nobody@example.com", "correct horse battery", "123456")
		if !errs.Is(err1, errs.RateLimited) || err1.Error() != err2.Error() || !strings.Contains(err1.Error(), "locked until") {
			t.Fatalf("known %v, unknown %v", err1, err2)
		}
	})
	t.Run("an unknown e-mail adds no staff row", func(t *testing.T) {
		list, err := b.Svc.List(ctx)
		if err != nil || len(list) != 1 {
			t.Fatalf("staff = %+v, %v", list, err)
		}
	})
	t.Run("a window that has ended starts afresh, whatever other e-mails tried", func(t *testing.T) {
		for i := range 20 {
			_ = signIn(fmt.Sprintf("made-up-%d@example.com", i), "wrong password!!", "000000")
		}
		b.Clock.Add(b.Svc.Config.LockWindow + time.Second)
		if err := signIn("ada@example.com", "correct horse battery", b.Code(t, en)); err != nil {
			t.Fatalf("after the window = %v", err)
		}
	})
	t.Run("a sign-in clears the e-mail's failures", func(t *testing.T) {
		b.Clock.Add(30 * time.Second)
		for range max - 1 {
			_ = signIn("ada@example.com", "wrong password!!", "000000")
		}
		if err := signIn("ada@example.com", "correct horse battery", b.Code(t, en)); err != nil {
			t.Fatal(err)
		}
		b.Clock.Add(30 * time.Second)
		for i := range max - 1 {
			if err := signIn("ada@example.com", "wrong password!!", "000000"); err != staff.ErrSignIn {
				t.Fatalf("failure %d after a sign-in = %v", i+1, err)
			}
		}
	})
	t.Run("a credentials reset unlocks the e-mail", func(t *testing.T) {
		_ = signIn("ada@example.com", "wrong password!!", "000000")
		if err := signIn("ada@example.com", "correct horse battery", b.Code(t, en)); !errs.Is(err, errs.RateLimited) {
			t.Fatalf("locked = %v", err)
		}
		en2, err := b.Svc.Reset(ctx, "ada@example.com", "a brand new password", CLI)
		if err != nil {
			t.Fatal(err)
		}
		if err := signIn("ada@example.com", "a brand new password", b.Code(t, en2)); err != nil {
			t.Fatalf("after the reset = %v", err)
		}
	})
}
