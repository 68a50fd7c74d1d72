// Command creditpocket runs the creditpocket lending platform: one binary
// with the borrower app API, its storage (embedded SQLite or PostgreSQL) and
// operations endpoints.
//
//	creditpocket serve     run the server (default :8080, data under ./data)
//	creditpocket migrate   apply database migrations and exit
//	creditpocket report    parse credit-report PDFs into the seed's JSON
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
  serve     run the HTTP server (app API, sandbox, /docs, /metrics)
  migrate   apply database migrations and exit
  partner   manage partner API credentials: partner create|list|revoke
  report    parse credit-report PDFs: report parse FILE|DIR... [--out DIR] [--normalize]
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
	case "report":
		return cmdReport(ctx, args[1:], stdout, stderr)
	case "partner":
		return cmdPartner(ctx, args[1:], env, stdout, stderr)
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
