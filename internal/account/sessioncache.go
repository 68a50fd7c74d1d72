package account

import (
	"sync"
	"time"
)

// sessionCache remembers sessions this process validated in the last TTL,
// so an authenticated request needs no database round trip for its token.
// Logout through this process evicts at once; a session revoked by another
// process stays usable here for at most TTL. Config.SessionCacheTTL = 0
// turns the cache off for deployments that cannot accept that window.
type sessionCache struct {
	mu  sync.RWMutex
	m   map[string]cachedSession
	ttl time.Duration
}

type cachedSession struct {
	s     Session
	until time.Time
}

// maxCachedSessions bounds memory; past it the cache starts over.
const maxCachedSessions = 100_000

func (c *sessionCache) get(hash string, now time.Time) (*Session, bool) {
	c.mu.RLock()
	e, ok := c.m[hash]
	c.mu.RUnlock()
	if !ok || !now.Before(e.until) || !now.Before(e.s.ExpiresAt) {
		return nil, false
	}
	s := e.s
	return &s, true
}

func (c *sessionCache) put(hash string, s *Session, now time.Time) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedSessions {
		c.m = make(map[string]cachedSession)
	}
	c.m[hash] = cachedSession{s: *s, until: now.Add(c.ttl)}
	c.mu.Unlock()
}

func (c *sessionCache) evict(hash string) {
	c.mu.Lock()
	delete(c.m, hash)
	c.mu.Unlock()
}
