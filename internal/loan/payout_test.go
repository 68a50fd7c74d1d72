package loan

import (
	"context"
	"errors"
	"testing"
	"time"

	"creditpocket/internal/errs"
)

func TestPayoutRetryBacksOffExponentiallyAndStops(t *testing.T) {
	p := PayoutRetry{MaxAttempts: 7, Backoff: time.Minute, MaxBackoff: 10 * time.Minute}
	for _, tc := range []struct {
		failed int
		wait   time.Duration
		again  bool
	}{
		{1, time.Minute, true},
		{2, 2 * time.Minute, true},
		{3, 4 * time.Minute, true},
		{4, 8 * time.Minute, true},
		{5, 10 * time.Minute, true}, // capped
		{6, 10 * time.Minute, true},
		{7, 0, false}, // the last attempt failed
		{8, 0, false},
	} {
		wait, again := p.Next(tc.failed)
		if wait != tc.wait || again != tc.again {
			t.Errorf("after %d failed attempts: Next = %v, %v; want %v, %v", tc.failed, wait, again, tc.wait, tc.again)
		}
	}
	t.Run("the zero value is the default of 5 attempts from 1 minute", func(t *testing.T) {
		if w, ok := (PayoutRetry{}).Next(1); w != time.Minute || !ok {
			t.Fatalf("Next(1) = %v, %v", w, ok)
		}
		if w, ok := (PayoutRetry{}).Next(4); w != 8*time.Minute || !ok {
			t.Fatalf("Next(4) = %v, %v", w, ok)
		}
		if _, ok := (PayoutRetry{}).Next(5); ok {
			t.Fatal("a sixth attempt")
		}
	})
	t.Run("a long backoff does not overflow", func(t *testing.T) {
		huge := PayoutRetry{MaxAttempts: 1000, Backoff: time.Hour, MaxBackoff: 24 * time.Hour}
		if w, _ := huge.Next(999); w != 24*time.Hour {
			t.Fatalf("Next(999) = %v", w)
		}
	})
}

func TestPayoutEventsReadAsSentences(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 1, 0, 0, time.UTC)
	for _, tc := range []struct {
		e    PayoutEvent
		want string
	}{
		{PayoutEvent{Reference: "DSB_7_1", Event: PayoutSent}, "payout DSB_7_1 sent"},
		{PayoutEvent{Reference: "DSB_7_2", Event: PayoutSent, Actor: "ops@x", Detail: "account fixed"}, "payout DSB_7_2 sent, retried by ops@x: account fixed"},
		{PayoutEvent{Reference: "DSB_7_1", Event: PayoutFailed, Code: "timeout", Detail: "no answer"}, "payout DSB_7_1 failed (timeout): no answer"},
		{PayoutEvent{Event: PayoutRetryScheduled, DueAt: at}, "payout retry scheduled for 2026-12-01 09:01:00"},
		{PayoutEvent{Event: PayoutOperatorNeeded, Detail: "5 attempts made"}, "payout waits for an operator: 5 attempts made"},
		{PayoutEvent{Event: PayoutCancelled, Actor: "ops@x", Detail: "account closed"}, "payout cancelled by ops@x: account closed"},
	} {
		if got := tc.e.String(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.e.Event, got, tc.want)
		}
	}
}

func TestOperatorTextTheStoreCannotKeepIsRefusedFirst(t *testing.T) {
	s := &Service{} // no store: each is refused before anything is read
	for _, tc := range []struct {
		name, field string
		err         func() error
	}{
		{"a payout retry by an operator with a NUL", "operator", func() error {
			_, err := s.RetryDisbursement(context.Background(), PayoutAction{LoanID: 1, Operator: "ops\x00"})
			return err
		}},
		{"a payout cancel with a reason that is not UTF-8", "reason", func() error {
			_, err := s.CancelPayout(context.Background(), PayoutAction{LoanID: 1, Operator: "ops", Reason: "gone \xff"})
			return err
		}},
		{"a manual decision by a reviewer with a control character", "reviewer", func() error {
			_, err := s.Decide(context.Background(), ManualDecision{LoanID: 1, Reviewer: "ada\x1b"})
			return err
		}},
		{"a manual decision with a NUL in its reason", "reason", func() error {
			_, err := s.Decide(context.Background(), ManualDecision{LoanID: 1, Reviewer: "ada", Reason: "ok\x00"})
			return err
		}},
	} {
		t.Run(tc.name+" is refused naming "+tc.field, func(t *testing.T) {
			var e *errs.Error
			if err := tc.err(); !errors.As(err, &e) || e.Code != errs.Invalid || e.Field != tc.field {
				t.Fatalf("err = %v", err)
			}
		})
	}
	if err := (PayoutAction{Operator: "ops", Reason: "account closed;\r\n\tborrower told"}).Validate(true); err != nil {
		t.Fatalf("a reason that breaks lines is refused: %v", err)
	}
}
