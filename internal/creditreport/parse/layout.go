package parse

import (
	"cmp"
	"errors"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"creditpocket/internal/pdf"
)

// Tolerances in user-space points. Producers draw one border as two
// rectangles half a line width apart (Chromium), or offset a row's bottom
// rule by a third of a point (LibreOffice); 1.5 pt absorbs both while staying
// far below a row height.
const (
	edgeTol  = 1.5
	touchTol = 2.0
)

// Caps that keep a hostile page from costing more than a real one could:
// a dense report page draws a few hundred rules and a few thousand glyphs.
const (
	maxSegmentsPerPage = 20000
	maxGlyphsPerPage   = 100000
	maxUnitsPerTable   = 100000
)

var errPageTooComplex = errors.New("page too complex for a credit report")

// cell is one table cell after merging: its rectangle and its text lines,
// top to bottom.
type cell struct {
	x0, x1, y0, y1 float64 // y1 is the top
	lines          []string
}

func (c *cell) text() string { return strings.Join(c.lines, "") }

// row is the cells that start on one unit row of a table, left to right.
type row []*cell

// table is a ruled table, possibly continued over several pages.
type table struct {
	page        int       // where it starts
	xs          []float64 // distinct column edges, ascending
	top, bottom float64
	rows        []row
}

// item is one element of the reading order: a text line outside any table,
// or a table.
type item struct {
	page int
	top  float64
	text string // free text, spaces collapsed
	key  string // text with digits and spaces removed, for furniture detection
	base float64
	tbl  *table
}

type glyph struct {
	text       string
	x, y, w, s float64
	space      bool
}

// layoutPage turns one page into its items in reading order, watermarks
// already dropped. Repeated furniture is removed later, across pages.
func layoutPage(p *pdf.Page) ([]item, error) {
	if len(p.Glyphs) > maxGlyphsPerPage || len(p.Lines) > 4*maxSegmentsPerPage {
		return nil, errPageTooComplex
	}
	glyphs := dropWatermarks(p.Glyphs)
	hs, vs := splitSegments(p.Lines)
	if len(hs)+len(vs) > maxSegmentsPerPage {
		return nil, errPageTooComplex
	}
	tables, err := findTables(hs, vs)
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		t.table.page = p.Number
	}
	cellGlyphs := make(map[*cell][]glyph)
	var free []glyph
	for _, g := range glyphs {
		cx, cy := g.x+g.w/2, g.y+0.3*g.s
		if c := locate(tables, cx, cy); c != nil {
			if !g.space {
				cellGlyphs[c] = append(cellGlyphs[c], g)
			}
			continue
		}
		free = append(free, g)
	}
	for c, gs := range cellGlyphs {
		for _, ln := range textLines(gs) {
			c.lines = append(c.lines, joinCell(ln))
		}
	}
	var items []item
	for _, t := range tables {
		items = append(items, item{page: p.Number, top: t.table.top, tbl: t.table})
	}
	for _, ln := range textLines(free) {
		text := joinFree(ln)
		if text == "" {
			continue
		}
		var top float64
		for _, g := range ln {
			top = max(top, g.y+0.8*g.s)
		}
		items = append(items, item{page: p.Number, top: top, base: ln[0].y, text: text, key: furnitureKey(text)})
	}
	slices.SortStableFunc(items, func(a, b item) int { return cmp.Compare(b.top, a.top) })
	return items, nil
}

