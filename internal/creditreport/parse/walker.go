package parse

import (
	"regexp"
	"strings"

	cr "creditpocket/internal/creditreport"
)

// part is the run of items under one (sub)section heading.
type part struct {
	section string // normalised section title, "" for the report header
	sub     string // normalised subsection title, "" when none
	label   string // as printed, for error messages
	page    int
	items   []item
}

// walker fills a Report from the item stream and remembers where it is for
// error messages.
type walker struct {
	r       *cr.Report
	part    *part
	account string
	page    int
}

// walk splits the document at section and subsection headings and lets
// each part's handler read its tables. Handlers are keyed by title, so the
// order of sections does not matter.
func walk(items []item) (*cr.Report, error) {
	w := &walker{r: &cr.Report{}}
	for _, p := range splitParts(items) {
		w.part, w.account, w.page = &p, "", p.page
		if err := w.dispatch(&p); err != nil {
			return nil, err
		}
	}
	return w.r, nil
}

func splitParts(items []item) []part {
	parts := []part{{}}
	section := ""
	for _, it := range items {
		if it.tbl == nil {
			n := norm(it.text)
			if title, ok := sectionHeading(n); ok || n == notesTitle {
				section = title
				if !ok {
					section = notesTitle
				}
				parts = append(parts, part{section: section, label: it.text, page: it.page})
				continue
			}
			if title, ok := subsectionHeading(n); ok && section != "" && section != notesTitle {
				parts = append(parts, part{section: section, sub: title, label: it.text, page: it.page})
				continue
			}
		}
		last := &parts[len(parts)-1]
		last.items = append(last.items, it)
	}
	return parts
}

func (w *walker) dispatch(p *part) error {
	switch p.section {
	case "":
		return w.header(p.items)
	case "个人基本信息":
		return w.basic(p)
	case "信息概要":
		return w.summary(p)
	case "信贷交易信息明细":
		return w.creditDetail(p)
	case "非信贷交易信息明细":
		return w.noncredit(p)
	case "公共信息明细":
		return w.public(p)
	case "异议标注":
		for _, row := range w.list(tables(p.items), "编号", "标注内容", "添加日期") {
			w.r.ObjectionLabel = append(w.r.ObjectionLabel, cr.ObjectionLabelRecord{No: row[0], LabelContent: row[1], AddDate: row[2]})
		}
	case "查询记录":
		for _, row := range w.list(tables(p.items), "编号", "查询日期", "查询机构", "查询原因") {
			w.r.QueryRecord = append(w.r.QueryRecord, cr.QueryRecord{No: row[0], Date: row[1], QueryCompany: row[2], QueryReason: row[3]})
		}
	}
	return nil
}

// fail locates err at the walker's position.
func (w *walker) fail(err error) error {
	e := &Error{Page: w.page, Account: w.account, Err: err}
	if w.part != nil {
		e.Section = w.part.label
	}
	return e
}

func tables(items []item) []*table {
	var out []*table
	for _, it := range items {
		if it.tbl != nil {
			out = append(out, it.tbl)
		}
	}
	return out
}

// block is one account or record inside a part: its heading and items.
type block struct {
	name    string // "账户1", "授信协议1", "记录1"
	heading string // normalised heading
	page    int
	items   []item
}

var blockHeading = regexp.MustCompile(`^(?:判决信息|执行信息|认定类信息|惩戒类信息|欠缴信息)?((?:账户|授信协议|记录)\d+)(?:\(.*\))?$`)

// splitBlocks cuts a part at its block headings; items before the first
// heading form a block with an empty name.
func splitBlocks(items []item) []block {
	blocks := []block{{}}
	for _, it := range items {
		if it.tbl == nil {
			n := norm(it.text)
			if m := blockHeading.FindStringSubmatch(n); m != nil {
				blocks = append(blocks, block{name: m[1], heading: n, page: it.page})
				continue
			}
		}
		b := &blocks[len(blocks)-1]
		if b.page == 0 {
			b.page = it.page
		}
		b.items = append(b.items, it)
	}
	return blocks
}

// overlap is the horizontal overlap of two cells.
func overlap(a, b *cell) float64 { return min(a.x1, b.x1) - max(a.x0, b.x0) }

// below returns the cell of r under c: the one overlapping it most.
func below(c *cell, r row) *cell {
	var best *cell
	bestOv := 0.0
	for _, d := range r {
		if ov := overlap(c, d); ov > bestOv {
			best, bestOv = d, ov
		}
	}
	return best
}

// pair is one printed label and the value under it.
type pair struct{ label, value string }

// kv reads label rows and the value rows under them. A row is a label row
// when most of its non-empty cells are known labels; the next row gives
// each label its value by column overlap. A label row left without values
// at the end of one table takes the first row of the next (a page break
// between label and value rows whose tables could not be merged).
func kv(tbls []*table, known func(string) bool) []pair {
	var out []pair
	var pending row
	for _, t := range tbls {
		for _, r := range t.rows {
			if isLabelRow(r, known) {
				pending = r
				continue
			}
			if pending == nil {
				continue
			}
			for _, c := range pending {
				label := norm(c.text())
				if label == "" {
					continue
				}
				v := ""
				if d := below(c, r); d != nil {
					v = clean(d.text())
				}
				out = append(out, pair{label, v})
			}
			pending = nil
		}
	}
	return out
}

