// Package partner manages the API credentials of partners who call
// creditpocket's open APIs (credit-report structuring, risk decisions,
// card-binding KYC): an id and a secret shown once, scopes, an expiry, a
// total-call quota and a per-second rate limit.
//
// Secrets carry 256 bits of randomness, so an unkeyed SHA-256 of the secret
// is what is stored and compared. Each API maps this package's sentinel
// errors to its own vocabulary (the credit-report API's KEY_EXPIRED, the KYC
// API's codes …).
package partner

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"creditpocket/internal/errs"
)

// Scope is an API a partner may call.
type Scope string

const (
	ScopeOCR  Scope = "ocr"  // credit-report structuring
	ScopeRisk Scope = "risk" // risk decisions
	ScopeKYC  Scope = "kyc"  // card-binding KYC
)

// Scopes lists every scope.
var Scopes = []Scope{ScopeOCR, ScopeRisk, ScopeKYC}

// Partner is a holder of API credentials.
type Partner struct {
	ID            string
	Name          string
	SecretHash    string
	Scopes        []Scope
	Quota         int64 // total billable calls; 0 means unlimited
	Used          int64
	RatePerSecond int // 0 means the default
	ExpiresAt     time.Time
	RevokedAt     time.Time
	CreatedAt     time.Time
}

// Has reports whether the partner holds scope.
func (p *Partner) Has(s Scope) bool { return slices.Contains(p.Scopes, s) }

// Errors of Authenticate.
var (
	ErrUnauthorized = errors.New("partner: unknown id or wrong secret")
	ErrExpired      = errors.New("partner: credentials expired or revoked")
	ErrNoPermission = errors.New("partner: credentials lack the scope of this API")
	ErrOutOfQuota   = errors.New("partner: call quota used up")
	ErrRateLimited  = errors.New("partner: too many calls per second")
)

// Store keeps partners.
type Store interface {
	CreatePartner(ctx context.Context, p *Partner) error
	Partner(ctx context.Context, id string) (*Partner, error) // errs.NotFound
	Partners(ctx context.Context) ([]Partner, error)
	RevokePartner(ctx context.Context, id string, at time.Time) (bool, error)
	// ConsumeCall adds one to the partner's used calls unless the quota is
	// reached; false means it was.
	ConsumeCall(ctx context.Context, id string) (bool, error)
	// AddCalls adds n to the partner's used calls, quota or not.
	AddCalls(ctx context.Context, id string, n int64) error
}

// DefaultRatePerSecond applies when a partner has no rate of its own.
const DefaultRatePerSecond = 50

// Service creates and authenticates partners.
type Service struct {
	Store Store
	Now   func() time.Time

	// CacheFor is how long Authenticate reuses a partner's stored record
	// (credentials, scopes, expiry, revocation) before reading it again;
	// zero means DefaultCacheFor, negative reads it on every call. A
	// revocation takes effect at once on the server that made it and
	// within CacheFor on the others. Quota is never cached: it is
	// consumed in the database call by call.
	CacheFor time.Duration

	mu      sync.Mutex
	buckets map[string]*bucket
	pending map[string]*usage
	records map[string]cachedPartner
	// forgets counts forget calls: a record read before a revocation is
	// not cached after it.
	forgets uint64
}

// DefaultCacheFor is the default of Service.CacheFor.
const DefaultCacheFor = time.Second

// maxCached bounds the record cache; it is emptied when full (partners are
// few; the bound only stops unbounded growth).
const maxCached = 10_000

type cachedPartner struct {
	p  Partner
	at time.Time
}

// usage is a partner's calls not yet added to the database.
type usage struct {
	calls int64
	since time.Time
}

// Usage of partners without a quota is only a statistic, so it is added in
// batches: one UPDATE per flushEvery calls or flushAfter, instead of one per
// call on the same row (which queued every call of a busy partner). A crash
// loses at most one batch of the count. Quota-limited partners are counted
// exactly, call by call.
const (
	flushEvery = 64
	flushAfter = time.Second
)

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// CreateInput describes a new partner.
type CreateInput struct {
	Name          string
	Scopes        []Scope
	Quota         int64
	RatePerSecond int
	ExpiresAt     time.Time // zero: never
}

// Create stores a partner and returns it with its secret, which is not
// stored and cannot be shown again.
func (s *Service) Create(ctx context.Context, in CreateInput) (*Partner, string, error) {
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "":
		return nil, "", errs.Required("name")
	case len(in.Name) > 100:
		return nil, "", errs.InvalidField("name", "must be at most 100 characters")
	case len(in.Scopes) == 0:
		return nil, "", errs.InvalidField("scopes", "must name at least one of ocr, risk, kyc")
	case in.Quota < 0:
		return nil, "", errs.InvalidField("quota", "must not be negative")
	case in.RatePerSecond < 0 || in.RatePerSecond > 100_000:
		return nil, "", errs.InvalidField("rate", "must be from 0 to 100000")
	case !in.ExpiresAt.IsZero() && !in.ExpiresAt.After(s.now()):
		return nil, "", errs.InvalidField("expires", "must be in the future")
	}
	for _, sc := range in.Scopes {
		if !slices.Contains(Scopes, sc) {
			return nil, "", errs.InvalidField("scopes", "%q is not one of ocr, risk, kyc", sc)
		}
	}
	id, secret := "pk_"+randomHex(12), "sk_"+randomToken(32)
	p := &Partner{ID: id, Name: in.Name, SecretHash: hashSecret(secret), Scopes: slices.Compact(slices.Sorted(slices.Values(in.Scopes))),
		Quota: in.Quota, RatePerSecond: in.RatePerSecond, ExpiresAt: in.ExpiresAt, CreatedAt: s.now()}
	if err := s.Store.CreatePartner(ctx, p); err != nil {
		return nil, "", err
	}
	return p, secret, nil
}

