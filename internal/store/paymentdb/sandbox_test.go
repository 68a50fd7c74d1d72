package paymentdb_test

import (
	"context"
	"testing"
	"time"

	"creditpocket/internal/store"
	"creditpocket/internal/store/paymentdb"
	"creditpocket/internal/store/storetest"
)

var (
	ctx = context.Background()
	t0  = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
)

func TestSandboxRemembersCancelledCheckouts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		c := paymentdb.NewCancellations(storetest.Open(t, e))
		if _, ok, err := c.CheckoutCancelled(ctx, "PAY_1"); ok || err != nil {
			t.Fatalf("unknown checkout: cancelled %v, %v", ok, err)
		}
		for _, why := range []string{"superseded by PAY_2", "loan 1 is settled"} {
			if err := c.CancelCheckout(ctx, "PAY_1", why, t0); err != nil {
				t.Fatal(err)
			}
		}
		if why, ok, err := c.CheckoutCancelled(ctx, "PAY_1"); !ok || err != nil || why != "superseded by PAY_2" {
			t.Fatalf("cancelled twice: %q %v %v; want the first reason kept", why, ok, err)
		}
	})
}
