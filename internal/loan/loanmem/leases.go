package loanmem

import (
	"context"
	"sync"
	"time"

	"creditpocket/internal/loan"
	"creditpocket/internal/loan/cob"
)

// Leases is an in-memory cob.Leases. The zero value is ready.
type Leases struct {
	mu     sync.Mutex
	held   map[string]lease
	cobRun map[loan.Date]cob.COBResult
}

type lease struct {
	holder  string
	expires time.Time
}

var _ cob.Leases = (*Leases)(nil)

func (l *Leases) Acquire(_ context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cur, ok := l.held[name]; ok && cur.holder != holder && !cur.expires.Before(now) {
		return false, nil
	}
	if l.held == nil {
		l.held = map[string]lease{}
	}
	l.held[name] = lease{holder: holder, expires: now.Add(ttl)}
	return true, nil
}

func (l *Leases) Release(_ context.Context, name, holder string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held[name].holder == holder {
		delete(l.held, name)
	}
	return nil
}

func (l *Leases) COBDone(_ context.Context, business loan.Date) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.cobRun[business]
	return ok, nil
}

// MarkCOBDone keeps the first result recorded for a date.
func (l *Leases) MarkCOBDone(_ context.Context, r cob.COBResult) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cobRun == nil {
		l.cobRun = map[loan.Date]cob.COBResult{}
	}
	if _, ok := l.cobRun[r.BusinessDate]; !ok {
		l.cobRun[r.BusinessDate] = r
	}
	return nil
}
