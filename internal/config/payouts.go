package config

import (
	"flag"
	"fmt"
	"strconv"
	"time"
)

// Payouts bounds the automatic retries of failed payouts and says when a
// payout is stuck (the dashboard counts those).
type Payouts struct {
	MaxAttempts int           // attempts in all, the first included
	Backoff     time.Duration // wait after the first failure; doubles after each further one
	BackoffMax  time.Duration // the longest wait
	StuckAfter  time.Duration // a payout pending or failed this long shows as stuck
}

// DefaultPayouts is 5 attempts, 1, 2, 4 and 8 minutes apart, and stuck
// after an hour.
func DefaultPayouts() Payouts {
	return Payouts{MaxAttempts: 5, Backoff: time.Minute, BackoffMax: time.Hour, StuckAfter: time.Hour}
}

func (p *Payouts) bind(fs *flag.FlagSet, env func(string) (string, bool)) error {
	if v, ok := env("CREDITPOCKET_PAYOUT_MAX_ATTEMPTS"); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("CREDITPOCKET_PAYOUT_MAX_ATTEMPTS: %w", err)
		}
		p.MaxAttempts = n
	}
	fs.IntVar(&p.MaxAttempts, "payout-max-attempts", p.MaxAttempts,
		"attempts of a payout whose failures the provider calls retriable, the first included; then an operator decides (env CREDITPOCKET_PAYOUT_MAX_ATTEMPTS)")
	for _, d := range []struct {
		p           *time.Duration
		name, usage string
	}{
		{&p.Backoff, "payout-backoff", "wait before retrying a failed payout the first time; doubles after each further failure"},
		{&p.BackoffMax, "payout-backoff-max", "the longest wait between payout retries"},
		{&p.StuckAfter, "payout-stuck-after", "a payout pending or failed this long shows as stuck on the dashboard"},
	} {
		envName := "CREDITPOCKET_" + envCase(d.name)
		if v, ok := env(envName); ok {
			v, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("%s: %w", envName, err)
			}
			*d.p = v
		}
		fs.DurationVar(d.p, d.name, *d.p, d.usage+" (env "+envName+")")
	}
	return nil
}

func envCase(flagName string) string {
	b := []byte(flagName)
	for i, c := range b {
		switch {
		case c == '-':
			b[i] = '_'
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func (p Payouts) validate() error {
	switch {
	case p.MaxAttempts < 1 || p.MaxAttempts > 20:
		return fmt.Errorf("payout-max-attempts: must be from 1 to 20")
	case p.Backoff < time.Second || p.Backoff > 24*time.Hour:
		return fmt.Errorf("payout-backoff: must be from 1s to 24h")
	case p.BackoffMax < p.Backoff || p.BackoffMax > 24*time.Hour:
		return fmt.Errorf("payout-backoff-max: must be from payout-backoff (%s) to 24h", p.Backoff)
	case p.StuckAfter < time.Minute || p.StuckAfter > 30*24*time.Hour:
		return fmt.Errorf("payout-stuck-after: must be from 1m to 720h")
	}
	return nil
}

func (p Payouts) masked() []any {
	return []any{"payout_max_attempts", p.MaxAttempts, "payout_backoff", p.Backoff.String(),
		"payout_backoff_max", p.BackoffMax.String(), "payout_stuck_after", p.StuckAfter.String()}
}
