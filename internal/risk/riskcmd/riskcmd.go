// Package riskcmd is the "creditpocket risk" command: it publishes policy
// files, lists them, edits the black, white and grey lists and replays
// stored decisions through a candidate policy. The caller (cmd) binds the
// configuration's flags and opens the store; everything else is here.
package riskcmd

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"creditpocket/internal/identity"
	"creditpocket/internal/risk"
	"creditpocket/internal/risk/replay"
)

// PolicyPoll is how often a server checks the stored active policy
// version, so "risk policy apply" reaches every running server.
const PolicyPoll = 2 * time.Second

// Store is what the risk commands read and write.
type Store interface {
	risk.ShadowStore
	Policies(ctx context.Context) ([]risk.PolicyVersion, error)
	AddListEntry(ctx context.Context, e risk.ListEntry) (risk.ListEntry, error)
	RemoveListEntry(ctx context.Context, id string) error
	Decisions(ctx context.Context, since time.Time) (iter.Seq[*risk.Record], func() error)
}

// Opener is the caller's half of every risk command: Bind registers the
// configuration's flags on a command's flag set; Open, called once the
// flags are parsed, checks the configuration and opens the existing
// database's risk store, and close releases it.
type Opener struct {
	Bind func(fs *flag.FlagSet) error
	Open func(ctx context.Context) (s Store, close func(), err error)
}

const riskUsage = `usage: creditpocket risk <command> [flags]

commands:
  policy apply FILE      compile FILE; if it compiles store it as a new version and make it
                         active (running servers switch within seconds)
  policy list            the stored policy versions, the active one marked
  policy shadow FILE | --stop
                         compile FILE; if it compiles store it and run it in shadow beside the
                         live policy on every server (outcomes recorded, not used); --stop ends it
  list add --kind K --value V --list black|white|grey --reason R [--expires DATE] [--by NAME]
                         put a value on a list (K: phone, id_number, card, device, ip, email)
  list remove ID         remove a list entry
  simulate --policy FILE [--since DATE] [--json]
                         replay stored decisions through a candidate policy and compare it with
                         the decisions the live policy made
`

// Run runs "creditpocket risk args…".
func Run(ctx context.Context, args []string, env Opener, stdout, stderr io.Writer) error {
	var sub string
	if len(args) >= 2 && (args[0] == "policy" || args[0] == "list") {
		sub, args = args[0]+" "+args[1], args[2:]
	} else if len(args) >= 1 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "policy apply":
		return riskPolicyApply(ctx, args, env, stdout, stderr)
	case "policy list":
		return riskPolicyList(ctx, args, env, stdout, stderr)
	case "policy shadow":
		return riskPolicyShadow(ctx, args, env, stdout, stderr)
	case "list add":
		return riskListAdd(ctx, args, env, stdout, stderr)
	case "list remove":
		return riskListRemove(ctx, args, env, stdout, stderr)
	case "simulate":
		return riskSimulate(ctx, args, env, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, riskUsage)
		return nil
	}
	fmt.Fprint(stderr, riskUsage)
	return fmt.Errorf("risk: unknown command %q", sub)
}

// riskCommand parses a risk subcommand's flags over the configuration
// flags, allowing flags before and after positional arguments, and opens
// the existing, migrated database's risk store.
type riskCommand struct {
	env   Opener
	fs    *flag.FlagSet
	args  []string // positional
	store Store
	close func()
}

func newRiskCommand(name string, env Opener, stderr io.Writer) (*riskCommand, error) {
	c := &riskCommand{env: env, fs: flag.NewFlagSet("creditpocket risk "+name, flag.ContinueOnError)}
	c.fs.SetOutput(stderr)
	return c, env.Bind(c.fs)
}

// open parses args, checks that the number of positional arguments is
// one of counts, and opens the store.
func (c *riskCommand) open(ctx context.Context, args []string, stderr io.Writer, counts ...int) error {
	for {
		if err := c.fs.Parse(args); err != nil {
			return err
		}
		if args = c.fs.Args(); len(args) == 0 {
			break
		}
		c.args, args = append(c.args, args[0]), args[1:]
	}
	if !slices.Contains(counts, len(c.args)) {
		return fmt.Errorf("%s: want %v argument(s), got %q", c.fs.Name(), counts, c.args)
	}
	var err error
	c.store, c.close, err = c.env.Open(ctx)
	return err
}

func (c *riskCommand) done() {
	if c.close != nil {
		c.close()
	}
}

