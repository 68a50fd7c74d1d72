// Command creditpocket runs the creditpocket lending platform: one binary
// with the borrower app API, its storage (embedded SQLite or PostgreSQL) and
// operations endpoints.
//
//	creditpocket serve --dev  run the quick start (127.0.0.1:8080, sandbox, data under ./data)
//	creditpocket serve     run the server for real borrowers (refuses sandbox settings)
//	creditpocket migrate   apply database migrations and exit
//	creditpocket cob run --date YYYY-MM-DD   close of business by hand
//	creditpocket ledger verify               check the books
//	creditpocket version   print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"creditpocket/internal/creditreport/reportcmd"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "creditpocket:", err)
		}
		os.Exit(1)
	}
}

const usage = `usage: creditpocket <command> [flags]

commands:
  serve     run the HTTP server (app API, /docs, /metrics); --dev for the sandbox quick start
  migrate   create the database if needed and apply migrations (only serve and migrate do)
  cob       run close of business by hand: cob run --date YYYY-MM-DD
  ledger    check the books: ledger verify (exits non-zero naming violations)
  partner   manage partner API credentials: partner create|list|revoke
  staff     operator-console staff: staff create|list|role|reset|disable
  risk      risk engine: risk policy apply|list|shadow, risk list add|remove, risk simulate
  report    parse credit-report PDFs: report parse FILE|DIR... [--out DIR] [--normalize]
  blobs     stored photos and documents against the rows that refer to them: blobs check [--erase]
  version   print the version

Run 'creditpocket <command> -h' for a command's flags.
`

// run is main without globals, so tests can call it.
func run(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], env, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, args[1:], env, stdout, stderr)
	case "cob":
		return cmdCOB(ctx, args[1:], env, stdout, stderr)
	case "ledger":
		return cmdLedger(ctx, args[1:], env, stdout, stderr)
	case "report":
		return reportcmd.Run(ctx, args[1:], stdout, stderr)
	case "partner":
		return cmdPartner(ctx, args[1:], env, stdout, stderr)
	case "staff":
		return cmdStaff(ctx, args[1:], env, os.Stdin, stdout, stderr)
	case "risk":
		return cmdRisk(ctx, args[1:], env, stdout, stderr)
	case "blobs":
		return cmdBlobs(ctx, args[1:], env, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "creditpocket", version)
		return nil
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
