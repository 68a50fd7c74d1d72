package console

import (
	"context"
	"strings"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/loan"
	"creditpocket/internal/staff"
)

// Payouts is the loan engine's handling of failed payouts (payout.Dispatcher).
type Payouts interface {
	RetryDisbursement(ctx context.Context, a loan.PayoutAction) (*loan.Record, error)
	CancelPayout(ctx context.Context, a loan.PayoutAction) (*loan.Record, error)
	PayoutEvents(ctx context.Context, loanID loan.ID) ([]loan.PayoutEvent, error)
}

// payoutState is what the loan page says about a failed payout.
type payoutState struct {
	Failed    bool      // status 33
	NextRetry time.Time // the automatic retry's time; zero when an operator must decide
	LastError string    // the last failure, as the timeline says it
	CanAct    bool      // the viewer may retry or cancel
}

// payoutOf reads a loan's payout events: the timeline's entries and, for
// a failed payout, its state.
func (c *Console) payoutOf(q *request, r *loan.Record) ([]loan.PayoutEvent, *payoutState, error) {
	if c.d.Payouts == nil {
		return nil, nil, nil
	}
	evs, err := c.d.Payouts.PayoutEvents(q.ctx(), r.ID)
	if err != nil {
		return nil, nil, err
	}
	if r.Status != loan.StatusDisbursementFailed {
		return evs, nil, nil
	}
	st := &payoutState{Failed: true, CanAct: q.sess.Staff.Role.Can(staff.ManagePayouts)}
	for _, e := range evs {
		switch e.Event {
		case loan.PayoutFailed:
			st.LastError = e.String()
		case loan.PayoutRetryScheduled:
			st.NextRetry = e.DueAt
		case loan.PayoutSent, loan.PayoutOperatorNeeded:
			st.NextRetry = time.Time{}
		}
	}
	return evs, st, nil
}

// payoutAction reads the form of a retry or cancel: the reason, required
// to cancel, checked before it is audited.
func payoutAction(q *request, cancel bool) (loan.PayoutAction, error) {
	id, err := loan.ParseID("id", q.r.PathValue("id"))
	if err != nil {
		return loan.PayoutAction{}, err
	}
	a := loan.PayoutAction{LoanID: id, Operator: q.email(), Reason: strings.TrimSpace(q.r.PostFormValue("reason"))}
	return a, a.Validate(cancel)
}

func (c *Console) retryPayout(q *request) error { return c.actOnPayout(q, false) }

func (c *Console) cancelPayout(q *request) error { return c.actOnPayout(q, true) }

// actOnPayout retries or cancels a failed payout, audited like the other
// decisions on a loan, and goes back to the loan's page.
func (c *Console) actOnPayout(q *request, cancel bool) error {
	if c.d.Payouts == nil {
		return errs.E(errs.Unavailable, "payouts cannot be managed from this console")
	}
	a, err := payoutAction(q, cancel)
	if err != nil {
		return err
	}
	action, act := "loan.payout.retry", c.d.Payouts.RetryDisbursement
	if cancel {
		action, act = "loan.payout.cancel", c.d.Payouts.CancelPayout
	}
	err = c.audited(q, action, "loan "+a.LoanID.String(), a.Reason, func() error {
		_, err := act(q.ctx(), a)
		return err
	})
	if err != nil {
		return err
	}
	return q.redirect("/console/loans/" + a.LoanID.String())
}
