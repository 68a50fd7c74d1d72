package pdf

import (
	"math"
	"slices"
	"strings"
)

// Page is the extracted content of one page.
type Page struct {
	Number        int     // 1-based
	Width, Height float64 // MediaBox size in user space units
	Rotate        int     // /Rotate in degrees (0, 90, 180, 270), not applied to coordinates
	Glyphs        []Glyph // in content-stream order
	Lines         []Segment
}

// Glyph is one shown character code. Text is usually one rune, but ligatures
// and some ToUnicode maps give several; U+FFFD marks a code without a known
// Unicode value. Space glyphs are included.
type Glyph struct {
	Text string
	X, Y float64 // origin on the baseline
	W    float64 // advance width (without character/word spacing)
	Size float64 // effective font size: font size scaled by the text and current matrices
}

// Segment is an axis-aligned ruling line with X0 ≤ X1 and Y0 ≤ Y1; either
// X0 == X1 (vertical) or Y0 == Y1 (horizontal).
type Segment struct {
	X0, Y0, X1, Y1 float64
}

// Page extracts page n (1-based).
func (d *Document) Page(n int) (p *Page, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, &Error{Page: n, Offset: -1, Op: "extract page", Err: NewPanicError(r)}
		}
	}()
	if n < 1 || n > len(d.pages) {
		return nil, &Error{Page: n, Offset: -1, Op: "open page", Err: ErrPageRange}
	}
	pi := &d.pages[n-1]
	// What the page decodes is given back when it is extracted; only the
	// glyphs stay charged (Page.Bytes), and what the document caches.
	held := d.held
	content, err := d.pageContent(pi)
	if err != nil {
		return nil, locate(err, n, pi.num)
	}
	transient := d.held - held // the decoded content
	defer func() { d.uncharge(transient) }()
	p = &Page{
		Number: n,
		Width:  pi.box[2] - pi.box[0],
		Height: pi.box[3] - pi.box[1],
		Rotate: pi.rotate,
	}
	in := newInterp(d, p)
	defer func() {
		transient += in.formBytes // runs before the uncharge above
		if err != nil {
			transient += in.p.Bytes() // a failed page's glyphs are dropped too
		}
	}()
	// Sized for a typical page; a page of mostly whitespace or drawing
	// (or a bomb) must not reserve glyphs for every 16 bytes up front.
	if err := in.growGlyphs(min(len(content)/16, 4096, d.lim.MaxGlyphsPerPage)); err != nil {
		return nil, locate(err, n, pi.num)
	}
	// Coordinates are reported relative to the MediaBox origin.
	ctm := matrix{1, 0, 0, 1, -pi.box[0], -pi.box[1]}
	if err := in.run(content, pi.resources, ctm, 0); err != nil {
		return nil, locate(err, n, pi.num)
	}
	return p, nil
}

// pageContent returns the decoded, concatenated content streams of a page.
func (d *Document) pageContent(pi *pageInfo) ([]byte, error) {
	c, err := d.resolveErr(pi.dict["Contents"])
	if err != nil {
		return nil, err
	}
	switch v := c.(type) {
	case *stream:
		return d.decode(v)
	case array:
		var parts [][]byte
		size := 0
		held := d.held
		for _, x := range v {
			s, err := d.resolveErr(x)
			if err != nil {
				d.uncharge(d.held - held)
				return nil, err
			}
			st, ok := s.(*stream)
			if !ok {
				continue
			}
			data, err := d.decode(st)
			if err != nil {
				d.uncharge(d.held - held)
				return nil, err
			}
			parts = append(parts, data)
			size += len(data) + 1
		}
		partBytes := d.held - held // given back once copied
		err := d.charge(int64(size))
		d.uncharge(partBytes)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, size)
		for _, data := range parts {
			// Streams of one page are split at token boundaries; keep them apart.
			out = append(append(out, data...), '\n')
		}
		return out, nil
	}
	return nil, nil // a page without contents is blank
}

// Text assembles the page's glyphs into lines of text, top to bottom, left to
// right, with a space wherever the gap between glyphs is wider than a fraction
// of the font size. It is a convenience for tests and debugging, not a layout
// analysis: table cells on one baseline come out as one line.
func (p *Page) Text() string {
	type item struct {
		g   Glyph
		seq int
	}
	items := make([]item, 0, len(p.Glyphs))
	for i, g := range p.Glyphs {
		if strings.TrimSpace(g.Text) == "" {
			continue
		}
		items = append(items, item{g, i})
	}
	// Group by baseline: sort by Y descending, start a new line when the
	// baseline moves by more than half a font size.
	slices.SortStableFunc(items, func(a, b item) int {
		switch {
		case a.g.Y > b.g.Y:
			return -1
		case a.g.Y < b.g.Y:
			return 1
		}
		return 0
	})
	var lines [][]item
	for i := 0; i < len(items); {
		j := i + 1
		tol := math.Max(items[i].g.Size*0.5, 1)
		for j < len(items) && items[i].g.Y-items[j].g.Y <= tol {
			j++
		}
		lines = append(lines, items[i:j])
		i = j
	}
	var b strings.Builder
	for _, ln := range lines {
		slices.SortStableFunc(ln, func(a, b item) int {
			switch {
			case a.g.X < b.g.X:
				return -1
			case a.g.X > b.g.X:
				return 1
			}
			return a.seq - b.seq
		})
		for k, it := range ln {
			if k > 0 {
				prev := ln[k-1].g
				if it.g.X-(prev.X+prev.W) > 0.25*math.Max(prev.Size, it.g.Size) {
					b.WriteByte(' ')
				}
			}
			b.WriteString(it.g.Text)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
