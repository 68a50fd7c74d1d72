// Package partnercmd is the "creditpocket partner" command: partner API
// credentials created, listed and revoked from the command line. The
// caller (cmd) binds the configuration and opens the partner service.
package partnercmd

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"creditpocket/internal/partner"
)

const partnerUsage = `usage: creditpocket partner <create|list|revoke> [flags]

  create --name N --scopes ocr,risk,kyc [--quota N] [--rate N] [--expires YYYY-MM-DD] [--json]
         prints the id and the secret ONCE (the secret is stored hashed)
  list   [--json]
  revoke ID

All take the database flags of 'serve' (--data, --database-url) and work while the server runs.
`

// Opener is the caller's half of a partner command: Bind registers the
// configuration's flags; Open, once they are parsed, checks the
// configuration and opens the existing database's partner service, and
// close releases it.
type Opener struct {
	Bind func(fs *flag.FlagSet) error
	Open func(ctx context.Context) (svc *partner.Service, close func(), err error)
}

// Run runs "creditpocket partner args…".
func Run(ctx context.Context, args []string, env Opener, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, partnerUsage)
		return errors.New("partner: no subcommand")
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("creditpocket partner "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := env.Bind(fs); err != nil {
		return err
	}
	name := fs.String("name", "", "partner name")
	scopes := fs.String("scopes", "", "comma-separated scopes: ocr, risk, kyc")
	quota := fs.Int64("quota", 0, "total billable calls; 0 = unlimited")
	rate := fs.Int("rate", 0, fmt.Sprintf("calls per second per server; 0 = default (%d)", partner.DefaultRatePerSecond))
	expires := fs.String("expires", "", "expiry date YYYY-MM-DD (UTC midnight); empty = never")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	svc, closeStore, err := env.Open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	switch sub {
	case "create":
		in := partner.CreateInput{Name: *name, Quota: *quota, RatePerSecond: *rate}
		if in.Scopes, err = partner.ParseScopes(*scopes); err != nil {
			return err
		}
		if *expires != "" {
			if in.ExpiresAt, err = time.Parse(time.DateOnly, *expires); err != nil {
				return fmt.Errorf("--expires: must be YYYY-MM-DD")
			}
		}
		p, secret, err := svc.Create(ctx, in)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(map[string]string{"id": p.ID, "secret": secret})
		}
		fmt.Fprintf(stdout, "id:     %s\nsecret: %s\n(the secret is shown once; it is stored hashed)\n", p.ID, secret)
		return nil
	case "list":
		ps, err := svc.List(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(ps)
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSCOPES\tUSED/QUOTA\tRATE/S\tEXPIRES\tSTATE")
		for _, p := range ps {
			quota, state, exp := "unlimited", "active", "never"
			if p.Quota > 0 {
				quota = fmt.Sprint(p.Quota)
			}
			if !p.ExpiresAt.IsZero() {
				exp = p.ExpiresAt.Format(time.DateOnly)
			}
			if !p.RevokedAt.IsZero() {
				state = "revoked"
			}
			fmt.Fprintf(tw, "%s\t%s\t%v\t%d/%s\t%d\t%s\t%s\n", p.ID, p.Name, p.Scopes, p.Used, quota, p.RatePerSecond, exp, state)
		}
		return tw.Flush()
	case "revoke":
		if fs.NArg() != 1 {
			return errors.New("partner revoke: give exactly one partner id")
		}
		if err := svc.Revoke(ctx, fs.Arg(0)); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "revoked", fs.Arg(0))
		return nil
	}
	fmt.Fprint(stderr, partnerUsage)
	return fmt.Errorf("partner: unknown subcommand %q", sub)
}