// List returns every partner (secrets are never stored, hashes are cleared).
func (s *Service) List(ctx context.Context) ([]Partner, error) {
	ps, err := s.Store.Partners(ctx)
	for i := range ps {
		ps[i].SecretHash = ""
	}
	return ps, err
}

// Revoke ends a partner's access at once.
func (s *Service) Revoke(ctx context.Context, id string) error {
	ok, err := s.Store.RevokePartner(ctx, id, s.now())
	s.forget(id)
	if err != nil {
		return err
	}
	if !ok {
		return errs.E(errs.NotFound, "partner %q not found or already revoked", id)
	}
	return nil
}

// Authenticate checks credentials, expiry, scope and rate, then consumes one
// call of quota. The checks run in that order so that a caller without
// valid credentials can never spend a partner's quota.
func (s *Service) Authenticate(ctx context.Context, id, secret string, scope Scope) (*Partner, error) {
	if id == "" || secret == "" || len(id) > 64 || len(secret) > 128 {
		return nil, ErrUnauthorized
	}
	p, err := s.partner(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(p.SecretHash), []byte(hashSecret(secret))) != 1 {
		return nil, ErrUnauthorized
	}
	now := s.now()
	if !p.RevokedAt.IsZero() || (!p.ExpiresAt.IsZero() && !now.Before(p.ExpiresAt)) {
		return nil, ErrExpired
	}
	if !p.Has(scope) {
		return nil, fmt.Errorf("%w (%s)", ErrNoPermission, scope)
	}
	if !s.allow(p, now) {
		return nil, ErrRateLimited
	}
	if p.Quota == 0 {
		return p, s.countCall(ctx, p.ID, now)
	}
	ok, err := s.Store.ConsumeCall(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrOutOfQuota
	}
	p.Used++
	return p, nil
}

// partner reads a partner's record, from the cache while it is fresh.
// Unknown ids are not cached, so a flood of made-up ids cannot fill it.
func (s *Service) partner(ctx context.Context, id string) (*Partner, error) {
	ttl := s.CacheFor
	if ttl == 0 {
		ttl = DefaultCacheFor
	}
	now := s.now()
	if ttl > 0 {
		s.mu.Lock()
		c, ok := s.records[id]
		s.mu.Unlock()
		if ok && now.Sub(c.at) < ttl {
			p := c.p // a copy: callers may change what they get
			return &p, nil
		}
	}
	s.mu.Lock()
	gen := s.forgets
	s.mu.Unlock()
	p, err := s.Store.Partner(ctx, id)
	if err != nil || ttl < 0 {
		return p, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.forgets != gen { // revoked meanwhile on this server: read again next time
		return p, nil
	}
	if s.records == nil || len(s.records) >= maxCached {
		s.records = map[string]cachedPartner{}
	}
	s.records[id] = cachedPartner{p: *p, at: now}
	return p, nil
}

// forget drops a partner's cached record.
func (s *Service) forget(id string) {
	s.mu.Lock()
	delete(s.records, id)
	s.forgets++
	s.mu.Unlock()
}

// countCall records one call of an unlimited partner, flushing the batch
// when it is full or old.
func (s *Service) countCall(ctx context.Context, id string, now time.Time) error {
	s.mu.Lock()
	if s.pending == nil {
		s.pending = map[string]*usage{}
	}
	u := s.pending[id]
	if u == nil {
		u = &usage{since: now}
		s.pending[id] = u
	}
	u.calls++
	n := u.calls
	flush := n >= flushEvery || now.Sub(u.since) >= flushAfter
	if flush {
		u.calls, u.since = 0, now
	}
	s.mu.Unlock()
	if !flush {
		return nil
	}
	if err := s.Store.AddCalls(ctx, id, n); err != nil {
		s.mu.Lock()
		u.calls += n // keep them for the next flush
		s.mu.Unlock()
		return err
	}
	return nil
}

// Flush adds every batched call to the database (at shutdown).
func (s *Service) Flush(ctx context.Context) error {
	s.mu.Lock()
	batch := map[string]int64{}
	for id, u := range s.pending {
		if u.calls > 0 {
			batch[id] = u.calls
			u.calls = 0
		}
	}
	s.mu.Unlock()
	var errs []error
	for id, n := range batch {
		if err := s.Store.AddCalls(ctx, id, n); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// bucket is a token bucket: rate tokens a second, burst of one second.
type bucket struct {
	tokens float64
	last   time.Time
}

// allow takes a token from the partner's bucket. The limit is per process;
// with N servers a partner gets up to N times its rate.
func (s *Service) allow(p *Partner, now time.Time) bool {
	rate := float64(p.RatePerSecond)
	if rate == 0 {
		rate = DefaultRatePerSecond
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buckets == nil {
		s.buckets = map[string]*bucket{}
	}
	b := s.buckets[p.ID]
	if b == nil {
		b = &bucket{tokens: rate, last: now}
		s.buckets[p.ID] = b
	}
	b.tokens = min(rate, b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseScopes reads "ocr,risk,kyc".
func ParseScopes(s string) ([]Scope, error) {
	var out []Scope
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		sc := Scope(part)
		if !slices.Contains(Scopes, sc) {
			return nil, errs.InvalidField("scopes", "%q is not one of ocr, risk, kyc", part)
		}
		out = append(out, sc)
	}
	if len(out) == 0 {
		return nil, errs.InvalidField("scopes", "must name at least one of ocr, risk, kyc")
	}
	return out, nil
}
