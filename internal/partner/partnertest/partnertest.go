// Package partnertest is the conformance suite of partner.Store: every
// implementation runs Exercise (internal/store/partnerdb on both engines).
package partnertest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/partner"
)

// Exercise runs the contract of partner.Store, through partner.Service,
// on a fresh, empty store that open returns.
func Exercise(t *testing.T, open func(t *testing.T) partner.Store) {
	ctx := context.Background()
	t.Run("credentials are checked in order, and quota is spent atomically", func(t *testing.T) {
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		svc := &partner.Service{Store: open(t), Now: func() time.Time { return now }}
		p, secret, err := svc.Create(ctx, partner.CreateInput{Name: "Acme Credit", Scopes: []partner.Scope{partner.ScopeOCR, partner.ScopeRisk}, Quota: 3})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name   string
			id     string
			secret string
			scope  partner.Scope
			want   error
		}{
			{"right credentials and scope", p.ID, secret, partner.ScopeOCR, nil},
			{"wrong secret", p.ID, secret + "x", partner.ScopeOCR, partner.ErrUnauthorized},
			{"unknown id", "pk_nope", secret, partner.ScopeOCR, partner.ErrUnauthorized},
			{"empty secret", p.ID, "", partner.ScopeOCR, partner.ErrUnauthorized},
			{"scope not granted", p.ID, secret, partner.ScopeKYC, partner.ErrNoPermission},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := svc.Authenticate(ctx, c.id, c.secret, c.scope)
				if !errors.Is(err, c.want) {
					t.Fatalf("err = %v, want %v", err, c.want)
				}
			})
		}
		t.Run("quota is consumed atomically and then refused", func(t *testing.T) {
			var ok atomic.Int32
			var wg sync.WaitGroup
			for range 10 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := svc.Authenticate(ctx, p.ID, secret, partner.ScopeRisk); err == nil {
						ok.Add(1)
					} else if !errors.Is(err, partner.ErrOutOfQuota) {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if ok.Load() != 2 { // one call was used above
				t.Fatalf("%d calls allowed, want 2", ok.Load())
			}
		})
		t.Run("revoked and expired credentials", func(t *testing.T) {
			q, s2, _ := svc.Create(ctx, partner.CreateInput{Name: "Short", Scopes: []partner.Scope{partner.ScopeKYC}, ExpiresAt: now.Add(time.Hour)})
			now = now.Add(2 * time.Hour)
			if _, err := svc.Authenticate(ctx, q.ID, s2, partner.ScopeKYC); !errors.Is(err, partner.ErrExpired) {
				t.Fatalf("expired err = %v", err)
			}
			if err := svc.Revoke(ctx, p.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Authenticate(ctx, p.ID, secret, partner.ScopeOCR); !errors.Is(err, partner.ErrExpired) {
				t.Fatalf("revoked err = %v", err)
			}
			if err := svc.Revoke(ctx, p.ID); !errs.Is(err, errs.NotFound) {
				t.Fatalf("second revoke err = %v", err)
			}
		})
		t.Run("another server's revocation takes effect within the cache period", func(t *testing.T) {
			other := &partner.Service{Store: svc.Store, Now: func() time.Time { return now }}
			v, s5, _ := svc.Create(ctx, partner.CreateInput{Name: "Elsewhere", Scopes: []partner.Scope{partner.ScopeOCR}})
			if _, err := other.Authenticate(ctx, v.ID, s5, partner.ScopeOCR); err != nil {
				t.Fatal(err)
			}
			if err := svc.Revoke(ctx, v.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Authenticate(ctx, v.ID, s5, partner.ScopeOCR); !errors.Is(err, partner.ErrExpired) {
				t.Fatalf("the revoking server still accepts: %v", err)
			}
			if _, err := other.Authenticate(ctx, v.ID, s5, partner.ScopeOCR); err != nil {
				t.Fatalf("within the cache period the other server answers from its cache: %v", err)
			}
			now = now.Add(partner.DefaultCacheFor)
			if _, err := other.Authenticate(ctx, v.ID, s5, partner.ScopeOCR); !errors.Is(err, partner.ErrExpired) {
				t.Fatalf("after the cache period the other server still accepts: %v", err)
			}
		})
		t.Run("the rate limit refuses a burst past one second's worth", func(t *testing.T) {
			r, s3, _ := svc.Create(ctx, partner.CreateInput{Name: "Fast", Scopes: []partner.Scope{partner.ScopeRisk}, RatePerSecond: 5})
			var limited int
			for range 8 {
				if _, err := svc.Authenticate(ctx, r.ID, s3, partner.ScopeRisk); errors.Is(err, partner.ErrRateLimited) {
					limited++
				}
			}
			if limited != 3 {
				t.Fatalf("%d of 8 calls limited, want 3", limited)
			}
		})
		t.Run("calls of a partner without a quota are counted in batches", func(t *testing.T) {
			u, s4, _ := svc.Create(ctx, partner.CreateInput{Name: "Unlimited", Scopes: []partner.Scope{partner.ScopeOCR}, RatePerSecond: 1000})
			for range 70 {
				if _, err := svc.Authenticate(ctx, u.ID, s4, partner.ScopeOCR); err != nil {
					t.Fatal(err)
				}
			}
			used := func() int64 {
				ps, _ := svc.List(ctx)
				for _, q := range ps {
					if q.ID == u.ID {
						return q.Used
					}
				}
				return -1
			}
			if got := used(); got != 64 {
				t.Fatalf("used = %d after 70 calls, want one batch of 64", got)
			}
			if err := svc.Flush(ctx); err != nil || used() != 70 {
				t.Fatalf("after Flush used = %d, %v", used(), err)
			}
		})
		t.Run("list hides secret hashes", func(t *testing.T) {
			ps, err := svc.List(ctx)
			if err != nil || len(ps) != 5 {
				t.Fatalf("list = %+v, %v", ps, err)
			}
			for _, q := range ps {
				if q.SecretHash != "" {
					t.Errorf("%s: secret hash listed", q.ID)
				}
				if q.ID == p.ID && q.Used != 3 {
					t.Errorf("%s used %d calls, want 3", q.ID, q.Used)
				}
			}
		})
	})
}