// dropWatermarks removes glyph runs drawn along a slant (a rotated text
// matrix advances x and y together) and glyphs far larger than the body
// text: both are overlays, never report content.
func dropWatermarks(in []pdf.Glyph) []glyph {
	sizes := make([]float64, 0, len(in))
	for _, g := range in {
		if strings.TrimSpace(g.Text) != "" && g.Size > 0 {
			sizes = append(sizes, g.Size)
		}
	}
	median := 0.0
	if len(sizes) > 0 {
		slices.Sort(sizes)
		median = sizes[len(sizes)/2]
	}
	slanted := make([]bool, len(in))
	for i := 0; i+1 < len(in); i++ {
		if !slantStep(in[i], in[i+1]) {
			continue
		}
		// One slanted step is a line break; two in a row at the same angle
		// are a rotated run.
		j := i + 1
		for j+1 < len(in) && slantStep(in[j], in[j+1]) {
			j++
		}
		if j-i >= 2 {
			for k := i; k <= j; k++ {
				slanted[k] = true
			}
		}
		i = j - 1
	}
	out := make([]glyph, 0, len(in))
	for i, g := range in {
		if slanted[i] || math.IsNaN(g.X) || math.IsNaN(g.Y) || math.IsInf(g.X, 0) || math.IsInf(g.Y, 0) {
			continue
		}
		if median > 0 && g.Size > 3.5*median {
			continue
		}
		space := strings.TrimSpace(g.Text) == ""
		out = append(out, glyph{text: g.Text, x: g.X, y: g.Y, w: g.W, s: max(g.Size, 0.1), space: space})
	}
	return out
}

// slantStep reports whether b follows a one advance away along a slant.
func slantStep(a, b pdf.Glyph) bool {
	dx, dy := b.X-a.X, b.Y-a.Y
	s := max(a.Size, 0.1)
	if math.Abs(dy) < 0.25*s || math.Abs(dx) < 0.1*s {
		return false
	}
	d := math.Hypot(dx, dy)
	return d > 0.5*a.W && d < 2*a.W+s
}

type seg struct{ a0, a1, at float64 } // extent along the line, and its position across

func splitSegments(lines []pdf.Segment) (hs, vs []seg) {
	for _, l := range lines {
		if bad(l.X0) || bad(l.X1) || bad(l.Y0) || bad(l.Y1) {
			continue
		}
		switch {
		case math.Abs(l.Y1-l.Y0) < 0.01 && l.X1-l.X0 > 0.5:
			hs = append(hs, seg{l.X0, l.X1, l.Y0})
		case math.Abs(l.X1-l.X0) < 0.01 && l.Y1-l.Y0 > 0.5:
			vs = append(vs, seg{l.Y0, l.Y1, l.X0})
		}
	}
	return mergeCollinear(hs), mergeCollinear(vs)
}

func bad(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }

// mergeCollinear joins segments on the same line that touch or overlap:
// a row of cell rectangles becomes one rule. Positions within 0.3 pt are
// one line (producers round the shared edge of two rectangles differently).
func mergeCollinear(ss []seg) []seg {
	slices.SortFunc(ss, func(a, b seg) int { return cmp.Compare(a.at, b.at) })
	var out []seg
	for i := 0; i < len(ss); {
		j := i + 1
		for j < len(ss) && ss[j].at-ss[j-1].at < 0.3 {
			j++
		}
		line := ss[i:j]
		slices.SortFunc(line, func(a, b seg) int { return cmp.Compare(a.a0, b.a0) })
		start := len(out)
		for _, s := range line {
			if n := len(out); n > start && s.a0 <= out[n-1].a1+1 {
				out[n-1].a1 = max(out[n-1].a1, s.a1)
				continue
			}
			out = append(out, s)
		}
		i = j
	}
	return out
}

// ruled is a table under construction with its unit grid.
type ruled struct {
	table  *table
	ys     []float64 // row edges, descending (top first)
	cellAt [][]*cell // [unit row][unit col]
	x0, x1 float64
}

// findTables groups touching rules into tables and resolves their cells.
func findTables(hs, vs []seg) ([]*ruled, error) {
	n := len(hs) + len(vs)
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	// hs are sorted by y: for each vertical rule, visit the horizontal rules
	// within its height.
	checks := 0
	for vi, v := range vs {
		lo, _ := slices.BinarySearchFunc(hs, v.a0-touchTol, func(h seg, y float64) int { return cmp.Compare(h.at, y) })
		for hi := lo; hi < len(hs) && hs[hi].at <= v.a1+touchTol; hi++ {
			checks++
			if checks > 4_000_000 {
				return nil, errPageTooComplex
			}
			h := hs[hi]
			if v.at >= h.a0-touchTol && v.at <= h.a1+touchTol {
				a, b := find(hi), find(len(hs)+vi)
				if a != b {
					parent[a] = b
				}
			}
		}
	}
	groups := map[int]*[2][]seg{}
	var order []int
	for i := range n {
		r := find(i)
		g, ok := groups[r]
		if !ok {
			g = &[2][]seg{}
			groups[r] = g
			order = append(order, r)
		}
		if i < len(hs) {
			g[0] = append(g[0], hs[i])
		} else {
			g[1] = append(g[1], vs[i-len(hs)])
		}
	}
	var out []*ruled
	for _, r := range order {
		g := groups[r]
		if len(g[0]) < 2 || len(g[1]) < 2 {
			continue // a lone rule or an underline, not a table
		}
		t, err := buildTable(g[0], g[1])
		if err != nil {
			return nil, err
		}
		if t != nil {
			out = append(out, t)
		}
	}
	return out, nil
}

