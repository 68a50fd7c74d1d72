package pdf

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// fixtures are the checked-in PDFs made by internal/testgen, one per producer.
var fixtures = []string{"gopdf-report.pdf", "libreoffice-report.pdf", "chromium-report.pdf"}

func openFixture(t testing.TB, file string) *Document {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Open(bytes.NewReader(data), int64(len(data)), DefaultLimits())
	if err != nil {
		t.Fatalf("Open(%s): %v", file, err)
	}
	return doc
}

// dump renders everything extracted from a document in a stable, reviewable form.
func dump(t testing.TB, doc *Document) string {
	t.Helper()
	var b strings.Builder
	for n := 1; n <= doc.NumPages(); n++ {
		p, err := doc.Page(n)
		if err != nil {
			t.Fatalf("Page(%d): %v", n, err)
		}
		fmt.Fprintf(&b, "=== page %d %.1fx%.1f rotate=%d glyphs=%d lines=%d\n", n, p.Width, p.Height, p.Rotate, len(p.Glyphs), len(p.Lines))
		b.WriteString(p.Text())
		b.WriteString("--- lines\n")
		for _, s := range p.Lines {
			fmt.Fprintf(&b, "%.1f %.1f %.1f %.1f\n", s.X0, s.Y0, s.X1, s.Y1)
		}
	}
	return b.String()
}

func TestGoldenText(t *testing.T) {
	for _, file := range fixtures {
		t.Run(file+" matches its golden text and lines", func(t *testing.T) {
			got := dump(t, openFixture(t, file))
			golden := filepath.Join("testdata", strings.TrimSuffix(file, ".pdf")+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run with -update after checking the diff)\n%s", golden, firstDiff(got, string(want)))
			}
		})
	}
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got: %q\nwant: %q", i+1, gl, wl)
		}
	}
	return ""
}

// TestMatchesPoppler compares the text of every fixture with poppler's
// pdftotext, the oracle, ignoring whitespace and line order within a page
// (poppler's reading order differs from ours inside table rows). It is
// skipped where poppler-utils is not installed.
func TestMatchesPoppler(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed")
	}
	for _, file := range append(fixtures, "gopdf-report-30.pdf") {
		t.Run(file+" has the same characters as pdftotext", func(t *testing.T) {
			doc := openFixture(t, file)
			for n := 1; n <= doc.NumPages(); n++ {
				out, err := exec.Command("pdftotext", "-f", fmt.Sprint(n), "-l", fmt.Sprint(n), filepath.Join("testdata", file), "-").Output()
				if err != nil {
					t.Fatal(err)
				}
				p, err := doc.Page(n)
				if err != nil {
					t.Fatal(err)
				}
				want, got := charBag(string(out)), charBag(p.Text())
				if want != got {
					t.Errorf("page %d: characters differ\n got: %s\nwant: %s", n, got, want)
				}
			}
		})
	}
}

// charBag returns the non-space characters of s, sorted, as a string.
func charBag(s string) string {
	var r []rune
	for _, c := range s {
		if c > ' ' && c != '\f' {
			r = append(r, c)
		}
	}
	for i := 1; i < len(r); i++ {
		for j := i; j > 0 && r[j] < r[j-1]; j-- {
			r[j], r[j-1] = r[j-1], r[j]
		}
	}
	return string(r)
}
