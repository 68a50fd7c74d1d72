package riskcmd

import (
	"bytes"
	"context"
	"flag"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"creditpocket/internal/risk"
)

// memStore is a Store in memory.
type memStore struct {
	saved   []*risk.Policy
	shadow  *risk.Policy
	removed []string
}

func (s *memStore) SavePolicy(_ context.Context, p *risk.Policy, _ string) error {
	s.saved = append(s.saved, p)
	return nil
}
func (s *memStore) ActivePolicyVersion(context.Context) (string, error)  { return "", nil }
func (s *memStore) PolicySource(context.Context, string) ([]byte, error) { return nil, nil }
func (s *memStore) SaveShadow(_ context.Context, p *risk.Policy, _ string) error {
	s.shadow = p
	return nil
}
func (s *memStore) ShadowPolicyVersion(context.Context) (string, error) { return "", nil }
func (s *memStore) Policies(context.Context) ([]risk.PolicyVersion, error) {
	var out []risk.PolicyVersion
	for _, p := range s.saved {
		out = append(out, risk.PolicyVersion{Version: p.Version, Name: p.Name, CreatedBy: "cli", CreatedAt: time.Unix(0, 0).UTC(), Active: true})
	}
	return out, nil
}
func (s *memStore) AddListEntry(_ context.Context, e risk.ListEntry) (risk.ListEntry, error) {
	e.ID = "le_1"
	return e, nil
}
func (s *memStore) RemoveListEntry(_ context.Context, id string) error {
	s.removed = append(s.removed, id)
	return nil
}
func (s *memStore) Decisions(context.Context, time.Time) (iter.Seq[*risk.Record], func() error) {
	return func(func(*risk.Record) bool) {}, func() error { return nil }
}

// runOn runs a risk command over s, with a --data flag standing in for
// the configuration's flags; opened counts the stores opened.
func runOn(t *testing.T, s *memStore, args ...string) (out string, opened int, err error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err = Run(context.Background(), args, Opener{
		Bind: func(fs *flag.FlagSet) error { fs.String("data", "", "data folder"); return nil },
		Open: func(context.Context) (Store, func(), error) { opened++; return s, func() {}, nil },
	}, &stdout, &stderr)
	return stdout.String(), opened, err
}

func TestTheRiskCommands(t *testing.T) {
	policy := filepath.Join("..", "default_policy.yaml")
	t.Run("policy apply stores the compiled file as the active version", func(t *testing.T) {
		s := &memStore{}
		out, _, err := runOn(t, s, "policy", "apply", policy, "--data", "x")
		if err != nil || len(s.saved) != 1 || !strings.Contains(out, "stored and active") {
			t.Fatalf("out %q, err %v, saved %d", out, err, len(s.saved))
		}
		out, _, err = runOn(t, s, "policy", "list")
		if err != nil || !strings.Contains(out, s.saved[0].Version) || !strings.HasPrefix(out, "ACTIVE") {
			t.Fatalf("list: out %q, err %v", out, err)
		}
	})
	t.Run("a policy that does not compile is refused and nothing is stored", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.yaml")
		if err := os.WriteFile(bad, []byte("version: [\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		s := &memStore{}
		if _, _, err := runOn(t, s, "policy", "apply", bad); err == nil || !strings.Contains(err.Error(), "refused") || len(s.saved) != 0 {
			t.Fatalf("err %v, saved %d", err, len(s.saved))
		}
	})
	t.Run("a wrong number of arguments is refused before the store is opened", func(t *testing.T) {
		_, opened, err := runOn(t, &memStore{}, "list", "remove")
		if err == nil || opened != 0 {
			t.Fatalf("err %v, opened %d", err, opened)
		}
	})
	t.Run("shadow needs a file or --stop, not both", func(t *testing.T) {
		if _, _, err := runOn(t, &memStore{}, "policy", "shadow", policy, "--stop"); err == nil {
			t.Fatal("accepted a file and --stop")
		}
		s := &memStore{}
		if _, _, err := runOn(t, s, "policy", "shadow", policy); err != nil || s.shadow == nil {
			t.Fatalf("err %v, shadow %v", err, s.shadow)
		}
	})
	t.Run("simulate over no stored decisions says there is no repayment feedback", func(t *testing.T) {
		out, _, err := runOn(t, &memStore{}, "simulate", "--policy", policy)
		if err != nil || !strings.Contains(out, "replayed over 0 all stored decisions") || !strings.Contains(out, "no repayment feedback yet") {
			t.Fatalf("out %q, err %v", out, err)
		}
	})
	t.Run("an unknown command prints the usage", func(t *testing.T) {
		if _, _, err := runOn(t, &memStore{}, "policy", "delete"); err == nil || !strings.Contains(err.Error(), `unknown command "policy delete"`) {
			t.Fatalf("err %v", err)
		}
	})
}
