package config

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

func TestPayoutSettings(t *testing.T) {
	t.Run("the environment sets them and flags override it", func(t *testing.T) {
		env := map[string]string{"CREDITPOCKET_PAYOUT_MAX_ATTEMPTS": "3", "CREDITPOCKET_PAYOUT_BACKOFF": "30s", "CREDITPOCKET_PAYOUT_STUCK_AFTER": "2h"}
		c := Default()
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		if err := c.Bind(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
			t.Fatal(err)
		}
		if err := fs.Parse([]string{"--payout-backoff-max", "10m", "--payout-max-attempts", "4"}); err != nil {
			t.Fatal(err)
		}
		want := Payouts{MaxAttempts: 4, Backoff: 30 * time.Second, BackoffMax: 10 * time.Minute, StuckAfter: 2 * time.Hour}
		if c.Payouts != want {
			t.Fatalf("payouts = %+v, want %+v", c.Payouts, want)
		}
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		if m := fmt.Sprint(c.Masked()...); !strings.Contains(m, "payout_max_attempts4") || !strings.Contains(m, "payout_stuck_after2h0m0s") {
			t.Fatalf("Masked() = %s", m)
		}
	})
	t.Run("an environment value that does not parse names its variable", func(t *testing.T) {
		c := Default()
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		err := c.Bind(fs, func(k string) (string, bool) { return "soon", k == "CREDITPOCKET_PAYOUT_BACKOFF" })
		if err == nil || !strings.HasPrefix(err.Error(), "CREDITPOCKET_PAYOUT_BACKOFF:") {
			t.Fatalf("Bind() = %v", err)
		}
	})
	for _, tc := range []struct {
		name   string
		change func(*Payouts)
		flag   string
	}{
		{"no attempt at all", func(p *Payouts) { p.MaxAttempts = 0 }, "payout-max-attempts"},
		{"a backoff under a second", func(p *Payouts) { p.Backoff = time.Millisecond }, "payout-backoff"},
		{"a cap below the first wait", func(p *Payouts) { p.BackoffMax = 30 * time.Second }, "payout-backoff-max"},
		{"stuck after seconds", func(p *Payouts) { p.StuckAfter = time.Second }, "payout-stuck-after"},
	} {
		t.Run("validate refuses "+tc.name, func(t *testing.T) {
			c := Default()
			tc.change(&c.Payouts)
			if err := c.Validate(); err == nil || !strings.HasPrefix(err.Error(), tc.flag+":") {
				t.Fatalf("Validate() = %v, want an error naming %s", err, tc.flag)
			}
		})
	}
}
