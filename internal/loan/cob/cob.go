// Package cob runs close of business: every day, each owing loan past its
// due date gets its days overdue, its penalty (loan.Loan.CloseOfBusiness)
// and, when it first turns overdue, a message, in batches over loan.Store.
package cob

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
)

// Runner runs close of business over Store. It reports loans that turn
// DefaultDays overdue to Outcomes, if set.
type Runner struct {
	Store    loan.Store
	Outcomes loan.Outcomes
	Clock    loan.Clock
	Log      *slog.Logger
}

func (s *Runner) now() time.Time { return s.Clock.Time() }

func (s *Runner) report(ctx context.Context, r *loan.Record, o loan.Outcome, at time.Time) {
	loan.ReportOutcome(ctx, s.Outcomes, s.Log, r, o, at)
}

// Leases hands out a named, expiring lease so one process at a time runs
// a job. A row with an expiry rather than an advisory lock, so it works on
// distributed PostgreSQL-compatible databases too.
type Leases interface {
	// Acquire takes name for holder until now+ttl if it is free, expired
	// or already holder's; false when someone else holds it.
	Acquire(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	Release(ctx context.Context, name, holder string) error
	// COBDone reports whether close of business finished for the date.
	COBDone(ctx context.Context, business loan.Date) (bool, error)
	// MarkCOBDone records a finished close of business.
	MarkCOBDone(ctx context.Context, r COBResult) error
}

// COBResult summarises one close of business.
type COBResult struct {
	BusinessDate loan.Date
	Loans        int          // owing loans past due that were examined
	Penalties    int          // penalty postings made
	Penalty      ledger.Money // their total
	NewlyOverdue int
	AlreadyDone  bool // an earlier run finished this date; nothing was done
	StartedAt    time.Time
	FinishedAt   time.Time
}

// errLeaseLost stops close of business when another process took the lease.
var errLeaseLost = errors.New("cob: close of business lease lost")

// ErrLeaseHeld is returned when another process is running close of business.
var ErrLeaseHeld = errs.E(errs.Conflict, "close of business is running in another process")

const (
	cobLease     = "cob"
	cobLeaseTTL  = 2 * time.Minute
	cobBatchSize = 500
	cobWorkers   = 2
)

// CloseOfBusiness runs the overdue job for business: every owing loan past
// its due date gets its days overdue, its penalty (capped) and, when it
// first turns overdue, a message. It runs at most once per business date
// and loan: a lease keeps other processes out while it runs, each loan's
// AccruedThrough watermark and the penalty's ledger reference make a rerun
// after a crash pick up where it stopped, and a finished date is recorded.
func (s *Runner) CloseOfBusiness(ctx context.Context, leases Leases, business loan.Date, holder string) (COBResult, error) {
	res := COBResult{BusinessDate: business, StartedAt: s.now()}
	if business.IsZero() {
		return res, errs.Required("date")
	}
	if done, err := leases.COBDone(ctx, business); err != nil || done {
		res.AlreadyDone = done
		return res, err
	}
	ok, err := leases.Acquire(ctx, cobLease, holder, s.now(), cobLeaseTTL)
	if err != nil {
		return res, err
	}
	if !ok {
		return res, ErrLeaseHeld
	}
	defer func() { _ = leases.Release(context.WithoutCancel(ctx), cobLease, holder) }()
	// Another process may have finished the date between the check and
	// the lease.
	if done, err := leases.COBDone(ctx, business); err != nil || done {
		res.AlreadyDone = done
		return res, err
	}
	// Batches cover disjoint id ranges, so workers never wait on each
	// other's row locks; two keep both of a small machine's cores busy
	// while one waits on the database.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []loan.ID)
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		failure error
	)
	fail := func(err error) {
		mu.Lock()
		if failure == nil {
			failure = err
		}
		mu.Unlock()
		cancel()
	}
	for range cobWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ids := range batches {
				batch, err := s.cobBatch(ctx, ids, business)
				if err != nil {
					fail(err)
					continue
				}
				mu.Lock()
				res.Loans += batch.Loans
				res.Penalties += batch.Penalties
				res.Penalty += batch.Penalty
				res.NewlyOverdue += batch.NewlyOverdue
				mu.Unlock()
			}
		}()
	}
	err = s.feedCOB(ctx, leases, business, holder, batches)
	close(batches)
	wg.Wait()
	if err == nil {
		err = failure
	}
	if err != nil {
		return res, err
	}
	res.FinishedAt = s.now()
	return res, leases.MarkCOBDone(ctx, res)
}

// feedCOB lists the owing loans past due in id order, a batch at a time,
// renewing the lease before each batch.
func (s *Runner) feedCOB(ctx context.Context, leases Leases, business loan.Date, holder string, out chan<- []loan.ID) error {
	var after loan.ID
	for {
		if ok, err := leases.Acquire(ctx, cobLease, holder, s.now(), cobLeaseTTL); err != nil || !ok {
			return errors.Join(errLeaseLost, err)
		}
		var ids []loan.ID
		err := s.Store.View(ctx, func(ctx context.Context, tx loan.Tx) error {
			var err error
			ids, err = tx.OwingDueBefore(ctx, business, after, cobBatchSize)
			return err
		})
		if err != nil || len(ids) == 0 {
			return err
		}
		after = ids[len(ids)-1]
		select {
		case out <- ids:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// cobBatch closes business for a batch of loans in one transaction, with
// a handful of statements for the whole batch rather than several per
// loan: close of business touches every owing loan past due every day.
func (s *Runner) cobBatch(ctx context.Context, ids []loan.ID, business loan.Date) (COBResult, error) {
	now := s.now()
	var (
		res       COBResult
		defaulted []*loan.Record
	)
	err := s.Store.Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
		res, defaulted = COBResult{}, nil
		rs, err := tx.LoansForUpdate(ctx, ids)
		if err != nil {
			return err
		}
		var (
			changed []*loan.Record
			txs     []ledger.Transaction
			msgs    []inbox.Message
		)
		for _, r := range rs {
			if !r.Status.Owing() {
				continue // settled since it was listed
			}
			wasOverdue, daysBefore := r.Status == loan.StatusOverdue, r.OverDays
			a, posts, err := r.CloseOfBusiness(business, now)
			if err != nil {
				return err
			}
			if daysBefore < loan.DefaultDays && a.OverDays >= loan.DefaultDays {
				defaulted = append(defaulted, r)
			}
			res.Loans++
			if len(posts) == 0 && a.OverDays == 0 {
				continue
			}
			changed = append(changed, r)
			txs = append(txs, posts...)
			res.Penalties += len(posts)
			res.Penalty += a.Penalty
			if !wasOverdue && r.Status == loan.StatusOverdue {
				res.NewlyOverdue++
				owed, _ := r.Outstanding.Total()
				msgs = append(msgs, inbox.Message{UserID: r.UserID, Kind: inbox.KindLoan, Title: "Loan overdue", CreatedAt: now,
					Content: fmt.Sprintf("Loan %s was due on %s and is %d day(s) overdue. A daily penalty applies; %s is now due.",
						r.ID, r.DueDate, a.OverDays, owed)})
			}
		}
		if err := tx.AppendLedger(ctx, txs, now); err != nil {
			return err
		}
		if err := tx.SaveAccruals(ctx, changed); err != nil {
			return err
		}
		return tx.AddMessages(ctx, msgs)
	})
	if err == nil {
		for _, r := range defaulted {
			s.report(ctx, r, loan.OutcomeDefaulted, now)
		}
	}
	return res, err
}