// cluster returns the distinct positions of ps within edgeTol, ascending.
func cluster(ps []float64) []float64 {
	slices.Sort(ps)
	var out []float64
	var sum float64
	var cnt int
	for _, p := range ps {
		if cnt > 0 && p-out[len(out)-1] > edgeTol {
			out[len(out)-1] = sum / float64(cnt)
			sum, cnt = 0, 0
		}
		if cnt == 0 {
			out = append(out, p)
		}
		sum += p
		cnt++
	}
	if cnt > 0 {
		out[len(out)-1] = sum / float64(cnt)
	}
	return out
}

// covered is the fraction of [a, b] drawn by rules at position at.
func covered(ss []seg, at, a, b float64) float64 {
	if b <= a {
		return 1
	}
	var spans [][2]float64
	for _, s := range ss {
		if math.Abs(s.at-at) <= edgeTol && s.a1 > a && s.a0 < b {
			spans = append(spans, [2]float64{max(s.a0, a), min(s.a1, b)})
		}
	}
	slices.SortFunc(spans, func(x, y [2]float64) int { return cmp.Compare(x[0], y[0]) })
	var total, end float64
	end = a
	for _, sp := range spans {
		if sp[1] <= end {
			continue
		}
		total += sp[1] - max(sp[0], end)
		end = sp[1]
	}
	return total / (b - a)
}

func buildTable(hs, vs []seg) (*ruled, error) {
	var yp, xp []float64
	for _, h := range hs {
		yp = append(yp, h.at)
	}
	for _, v := range vs {
		xp = append(xp, v.at)
	}
	ys, xs := cluster(yp), cluster(xp)
	slices.Reverse(ys)
	nr, nc := len(ys)-1, len(xs)-1
	if nr < 1 || nc < 1 {
		return nil, nil
	}
	if nr*nc > maxUnitsPerTable {
		return nil, errPageTooComplex
	}
	parent := make([]int, nr*nc)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		if ra, rb := find(a), find(b); ra != rb {
			parent[rb] = ra
		}
	}
	for i := range nr {
		for j := range nc {
			if j+1 < nc && covered(vs, xs[j+1], ys[i+1], ys[i]) < 0.5 {
				union(i*nc+j, i*nc+j+1)
			}
			if i+1 < nr && covered(hs, ys[i+1], xs[j], xs[j+1]) < 0.5 {
				union(i*nc+j, (i+1)*nc+j)
			}
		}
	}
	type span struct{ r0, r1, c0, c1 int }
	spans := map[int]*span{}
	for i := range nr {
		for j := range nc {
			r := find(i*nc + j)
			s, ok := spans[r]
			if !ok {
				spans[r] = &span{i, i, j, j}
				continue
			}
			s.r0, s.r1, s.c0, s.c1 = min(s.r0, i), max(s.r1, i), min(s.c0, j), max(s.c1, j)
		}
	}
	t := &table{xs: xs, top: ys[0], bottom: ys[nr], rows: make([]row, nr)}
	rt := &ruled{table: t, ys: ys, x0: xs[0], x1: xs[nc], cellAt: make([][]*cell, nr)}
	for i := range nr {
		rt.cellAt[i] = make([]*cell, nc)
	}
	made := map[int]*cell{}
	for i := range nr {
		for j := range nc {
			r := find(i*nc + j)
			c, ok := made[r]
			if !ok {
				s := spans[r]
				c = &cell{x0: xs[s.c0], x1: xs[s.c1+1], y0: ys[s.r1+1], y1: ys[s.r0]}
				made[r] = c
				t.rows[s.r0] = append(t.rows[s.r0], c)
			}
			rt.cellAt[i][j] = c
		}
	}
	// Rows whose every unit continues a cell from above carry nothing.
	rows := t.rows[:0]
	for _, r := range t.rows {
		if len(r) > 0 {
			slices.SortFunc(r, func(a, b *cell) int { return cmp.Compare(a.x0, b.x0) })
			rows = append(rows, r)
		}
	}
	t.rows = rows
	return rt, nil
}

