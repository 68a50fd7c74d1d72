package parse

import (
	"math"
	"regexp"
)

// footerPattern is the page counter every report prints, whatever its
// spacing and comma width; furnitureKey has already masked the numbers.
var footerPattern = regexp.MustCompile(`^第#页[,，]?共#页$`)

// stripFurniture drops text lines that repeat at the same height on most
// pages once digits are masked (footers, print headers, URLs), and page
// counters anywhere. Tables are never furniture.
func stripFurniture(pages [][]item) [][]item {
	type pos struct {
		key string
		y   int
	}
	seen := map[pos]int{}
	for _, items := range pages {
		once := map[pos]bool{}
		for _, it := range items {
			if it.tbl != nil {
				continue
			}
			p := pos{it.key, int(math.Round(it.base / 3))}
			if !once[p] {
				once[p] = true
				seen[p]++
			}
		}
	}
	need := max(2, int(math.Ceil(0.6*float64(len(pages)))))
	out := make([][]item, len(pages))
	for i, items := range pages {
		kept := items[:0:0]
		for _, it := range items {
			if it.tbl == nil {
				if footerPattern.MatchString(it.key) {
					continue
				}
				if len(pages) >= 2 && seen[pos{it.key, int(math.Round(it.base / 3))}] >= need {
					continue
				}
			}
			kept = append(kept, it)
		}
		out[i] = kept
	}
	return out
}

// joinPages concatenates the pages' items, merging a table that ends a page
// with a table that starts the next when the continuation's first row lines
// up with the table's columns: the report does not repeat a table's header
// on the continuation page.
func joinPages(pages [][]item) []item {
	var out []item
	for _, items := range pages {
		for k, it := range items {
			if k == 0 && it.tbl != nil && len(out) > 0 {
				last := out[len(out)-1]
				if last.tbl != nil && continues(last.tbl, it.tbl) {
					appendRows(last.tbl, it.tbl.rows)
					continue
				}
			}
			out = append(out, it)
		}
	}
	return out
}

// continues reports whether b, the first table of a page, continues a:
// same outer edges, and every cell edge of b's first row one of a's column
// edges.
func continues(a, b *table) bool {
	if len(a.xs) < 2 || len(b.xs) < 2 || len(a.rows) == 0 || len(b.rows) == 0 {
		return false
	}
	if !near(a.xs[0], b.xs[0]) || !near(a.xs[len(a.xs)-1], b.xs[len(b.xs)-1]) {
		return false
	}
	for _, c := range b.rows[0] {
		if !hasEdge(a.xs, c.x0) || !hasEdge(a.xs, c.x1) {
			return false
		}
	}
	return true
}

func near(x, y float64) bool { return math.Abs(x-y) <= 2 }

func hasEdge(xs []float64, x float64) bool {
	for _, y := range xs {
		if near(x, y) {
			return true
		}
	}
	return false
}

// appendRows adds a continuation's rows to t. When the page broke inside a
// row, the continuation's first row holds only the overflow of the cells
// that wrapped: it lines up with t's last row and is mostly empty where
// that row has text. Its lines then belong to that row.
func appendRows(t *table, rows []row) {
	if len(t.rows) > 0 && len(rows) > 0 && isFragment(t.rows[len(t.rows)-1], rows[0]) {
		last := t.rows[len(t.rows)-1]
		for i, c := range rows[0] {
			last[i].lines = append(last[i].lines, c.lines...)
		}
		rows = rows[1:]
	}
	t.rows = append(t.rows, rows...)
}

func isFragment(last, next row) bool {
	if len(last) != len(next) {
		return false
	}
	cut := 0
	for i, c := range next {
		if !near(c.x0, last[i].x0) || !near(c.x1, last[i].x1) {
			return false
		}
		had, has := len(last[i].lines) > 0, len(c.lines) > 0
		if has && !had {
			return false
		}
		if had && !has {
			cut++
		}
	}
	return 2*cut >= len(next) && cut < len(next)
}

// sameColumns reports whether two tables share their column edges.
func sameColumns(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !near(a[i], b[i]) {
			return false
		}
	}
	return true
}
