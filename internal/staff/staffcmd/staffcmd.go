// Package staffcmd is the "creditpocket staff" command: operator-console
// staff accounts created, listed, re-roled, reset and disabled from the
// command line. The caller (cmd) binds the configuration and opens the
// staff service.
package staffcmd

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"creditpocket/internal/console"
	"creditpocket/internal/staff"
)

const staffUsage = `usage: creditpocket staff <create|list|role|reset|disable> [flags]

  create --email E --role admin|risk|reviewer|collections|viewer [--password-stdin] [--json]
         prints the TOTP secret and its otpauth:// URI ONCE; without --password-stdin
         a password is generated and printed once too
  list   [--json]
  role   --email E --role R   change a member's role (their sessions end)
  reset  --email E [--password-stdin] [--json]
         a new password and TOTP secret (a lost phone, a forgotten password), printed
         ONCE as for create; the member's sessions end. The way back in for a locked-out admin
  disable EMAIL    (ends the member's console sessions)

All take the database flags of 'serve' (--data, --database-url, --encryption-key-file or
CREDITPOCKET_ENCRYPTION_KEY, --dev for a dev data folder's key) and work
while the server runs. Actions are recorded in the console's audit log as "cli".
`

// Opener is the caller's half of a staff command: Bind registers the
// configuration's flags; Open, once they are parsed, checks the
// configuration and opens the existing database's staff service, and
// close releases it.
type Opener struct {
	Bind func(fs *flag.FlagSet) error
	Open func(ctx context.Context) (svc *staff.Service, close func(), err error)
}

// Run runs "creditpocket staff args…". stdin is read by create and reset
// --password-stdin (one line).
func Run(ctx context.Context, args []string, env Opener, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, staffUsage)
		return errors.New("staff: no subcommand")
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("creditpocket staff "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := env.Bind(fs); err != nil {
		return err
	}
	email := fs.String("email", "", "the staff member's e-mail (their sign-in name)")
	role := fs.String("role", "", "admin, risk, reviewer, collections or viewer")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin instead of generating one")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	svc, closeStore, err := env.Open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	by := staff.Actor{Email: "cli", UserAgent: "creditpocket staff " + sub}
	switch sub {
	case "create", "reset":
		password, generated, err := staffPassword(*fromStdin, stdin)
		if err != nil {
			return err
		}
		var en *staff.Enrollment
		if sub == "create" {
			en, err = svc.Create(ctx, staff.CreateInput{Email: *email, Role: staff.Role(*role), Password: password, By: by})
		} else {
			en, err = svc.Reset(ctx, *email, password, by)
		}
		if err != nil {
			return err
		}
		return printEnrollment(stdout, en, password, generated, *asJSON)
	case "role":
		if err := svc.SetRole(ctx, *email, staff.Role(*role), by); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is now %s\n", *email, *role)
		return nil
	case "list":
		list, err := svc.List(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			type row struct {
				Email     string `json:"email"`
				Role      string `json:"role"`
				CreatedAt string `json:"created_at"`
				Disabled  bool   `json:"disabled"`
			}
			rows := make([]row, len(list))
			for i, s := range list {
				rows[i] = row{s.Email, string(s.Role), s.CreatedAt.Format(time.RFC3339), s.Disabled()}
			}
			return json.NewEncoder(stdout).Encode(rows)
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tROLE\tCREATED\tSTATE")
		for _, s := range list {
			state := "active"
			if s.Disabled() {
				state = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Email, s.Role, s.CreatedAt.Format(time.DateOnly), state)
		}
		return tw.Flush()
	case "disable":
		if fs.NArg() != 1 {
			return errors.New("staff disable: give exactly one e-mail")
		}
		if err := svc.Disable(ctx, fs.Arg(0), by); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "disabled", fs.Arg(0))
		return nil
	}
	fmt.Fprint(stderr, staffUsage)
	return fmt.Errorf("staff: unknown subcommand %q", sub)
}

// staffPassword is the password given on stdin (one line), or a generated
// one (generated is then true: it must be shown).
func staffPassword(fromStdin bool, stdin io.Reader) (password string, generated bool, err error) {
	if !fromStdin {
		return console.GeneratePassword(), true, nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 1024)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("read password from stdin: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), false, nil
}

// printEnrollment prints what a member needs to sign in, once.
func printEnrollment(stdout io.Writer, en *staff.Enrollment, password string, generated, asJSON bool) error {
	out := map[string]string{"email": en.Staff.Email, "role": string(en.Staff.Role), "totp_secret": en.TOTPSecret, "otpauth_uri": en.TOTPURI}
	if generated {
		out["password"] = password
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(out)
	}
	fmt.Fprintf(stdout, "email:       %s\nrole:        %s\n", out["email"], out["role"])
	if generated {
		fmt.Fprintf(stdout, "password:    %s\n", password)
	}
	fmt.Fprintf(stdout, "TOTP secret: %s\notpauth URI: %s\n(shown once: add the URI to an authenticator app; only a hash of the password is stored)\n",
		en.TOTPSecret, en.TOTPURI)
	return nil
}
