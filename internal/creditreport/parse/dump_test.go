package parse

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"creditpocket/internal/pdf"
)

// TestDump prints the layout of DUMP_PDF (a debugging aid, skipped
// otherwise).
func TestDump(t *testing.T) {
	path := os.Getenv("DUMP_PDF")
	if path == "" {
		t.Skip("set DUMP_PDF to a PDF to print its layout")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	doc, err := pdf.Open(f, st.Size(), pdf.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	var pages [][]item
	for n := 1; n <= doc.NumPages(); n++ {
		p, err := doc.Page(n)
		if err != nil {
			t.Fatal(err)
		}
		items, err := layoutPage(p)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, items)
	}
	for _, it := range joinPages(stripFurniture(pages)) {
		if it.tbl == nil {
			fmt.Printf("p%d T %q\n", it.page, it.text)
			continue
		}
		fmt.Printf("p%d TABLE xs=%.1f\n", it.page, it.tbl.xs)
		for _, r := range it.tbl.rows {
			var cs []string
			for _, c := range r {
				cs = append(cs, fmt.Sprintf("[%.0f-%.0f]%s", c.x0, c.x1, strings.Join(c.lines, "⏎")))
			}
			fmt.Println("   ", strings.Join(cs, " | "))
		}
	}
}
