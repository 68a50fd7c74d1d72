package loan

import (
	"context"
	"errors"
	"testing"
	"time"

	"creditpocket/internal/errs"
)

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
