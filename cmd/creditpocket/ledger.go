package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"creditpocket/internal/ledger"
	"creditpocket/internal/store"
	"creditpocket/internal/store/loandb"
)

// cmdLedger runs "creditpocket ledger verify": it loads every ledger
// transaction and every loan and checks the invariants of ledger.Verify,
// printing each violation and failing when there is any.
func cmdLedger(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(stderr, "usage: creditpocket ledger verify [flags]")
		return errors.New("ledger: want the verify subcommand")
	}
	cfg, err := parseConfig("ledger verify", args[1:], env, stderr)
	if err != nil {
		return err
	}
	db, err := openExisting(ctx, cfg, newLogger(stderr, cfg.LogLevel))
	if err != nil {
		return err
	}
	defer db.Close()
	vs, txs, loans, err := verifyLedger(ctx, db)
	if err != nil {
		return err
	}
	for _, v := range vs {
		fmt.Fprintln(stdout, "VIOLATION", v)
	}
	if len(vs) > 0 {
		return fmt.Errorf("ledger verify: %d violation(s) over %d transactions and %d loans", len(vs), txs, loans)
	}
	fmt.Fprintf(stdout, "ledger verify: ok: %d transactions, %d loans, no violations\n", txs, loans)
	return nil
}

// verifyLedger checks the stored ledger against the stored loans.
func verifyLedger(ctx context.Context, db *store.DB) (vs []ledger.Violation, txs, loans int, err error) {
	t, err := loandb.New(db).LedgerTransactions(ctx)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("read ledger: %w", err)
	}
	l, err := loandb.New(db).AllLoanFacts(ctx)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("read loans: %w", err)
	}
	stored, err := loandb.New(db).LedgerBalances(ctx)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("read ledger balances: %w", err)
	}
	return append(ledger.Verify(t, l), ledger.VerifyStored(t, stored)...), len(t), len(l), nil
}
