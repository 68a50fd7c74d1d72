package parse

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cr "creditpocket/internal/creditreport"
	"creditpocket/tools/reportscore"
)

const fixtureDir = "../testdata/fixtures"

func fixturePDFs(t testing.TB) []string {
	t.Helper()
	pdfs, err := filepath.Glob(filepath.Join(fixtureDir, "*.pdf"))
	if err != nil || len(pdfs) == 0 {
		t.Fatalf("no fixtures in %s: %v", fixtureDir, err)
	}
	return pdfs
}

// TestFixtures parses every checked-in fixture and requires every field of
// its golden JSON, and nothing else (F1 = 1.0).
func TestFixtures(t *testing.T) {
	for _, path := range fixturePDFs(t) {
		name := strings.TrimSuffix(filepath.Base(path), ".pdf")
		t.Run(name+" scores F1 1.0 against its golden JSON", func(t *testing.T) {
			t.Parallel()
			want, err := os.ReadFile(strings.TrimSuffix(path, ".pdf") + ".json")
			if err != nil {
				t.Fatal(err)
			}
			rep, err := FileContext(context.Background(), path, Options{AutoClassify: true})
			if err != nil {
				t.Fatal(err)
			}
			got, err := cr.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			res, err := reportscore.Score(want, got)
			if err != nil {
				t.Fatal(err)
			}
			if res.F1 != 1 {
				t.Errorf("F1 = %.4f (P %.4f, R %.4f, %d expected, %d got, %d matched)", res.F1, res.Precision, res.Recall, res.Expected, res.Got, res.Matched)
				for i, d := range res.Diffs {
					if i == 15 && os.Getenv("ALLDIFFS") == "" {
						t.Errorf("… %d more", len(res.Diffs)-i)
						break
					}
					t.Errorf("%s: want %q, got %q", d.Path, d.Want, d.Got)
				}
			}
		})
	}
}
