package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"creditpocket/internal/loan"
	"creditpocket/internal/store/loandb"
)

// cmdCOB runs "creditpocket cob run --date YYYY-MM-DD": close of business
// for one business date, by hand. It takes the same database lease as the
// daily run inside serve, so it never runs twice at once, and a date that
// already finished is reported and left alone. A date that has not ended
// in the lender's time zone (today or later) is refused, and the database
// must exist and be migrated (it is never created or migrated here).
func cmdCOB(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "run" {
		fmt.Fprintln(stderr, "usage: creditpocket cob run --date YYYY-MM-DD [flags]")
		return errors.New("cob: want the run subcommand")
	}
	// --date is the command's own flag; the rest are the server's.
	date, rest, err := cutDateFlag(args[1:])
	if err != nil {
		return err
	}
	business, err := loan.ParseDate(date)
	if err != nil {
		return fmt.Errorf("cob run: --date: %w", err)
	}
	cfg, err := parseConfig("cob run", rest, env, stderr)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(cfg.Timezone) // checked by Validate
	if err != nil {
		return err
	}
	// Close of business penalises loans and sends overdue messages, which
	// cannot be taken back: a day is closed once it is over (serve closes
	// yesterday), so today is refused too — closing it early would
	// penalise a borrower who still pays before midnight.
	if today := loan.DateOf(time.Now().In(loc)); !business.Before(today) {
		return fmt.Errorf("cob run: --date %s has not ended yet (today is %s in %s, the lender's --timezone): a business day is closed only once it is over; the latest date to close is %s", business, today, cfg.Timezone, today.AddDays(-1))
	}
	log := newLogger(stderr, cfg.LogLevel)
	app, err := OpenExisting(ctx, cfg, log, Options{})
	if err != nil {
		return err
	}
	defer app.Close()
	res, err := app.COB.CloseOfBusiness(ctx, loandb.NewLeases(app.DB), business, processID())
	if err != nil {
		return err
	}
	if res.AlreadyDone {
		fmt.Fprintf(stdout, "cob %s: already done\n", business)
		return nil
	}
	fmt.Fprintf(stdout, "cob %s: %d loans past due, %d newly overdue, %d penalty postings totalling %d, in %s\n",
		business, res.Loans, res.NewlyOverdue, res.Penalties, res.Penalty, res.FinishedAt.Sub(res.StartedAt).Round(time.Millisecond))
	return nil
}

// cutDateFlag takes --date (or -date) out of args, leaving the server's
// flags for parseConfig.
func cutDateFlag(args []string) (date string, rest []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "date" {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 == len(args) {
				return "", nil, errors.New("cob run: --date needs a value")
			}
			i++
			value = args[i]
		}
		date = value
	}
	if date == "" {
		return "", nil, errors.New("cob run: --date YYYY-MM-DD is required")
	}
	return date, rest, nil
}

// processID names this process as a lease holder.
func processID() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}
