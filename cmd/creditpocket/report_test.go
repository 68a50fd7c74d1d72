package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"creditpocket/tools/reportscore"
)

const reportFixtures = "../../internal/creditreport/testdata/fixtures"

func TestReportParse(t *testing.T) {
	ctx := context.Background()
	t.Run("one file prints the contract JSON to stdout", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		if err := run(ctx, []string{"report", "parse", filepath.Join(reportFixtures, "thin-gopdf-1.pdf")}, reportNoEnv, &stdout, &stderr); err != nil {
			t.Fatalf("run: %v (stderr %s)", err, stderr.String())
		}
		want, err := os.ReadFile(filepath.Join(reportFixtures, "thin-gopdf-1.json"))
		if err != nil {
			t.Fatal(err)
		}
		res, err := reportscore.Score(want, stdout.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if res.F1 != 1 {
			t.Errorf("F1 = %v, diffs %v", res.F1, res.Diffs)
		}
	})
	t.Run("several files write one JSON each and a failure is reported", func(t *testing.T) {
		dir := t.TempDir()
		bogus := filepath.Join(dir, "bogus.pdf")
		if err := os.WriteFile(bogus, []byte("not a pdf"), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out")
		var stdout, stderr bytes.Buffer
		err := run(ctx, []string{"report", "parse", filepath.Join(reportFixtures, "thin-gopdf-1.pdf"), filepath.Join(reportFixtures, "thin-chromium.pdf"), bogus, "--out", out}, reportNoEnv, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), "1 of 3") {
			t.Fatalf("err = %v, want 1 of 3 failed", err)
		}
		if !strings.Contains(stderr.String(), "bogus.pdf") {
			t.Errorf("stderr does not name the failed file: %s", stderr.String())
		}
		for _, name := range []string{"thin-gopdf-1.json", "thin-chromium.json"} {
			if _, err := os.Stat(filepath.Join(out, name)); err != nil {
				t.Errorf("missing output: %v", err)
			}
		}
	})
	t.Run("normalize prints typed values", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		if err := run(ctx, []string{"report", "parse", "--normalize", filepath.Join(reportFixtures, "thin-gopdf-1.pdf")}, reportNoEnv, &stdout, &stderr); err != nil {
			t.Fatalf("run: %v (stderr %s)", err, stderr.String())
		}
		if !strings.Contains(stdout.String(), `"reportTime": "2020-08-04T14:32:15"`) {
			t.Errorf("no ISO report time in %.300s", stdout.String())
		}
	})
}

func reportNoEnv(string) (string, bool) { return "", false }