func operator() string {
	if u := os.Getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
}

func riskPolicyApply(ctx context.Context, args []string, env Opener, stdout, stderr io.Writer) error {
	c, err := newRiskCommand("policy apply", env, stderr)
	if err != nil {
		return err
	}
	by := c.fs.String("by", operator(), "who applies the policy (audit)")
	if err := c.open(ctx, args, stderr, 1); err != nil {
		return err
	}
	defer c.done()
	src, err := os.ReadFile(c.args[0])
	if err != nil {
		return fmt.Errorf("risk policy apply: %w", err)
	}
	// The engine here only publishes: the servers pick the version up.
	engine := risk.NewEngine(risk.DefaultPolicy(), risk.Config{})
	p, err := engine.Publish(ctx, c.store, src, *by)
	if err != nil {
		return fmt.Errorf("risk policy apply %s: refused, the active policy stays: %w", c.args[0], err)
	}
	fmt.Fprintf(stdout, "policy %s (%s) stored and active; running servers switch within %s\n", p.Version, p.Name, PolicyPoll)
	return nil
}

func riskPolicyList(ctx context.Context, args []string, env Opener, stdout, stderr io.Writer) error {
	c, err := newRiskCommand("policy list", env, stderr)
	if err != nil {
		return err
	}
	if err := c.open(ctx, args, stderr, 0); err != nil {
		return err
	}
	defer c.done()
	ps, err := c.store.Policies(ctx)
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		fmt.Fprintf(stdout, "no stored policy: servers run the shipped default %s\n", risk.DefaultPolicy().Version)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTIVE\tVERSION\tNAME\tCREATED\tBY\tLAST ACTIVATED")
	for _, p := range ps {
		mark, activated := "", "never"
		if p.Active {
			mark = "*"
		}
		if !p.ActivatedAt.IsZero() {
			activated = p.ActivatedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", mark, p.Version, p.Name, p.CreatedAt.Format(time.RFC3339), p.CreatedBy, activated)
	}
	return tw.Flush()
}

func riskListAdd(ctx context.Context, args []string, env Opener, stdout, stderr io.Writer) error {
	c, err := newRiskCommand("list add", env, stderr)
	if err != nil {
		return err
	}
	kind := c.fs.String("kind", "", "phone, id_number, card, device, ip or email")
	value := c.fs.String("value", "", "the value to list")
	list := c.fs.String("list", "", "black, white or grey")
	reason := c.fs.String("reason", "", "why (audit trail)")
	expires := c.fs.String("expires", "", "YYYY-MM-DD: the entry applies through that day (UTC); default never")
	by := c.fs.String("by", operator(), "who adds the entry")
	if err := c.open(ctx, args, stderr, 0); err != nil {
		return err
	}
	defer c.done()
	e := risk.ListEntry{Kind: risk.ListKind(*kind), Value: *value, List: risk.ListName(*list), Reason: *reason, CreatedBy: *by}
	if *expires != "" {
		if e.ExpiresAt, err = risk.ParseExpiry(*expires); err != nil {
			return fmt.Errorf("risk list add: --expires %w", err)
		}
	}
	got, err := c.store.AddListEntry(ctx, e)
	if err != nil {
		return fmt.Errorf("risk list add: %w", err)
	}
	fmt.Fprintf(stdout, "added %s: %s %s on the %slist (%s)\n", got.ID, got.Kind, got.Value, got.List, got.Reason)
	return nil
}

func riskListRemove(ctx context.Context, args []string, env Opener, stdout, stderr io.Writer) error {
	c, err := newRiskCommand("list remove", env, stderr)
	if err != nil {
		return err
	}
	if err := c.open(ctx, args, stderr, 1); err != nil {
		return err
	}
	defer c.done()
	if err := c.store.RemoveListEntry(ctx, c.args[0]); err != nil {
		return fmt.Errorf("risk list remove: %w", err)
	}
	fmt.Fprintf(stdout, "removed %s\n", c.args[0])
	return nil
}

func riskSimulate(ctx context.Context, args []string, env Opener, stdout, stderr io.Writer) error {
	c, err := newRiskCommand("simulate", env, stderr)
	if err != nil {
		return err
	}
	file := c.fs.String("policy", "", "the candidate policy (YAML)")
	since := c.fs.String("since", "", "YYYY-MM-DD: only decisions made on or after that day (UTC); default all")
	asJSON := c.fs.Bool("json", false, "print the report as JSON")
	if err := c.open(ctx, args, stderr, 0); err != nil {
		return err
	}
	defer c.done()
	if *file == "" {
		return errors.New("risk simulate: --policy FILE is required")
	}
	src, err := os.ReadFile(*file)
	if err != nil {
		return fmt.Errorf("risk simulate: %w", err)
	}
	candidate, err := risk.CompilePolicy(src)
	if err != nil {
		return fmt.Errorf("risk simulate: %w", err)
	}
	var from time.Time
	if *since != "" {
		if from, err = identity.ParseDate(*since); err != nil {
			return fmt.Errorf("risk simulate: --since must be YYYY-MM-DD: %w", err)
		}
	}
	records, failed := c.store.Decisions(ctx, from)
	rep := replay.Simulate(records, candidate)
	if err := failed(); err != nil {
		return fmt.Errorf("risk simulate: read decisions: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return printSimulation(stdout, rep, *since)
}

// printSimulation prints the candidate beside the live decisions.
func printSimulation(w io.Writer, rep replay.Report, since string) error {
	scope := "all stored decisions"
	if since != "" {
		scope = "decisions since " + since
	}
	fmt.Fprintf(w, "candidate %s replayed over %d %s; %d would change\n\n", rep.CandidateVersion, rep.Records, scope, rep.Changed)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	pct := func(n int) string {
		if rep.Records == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(rep.Records))
	}
	fmt.Fprintln(tw, "decision\tlive\t\tcandidate\t\t")
	for _, row := range []struct {
		name       string
		live, cand int
	}{{"Accept", rep.Live.Accept, rep.Candidate.Accept}, {"Review", rep.Live.Review, rep.Candidate.Review}, {"Reject", rep.Live.Reject, rep.Candidate.Reject}} {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t\n", row.name, row.live, pct(row.live), row.cand, pct(row.cand))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(rep.Transitions) > 0 {
		var ts []string
		for _, t := range rep.Transitions {
			ts = append(ts, fmt.Sprintf("%s→%s %d", t.From, t.To, t.Count))
		}
		fmt.Fprintf(w, "\nchanged: %s\n", strings.Join(ts, ", "))
	}
	if rep.WithRepayment == 0 {
		fmt.Fprintln(w, "\nno repayment feedback yet: approvals that later defaulted cannot be counted")
		return nil
	}
	fmt.Fprintf(w, "\nrepayment feedback on %d loans: %d repaid, %d defaulted\n", rep.WithRepayment, rep.Repaid, rep.Defaulted)
	fmt.Fprintf(w, "approved and later defaulted: live %d, candidate %d\n", rep.LiveApprovedDefaulted, rep.CandidateApprovedDefaulted)
	fmt.Fprintf(w, "live approvals the candidate stops: %d that defaulted, %d that repaid\n", rep.CandidateStoppedDefaulted, rep.CandidateStoppedRepaid)
	return nil
}

func riskPolicyShadow(ctx context.Context, args []string, env Opener, stdout, stderr io.Writer) error {
	c, err := newRiskCommand("policy shadow", env, stderr)
	if err != nil {
		return err
	}
	by := c.fs.String("by", operator(), "who sets the shadow policy (audit)")
	stop := c.fs.Bool("stop", false, "stop shadowing")
	if err := c.open(ctx, args, stderr, 0, 1); err != nil {
		return err
	}
	defer c.done()
	if *stop == (len(c.args) == 1) {
		return errors.New("risk policy shadow: give a policy FILE, or --stop")
	}
	engine := risk.NewEngine(risk.DefaultPolicy(), risk.Config{}) // only publishes: the servers pick it up
	if *stop {
		if err := engine.PublishShadow(ctx, c.store, nil, *by); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "shadow policy stopped; running servers stop within %s\n", PolicyPoll)
		return nil
	}
	src, err := os.ReadFile(c.args[0])
	if err != nil {
		return fmt.Errorf("risk policy shadow: %w", err)
	}
	p, err := risk.CompilePolicy(src)
	if err != nil {
		return fmt.Errorf("risk policy shadow %s: refused: %w", c.args[0], err)
	}
	if err := engine.PublishShadow(ctx, c.store, p, *by); err != nil {
		return fmt.Errorf("risk policy shadow %s: %w", c.args[0], err)
	}
	fmt.Fprintf(stdout, "policy %s (%s) stored and shadowing; running servers start within %s\n", p.Version, p.Name, PolicyPoll)
	return nil
}