// locate finds the cell containing a point, or nil outside every table.
func locate(tables []*ruled, x, y float64) *cell {
	for _, t := range tables {
		if x < t.x0 || x > t.x1 || y > t.ys[0] || y < t.ys[len(t.ys)-1] {
			continue
		}
		// ys descend: the first edge below y closes its unit row.
		i := sortSearchDesc(t.ys, y) - 1
		j := sortSearchAsc(t.table.xs, x) - 1
		i = min(max(i, 0), len(t.cellAt)-1)
		j = min(max(j, 0), len(t.table.xs)-2)
		return t.cellAt[i][j]
	}
	return nil
}

func sortSearchAsc(xs []float64, x float64) int {
	i, _ := slices.BinarySearch(xs, x)
	return i
}

func sortSearchDesc(ys []float64, y float64) int {
	lo, hi := 0, len(ys)
	for lo < hi {
		m := (lo + hi) / 2
		if ys[m] >= y {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// textLines groups glyphs by baseline, top line first, each line left to
// right.
func textLines(gs []glyph) [][]glyph {
	if len(gs) == 0 {
		return nil
	}
	slices.SortStableFunc(gs, func(a, b glyph) int { return cmp.Compare(b.y, a.y) })
	var lines [][]glyph
	for i := 0; i < len(gs); {
		j := i + 1
		for j < len(gs) && gs[i].y-gs[j].y <= 0.4*max(gs[i].s, gs[j].s) {
			j++
		}
		ln := gs[i:j]
		slices.SortStableFunc(ln, func(a, b glyph) int { return cmp.Compare(a.x, b.x) })
		lines = append(lines, ln)
		i = j
	}
	return lines
}

// joinCell joins one line of a cell. Cell values never contain spaces
// between CJK characters, and some producers (LibreOffice) leave visual gaps
// between Han and digits, so only a wide gap between two ASCII
// alphanumerics becomes a space.
func joinCell(ln []glyph) string {
	var b strings.Builder
	var prev *glyph
	for i := range ln {
		g := &ln[i]
		if g.space {
			continue
		}
		if prev != nil && g.x-(prev.x+prev.w) > 0.6*g.s && asciiAlnumEnd(prev.text) && asciiAlnumStart(g.text) {
			b.WriteByte(' ')
		}
		b.WriteString(g.text)
		prev = g
	}
	return strings.TrimSpace(b.String())
}

// joinFree joins a text line outside tables, keeping one space where the
// producer drew one or left a wide gap.
func joinFree(ln []glyph) string {
	var b strings.Builder
	var prev *glyph
	pendingSpace := false
	for i := range ln {
		g := &ln[i]
		if g.space {
			pendingSpace = true
			continue
		}
		if prev != nil && (pendingSpace || g.x-(prev.x+prev.w) > 0.6*g.s) {
			b.WriteByte(' ')
		}
		pendingSpace = false
		b.WriteString(g.text)
		prev = g
	}
	return strings.TrimSpace(b.String())
}

func asciiAlnumEnd(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

func asciiAlnumStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// furnitureKey masks what changes from page to page (digits, spacing) so
// that a footer reads the same on every page.
func furnitureKey(s string) string {
	var b strings.Builder
	lastDigit := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			continue
		case unicode.IsDigit(r):
			if !lastDigit {
				b.WriteByte('#')
			}
			lastDigit = true
			continue
		}
		lastDigit = false
		b.WriteRune(r)
	}
	return b.String()
}