func isLabelRow(r row, known func(string) bool) bool {
	labels, texts := 0, 0
	for _, c := range r {
		n := norm(c.text())
		if n == "" {
			continue
		}
		texts++
		if known(n) {
			labels++
		}
	}
	return labels > 0 && 2*labels >= texts
}

// labelSet makes a known-label predicate from labels as printed.
func labelSet(labels ...string) func(string) bool {
	m := make(map[string]bool, len(labels))
	for _, l := range labels {
		m[norm(l)] = true
	}
	return func(s string) bool { return m[s] }
}

// kvMap is kv as a map; a label printed twice keeps its first value.
func kvMap(pairs []pair) map[string]string {
	m := make(map[string]string, len(pairs))
	for _, p := range pairs {
		if _, dup := m[p.label]; !dup {
			m[p.label] = p.value
		}
	}
	return m
}

// fill copies the values of labels into their destinations.
func fill(m map[string]string, dst map[string]*string) {
	for label, p := range dst {
		if v, ok := m[norm(label)]; ok {
			*p = v
		}
	}
}

// list reads the rows of a list table with the given header: the first row
// naming most of the header labels, then every following row of that
// table and of continuation tables with the same columns. Each row comes
// back in header order; a missing cell is "".
func (w *walker) list(tbls []*table, header ...string) [][]string {
	want := make([]string, len(header))
	for i, h := range header {
		want[i] = norm(h)
	}
	var out [][]string
	for ti := 0; ti < len(tbls); ti++ {
		t := tbls[ti]
		hi := headerRow(t, want)
		if hi < 0 {
			continue
		}
		cols := headerCells(t.rows[hi], want)
		rows := t.rows[hi+1:]
		for ti+1 < len(tbls) && tbls[ti+1].page > tbls[ti].page && headerRow(tbls[ti+1], want) < 0 && continues(t, tbls[ti+1]) {
			ti++
			rows = append(rows[:len(rows):len(rows)], tbls[ti].rows...)
		}
		for _, r := range rows {
			if !sameEdges(r, t.rows[hi]) {
				break // the next table, drawn flush against this one
			}
			if isHeader(r, want) {
				continue // a header repeated on a continuation page
			}
			vals := make([]string, len(want))
			empty := true
			for i, c := range cols {
				if c == nil {
					continue
				}
				if d := below(c, r); d != nil {
					vals[i] = clean(d.text())
					empty = empty && vals[i] == ""
				}
			}
			if !empty {
				out = append(out, vals)
			}
		}
	}
	return out
}

// headerRow finds the row of t that names at least half the wanted labels.
func headerRow(t *table, want []string) int {
	for i, r := range t.rows {
		if isHeader(r, want) {
			return i
		}
	}
	return -1
}

func isHeader(r row, want []string) bool {
	hits := 0
	for _, c := range r {
		n := norm(c.text())
		for _, h := range want {
			if n == h {
				hits++
				break
			}
		}
	}
	return hits > 0 && 2*hits >= len(want)
}

// sameEdges reports whether every cell of r lines up with a cell of the
// header: rows of one list table share its column edges, while a table
// drawn flush under it (LibreOffice joins adjacent tables) does not.
func sameEdges(r, header row) bool {
	near := func(a, b float64) bool { return a-b <= 2 && b-a <= 2 }
	for _, c := range r {
		ok0, ok1 := false, false
		for _, h := range header {
			ok0 = ok0 || near(c.x0, h.x0)
			ok1 = ok1 || near(c.x1, h.x1)
		}
		if !ok0 || !ok1 {
			return false
		}
	}
	return true
}

// headerCells returns, for each wanted label, its cell in the header row.
func headerCells(r row, want []string) []*cell {
	out := make([]*cell, len(want))
	for i, h := range want {
		for _, c := range r {
			if norm(c.text()) == h {
				out[i] = c
				break
			}
		}
	}
	return out
}

// texts returns the free text lines of items, normalised.
func texts(items []item) []string {
	var out []string
	for _, it := range items {
		if it.tbl == nil {
			out = append(out, norm(it.text))
		}
	}
	return out
}

// segments cuts items at the free text lines for which isHeading is true;
// each segment's heading is "" for the items before the first one.
type segment struct {
	heading string
	raw     string
	items   []item
}

func segments(items []item, isHeading func(string) bool) []segment {
	out := []segment{{}}
	for _, it := range items {
		if it.tbl == nil {
			if n := norm(it.text); isHeading(n) {
				out = append(out, segment{heading: n, raw: it.text})
				continue
			}
		}
		s := &out[len(out)-1]
		s.items = append(s.items, it)
	}
	return out
}

func hasPrefixAny(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
