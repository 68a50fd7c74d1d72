package payment

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"creditpocket/internal/errs"
)

func TestRetriable(t *testing.T) {
	for _, tc := range []struct {
		code string
		want bool
	}{
		{"", true},
		{FailTimeout, true},
		{FailProviderBalance, true},
		{FailProviderError, true},
		{FailInvalidAccount, false},
		{FailAccountClosed, false},
		{FailInvalidRequest, false},
		{"something_new", false},
	} {
		t.Run("code "+tc.code, func(t *testing.T) {
			if got := Retriable(tc.code); got != tc.want {
				t.Fatalf("Retriable(%q) = %v, want %v", tc.code, got, tc.want)
			}
		})
	}
}

func TestSandboxPayoutFailureCarriesItsCode(t *testing.T) {
	var got []Event
	a := &Async{Queue: &memQueue{}, Charges: charges{"DSB_1_1": 600000, "DSB_2_1": 600000, "PAY_1": 850000}, Secret: secret,
		Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
		Deliver: func(_ context.Context, body []byte, h http.Header) error {
			ev, err := VerifyWebhook(h, body, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), secret)
			got = append(got, ev)
			return err
		}}
	ctx := context.Background()
	t.Run("a payout failure names the code the test chose", func(t *testing.T) {
		if err := a.Fail(ctx, "DSB_1_1", "no such account", FailInvalidAccount); err != nil {
			t.Fatal(err)
		}
		a.DeliverDue(ctx)
		if len(got) != 1 || got[0].Event != EventTransferFailed || got[0].Data.FailureCode != FailInvalidAccount || got[0].Data.Reason != "no such account" {
			t.Fatalf("events = %+v", got)
		}
	})
	t.Run("without a code a payout failure is a retriable provider error", func(t *testing.T) {
		if err := a.Fail(ctx, "DSB_2_1", "", ""); err != nil {
			t.Fatal(err)
		}
		a.DeliverDue(ctx)
		if len(got) != 2 || got[1].Data.FailureCode != FailProviderError || !Retriable(got[1].Data.FailureCode) {
			t.Fatalf("events = %+v", got)
		}
	})
	t.Run("an unknown code is refused naming the field", func(t *testing.T) {
		err := a.Fail(ctx, "DSB_1_1", "", "nope")
		var e *errs.Error
		if !errors.As(err, &e) || e.Code != errs.Invalid || e.Field != "code" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a failed charge carries no failure code", func(t *testing.T) {
		if err := a.Fail(ctx, "PAY_1", "", FailTimeout); err != nil {
			t.Fatal(err)
		}
		a.DeliverDue(ctx)
		if len(got) != 3 || got[2].Event != EventChargeFailed || got[2].Data.FailureCode != "" {
			t.Fatalf("events = %+v", got)
		}
	})
}
