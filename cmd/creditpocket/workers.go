package main

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"golang.org/x/sync/errgroup"

	"creditpocket/internal/loan"
	"creditpocket/internal/loan/cob"
	"creditpocket/internal/risk/riskcmd"
	"creditpocket/internal/store/loandb"
)

// velocityRetention is how long velocity events are kept: the longest
// window, a day of slack for late events.
const velocityRetention = 31 * 24 * time.Hour

// workers is serve's background work: one group under one context, which
// Close cancels and waits for before it closes the database.
type workers struct {
	group *errgroup.Group
	ctx   context.Context
	stop  context.CancelFunc
}

// workerRestart is how long a worker that panicked waits before it runs
// again.
var workerRestart = 5 * time.Second

// goWorker runs fn in the app's worker group, starting the group under
// ctx on first use; fn must return once its context ends. A panic in fn
// is a bug in one background job, not a reason to stop serving loans: it
// is logged with its stack and fn runs again after workerRestart, until
// the context ends.
func (a *App) goWorker(ctx context.Context, fn func(context.Context)) {
	if a.workers.group == nil {
		ctx, a.workers.stop = context.WithCancel(ctx)
		a.workers.group, a.workers.ctx = &errgroup.Group{}, ctx
	}
	wctx := a.workers.ctx
	a.workers.group.Go(func() error {
		for !a.runWorker(wctx, fn) {
			select {
			case <-wctx.Done():
				return nil
			case <-time.After(workerRestart):
			}
		}
		return nil
	})
}

// runWorker runs fn once and reports whether it returned rather than
// panicked.
func (a *App) runWorker(ctx context.Context, fn func(context.Context)) (returned bool) {
	defer func() {
		if v := recover(); v != nil {
			a.Log.Error("background worker panicked; it runs again shortly", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
	}()
	fn(ctx)
	return true
}

// stopWorkers cancels the workers and waits until every one has returned.
func (a *App) stopWorkers() {
	if a.workers.group == nil {
		return
	}
	a.workers.stop()
	_ = a.workers.group.Wait()
}

// startWorkers starts everything serve runs beside the HTTP server, until
// ctx ends or Close: the sandbox's payment webhooks, re-sending payouts
// left pending, retrying failed payouts, the daily close of business, the
// risk policy's hot reload, velocity pruning and the KYC merchant webhooks.
// What they schedule by the date (close of business, pruning) reads the
// app's clock.
func (a *App) startWorkers(ctx context.Context, webhookURL string) {
	log := a.Log
	a.Payments.WebhookURL = webhookURL
	a.goWorker(ctx, func(ctx context.Context) {
		a.Payments.RunDelivery(ctx, 250*time.Millisecond, func(err error) { log.Warn("webhook delivery", "err", err) })
	})
	a.goWorker(ctx, func(ctx context.Context) {
		// At start every pending payout is from before a restart: send it
		// again now (the provider deduplicates by reference); later only
		// those pending for a minute.
		age := time.Duration(0)
		every(ctx, 30*time.Second, func() {
			if _, err := a.Payouts.ResumeDisbursements(ctx, age); err != nil && ctx.Err() == nil {
				log.Warn("resume disbursements", "err", err)
			}
			age = time.Minute
		})
	})
	// Failed payouts whose retry is due (the loan engine's clock decides
	// what is due; the backoff is at least a second).
	a.goWorker(ctx, func(ctx context.Context) {
		every(ctx, 5*time.Second, func() {
			if _, err := a.Payouts.RetryDuePayouts(ctx); err != nil && ctx.Err() == nil {
				log.Warn("retry failed payouts", "err", err)
			}
		})
	})
	holder := processID()
	loc, _ := time.LoadLocation(a.Config.Timezone) // checked by config.Validate
	a.goWorker(ctx, func(ctx context.Context) {
		every(ctx, 5*time.Minute, func() {
			business := loan.DateOf(a.now().In(loc)).AddDays(-1) // serve closes yesterday
			res, err := a.COB.CloseOfBusiness(ctx, loandb.NewLeases(a.DB), business, holder)
			switch {
			case errors.Is(err, cob.ErrLeaseHeld), err != nil && ctx.Err() != nil:
			case err != nil:
				log.Error("close of business", "date", business.String(), "err", err)
			case !res.AlreadyDone:
				log.Info("close of business done", "date", business.String(), "loans", res.Loans, "penalties", res.Penalties)
			}
		})
	})
	a.goWorker(ctx, func(ctx context.Context) {
		every(ctx, riskcmd.PolicyPoll, func() { a.syncRiskPolicies(ctx) })
	})
	a.goWorker(ctx, func(ctx context.Context) {
		every(ctx, time.Hour, func() {
			if _, err := a.RiskStore.PruneVelocity(ctx, a.now().Add(-velocityRetention)); err != nil && ctx.Err() == nil {
				log.Warn("prune velocity events", "err", err)
			}
		})
	})
	a.goWorker(ctx, func(ctx context.Context) { a.KYCNotifier.Run(ctx, 2*time.Second) })
	log.Info("KYC webhooks delivering", "screening", a.KYC.Screen != nil)
}

// syncRiskPolicies hot-swaps the risk engine's live and shadow policies
// when another process activated a new version.
func (a *App) syncRiskPolicies(ctx context.Context) {
	log := a.Log
	changed, err := a.Risk.Sync(ctx, a.RiskStore)
	switch {
	case err != nil && ctx.Err() == nil:
		log.Error("risk policy reload refused; the running policy stays", "running", a.Risk.Policy().Version, "err", err)
	case changed:
		log.Info("risk policy reloaded", "version", a.Risk.Policy().Version)
	}
	changed, err = a.Risk.SyncShadow(ctx, a.RiskStore)
	switch {
	case err != nil && ctx.Err() == nil:
		log.Error("risk shadow policy reload refused; the running shadow stays", "err", err)
	case changed && a.Risk.Shadow() != nil:
		log.Info("risk shadow policy reloaded", "version", a.Risk.Shadow().Version)
	case changed:
		log.Info("risk shadow policy stopped")
	}
}

// now is the app's clock (Options.Now), time.Now unless a test set one.
func (a *App) now() time.Time {
	if a.clock != nil {
		return a.clock()
	}
	return time.Now()
}

func every(ctx context.Context, d time.Duration, fn func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		fn()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
