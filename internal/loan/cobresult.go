package loan

import (
	"context"
	"time"

	"creditpocket/internal/ledger"
)

// Leases hands out a named, expiring lease so one process at a time runs
// a job. A row with an expiry rather than an advisory lock, so it works on
// distributed PostgreSQL-compatible databases too.
type Leases interface {
	// Acquire takes name for holder until now+ttl if it is free, expired
	// or already holder's; false when someone else holds it.
	Acquire(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	Release(ctx context.Context, name, holder string) error
	// COBDone reports whether close of business finished for the date.
	COBDone(ctx context.Context, business Date) (bool, error)
	// MarkCOBDone records a finished close of business.
	MarkCOBDone(ctx context.Context, r COBResult) error
}

// COBResult summarises one close of business.
type COBResult struct {
	BusinessDate Date
	Loans        int          // owing loans past due that were examined
	Penalties    int          // penalty postings made
	Penalty      ledger.Money // their total
	NewlyOverdue int
	AlreadyDone  bool // an earlier run finished this date; nothing was done
	StartedAt    time.Time
	FinishedAt   time.Time
}
