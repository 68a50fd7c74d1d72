package pdf

import (
	"bytes"
	"cmp"
	"math"
	"unsafe"
)

// matrix is an affine transform [a b c d e f] as in PDF: a point (x, y) maps
// to (a·x + c·y + e, b·x + d·y + f).
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m × n: apply m first, then n.
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func (m matrix) apply(x, y float64) (float64, float64) {
	return x*m[0] + y*m[2] + m[4], x*m[1] + y*m[3] + m[5]
}

// gstate is the part of the graphics state we track; text state is part of it
// and is saved by q/Q too.
type gstate struct {
	ctm                      matrix
	font                     *font
	fs, tc, tw, th, tl, rise float64
}

type operandKind uint8

const (
	argNum operandKind = iota
	argStr
	argName
	argArrayOpen
	argArrayClose
	argDict
)

// operand is one content-stream operand; b points into the content or into
// interp.strs and is only valid until the operator runs.
type operand struct {
	kind operandKind
	num  float64
	b    []byte
}

type point struct{ x, y float64 }

type subpath struct {
	start, end int // range in interp.pts
	closed     bool
}

// interp executes content streams, appending glyphs and ruling segments to a Page.
type interp struct {
	d         *Document
	p         *Page
	ops       int
	gs        gstate
	stack     []gstate
	overflow  int // q operators beyond maxSaveDepth, matched by Q before popping
	tm, tlm   matrix
	args      []operand
	strs      []byte
	pts       []point
	subs      []subpath
	cur       point
	forms     map[int][]byte
	fontMemo  map[string]*font // fonts of the current resource dictionary by name
	err       error            // the memory hook's refusal, which ends the page
	formBytes int64            // charged for decoded Form XObjects, given back with the page
}

// glyphBytes is what one glyph costs in memory: the Glyph, its text and
// its share of the layout built from it.
const glyphBytes = int64(unsafe.Sizeof(Glyph{})) + 16

// growGlyphs makes room for at least n more glyphs, charging the memory
// hook for the larger slice before it is allocated.
func (in *interp) growGlyphs(n int) error {
	g := in.p.Glyphs
	if len(g)+n > in.d.lim.MaxGlyphsPerPage {
		return &Error{Offset: -1, Op: "extract glyphs", Err: limitErr("glyphs per page", int64(in.d.lim.MaxGlyphsPerPage))}
	}
	if len(g)+n <= cap(g) {
		return nil
	}
	c := min(max(2*cap(g), len(g)+n, 64), in.d.lim.MaxGlyphsPerPage)
	if err := in.d.charge(int64(c) * glyphBytes); err != nil {
		return &Error{Offset: -1, Op: "extract glyphs", Err: err}
	}
	in.p.Glyphs = append(make([]Glyph, 0, c), g...)
	in.d.uncharge(int64(cap(g)) * glyphBytes)
	return nil
}

// Bytes is what the page's glyphs were charged to Limits.Memory; give it
// back (Memory(-p.Bytes())) when done with the page.
func (p *Page) Bytes() int64 { return int64(cap(p.Glyphs)) * glyphBytes }

const (
	maxSaveDepth = 1 << 10
	maxOperands  = 1 << 16
	// thinRect is the largest thickness (user space units) of a filled
	// rectangle that is taken as a ruling line rather than a shaded area.
	thinRect = 3.0
	// axisTolerance is how far a segment may deviate from horizontal or
	// vertical and still count as a ruling line.
	axisTolerance = 0.5
)

func newInterp(d *Document, p *Page) *interp {
	return &interp{d: d, p: p, args: make([]operand, 0, 16)}
}

// run executes one content stream with the given resources. depth counts
// Form XObject nesting.
func (in *interp) run(data []byte, res dict, ctm matrix, depth int) error {
	in.gs = gstate{ctm: ctm, th: 1}
	in.tm, in.tlm = identity, identity
	return in.exec(data, res, depth)
}

func (in *interp) exec(data []byte, res dict, depth int) error {
	s := scanner{buf: data}
	in.args = in.args[:0]
	in.strs = in.strs[:0]
	for {
		s.skipSpace()
		if s.pos >= len(data) {
			return nil
		}
		if len(in.args) >= maxOperands {
			return errorf("content", int64(s.pos), limitErr("operands before an operator", maxOperands))
		}
		start := s.pos
		switch c := data[s.pos]; c {
		case '/':
			s.pos++
			for s.pos < len(data) && isRegular(data[s.pos]) {
				s.pos++
			}
			b := data[start+1 : s.pos]
			if bytes.IndexByte(b, '#') >= 0 {
				s.pos = start
				k := len(in.strs)
				in.strs = s.name(in.strs)
				b = in.strs[k:]
			}
			in.args = append(in.args, operand{kind: argName, b: b})
		case '(':
			k := len(in.strs)
			in.strs, _ = s.literalString(in.strs)
			in.args = append(in.args, operand{kind: argStr, b: in.strs[k:len(in.strs):len(in.strs)]})
		case '<':
			if s.pos+1 < len(data) && data[s.pos+1] == '<' {
				skipDict(&s)
				in.args = append(in.args, operand{kind: argDict})
				continue
			}
			k := len(in.strs)
			in.strs, _ = s.hexString(in.strs)
			in.args = append(in.args, operand{kind: argStr, b: in.strs[k:len(in.strs):len(in.strs)]})
		case '[':
			s.pos++
			in.args = append(in.args, operand{kind: argArrayOpen})
		case ']':
			s.pos++
			in.args = append(in.args, operand{kind: argArrayClose})
		case ')', '>', '{', '}':
			s.pos++ // stray delimiter: skip, as viewers do
		default:
			tok := s.regular()
			if v, _, ok := parseNumber(tok); ok {
				in.args = append(in.args, operand{kind: argNum, num: v})
				continue
			}
			in.ops++
			if in.ops > in.d.lim.MaxOpsPerPage {
				return errorf("content", int64(start), limitErr("content operators per page", int64(in.d.lim.MaxOpsPerPage)))
			}
			if string(tok) == "BI" {
				skipInlineImage(&s)
			} else if err := cmp.Or(in.op(tok, res, depth), in.err); err != nil {
				if e, ok := err.(*Error); ok && e.Offset < 0 && e.Op == "" {
					e.Offset, e.Op = int64(start), string(tok)
				}
				return err
			}
			in.args = in.args[:0]
			in.strs = in.strs[:0]
		}
	}
}

// nums returns the last n operands as numbers, or false if they aren't.
func (in *interp) nums(n int) ([6]float64, bool) {
	var v [6]float64
	if len(in.args) < n {
		return v, false
	}
	a := in.args[len(in.args)-n:]
	for i := range a {
		if a[i].kind != argNum {
			return v, false
		}
		v[i] = a[i].num
	}
	return v, true
}

func (in *interp) op(tok []byte, res dict, depth int) error {
	switch string(tok) {
	// Graphics state.
	case "q":
		if len(in.stack) >= maxSaveDepth {
			in.overflow++
			return nil
		}
		in.stack = append(in.stack, in.gs)
	case "Q":
		if in.overflow > 0 {
			in.overflow--
			return nil
		}
		if n := len(in.stack); n > 0 {
			in.gs = in.stack[n-1]
			in.stack = in.stack[:n-1]
		}
	case "cm":
		if v, ok := in.nums(6); ok {
			in.gs.ctm = matrix(v).mul(in.gs.ctm)
		}

	// Text objects and state.
	case "BT":
		in.tm, in.tlm = identity, identity
	case "ET":
	case "Tf":
		if len(in.args) >= 2 && in.args[len(in.args)-1].kind == argNum {
			in.gs.fs = in.args[len(in.args)-1].num
			in.gs.font = fallbackFont
			if nm := in.args[len(in.args)-2]; nm.kind == argName {
				in.gs.font = in.fontNamed(nm.b, res)
			}
		}
	case "Tc":
		if v, ok := in.nums(1); ok {
			in.gs.tc = v[0]
		}
	case "Tw":
		if v, ok := in.nums(1); ok {
			in.gs.tw = v[0]
		}
	case "Tz":
		if v, ok := in.nums(1); ok {
			in.gs.th = v[0] / 100
		}
	case "TL":
		if v, ok := in.nums(1); ok {
			in.gs.tl = v[0]
		}
	case "Ts":
		if v, ok := in.nums(1); ok {
			in.gs.rise = v[0]
		}
	case "Td":
		if v, ok := in.nums(2); ok {
			in.moveLine(v[0], v[1])
		}
	case "TD":
		if v, ok := in.nums(2); ok {
			in.gs.tl = -v[1]
			in.moveLine(v[0], v[1])
		}
	case "Tm":
		if v, ok := in.nums(6); ok {
			in.tm, in.tlm = matrix(v), matrix(v)
		}
	case "T*":
		in.moveLine(0, -in.gs.tl)
	case "Tj":
		if n := len(in.args); n > 0 && in.args[n-1].kind == argStr {
			in.show(in.args[n-1].b)
		}
	case "'":
		in.moveLine(0, -in.gs.tl)
		if n := len(in.args); n > 0 && in.args[n-1].kind == argStr {
			in.show(in.args[n-1].b)
		}
	case `"`:
		if n := len(in.args); n >= 3 && in.args[n-1].kind == argStr && in.args[n-2].kind == argNum && in.args[n-3].kind == argNum {
			in.gs.tw, in.gs.tc = in.args[n-3].num, in.args[n-2].num
			in.moveLine(0, -in.gs.tl)
			in.show(in.args[n-1].b)
		}
	case "TJ":
		in.showArray()

	// Path construction, in user space (cm may not occur inside a path).
	case "m":
		if v, ok := in.nums(2); ok {
			in.moveTo(in.gs.ctm.apply(v[0], v[1]))
		}
	case "l":
		if v, ok := in.nums(2); ok {
			in.lineTo(in.gs.ctm.apply(v[0], v[1]))
		}
	case "c":
		if v, ok := in.nums(6); ok {
			in.moveTo(in.gs.ctm.apply(v[4], v[5])) // curves are never ruling lines
		}
	case "v", "y":
		if v, ok := in.nums(4); ok {
			in.moveTo(in.gs.ctm.apply(v[2], v[3]))
		}
	case "re":
		if v, ok := in.nums(4); ok {
			in.rect(v[0], v[1], v[2], v[3])
		}
	case "h":
		in.closePath()
	case "S":
		in.paint(true, false, false)
	case "s":
		in.paint(true, false, true)
	case "f", "F", "f*":
		in.paint(false, true, true)
	case "B", "B*":
		in.paint(true, true, false)
	case "b", "b*":
		in.paint(true, true, true)
	case "n":
		in.pts, in.subs = in.pts[:0], in.subs[:0]

	case "Do":
		if n := len(in.args); n > 0 && in.args[n-1].kind == argName {
			return in.doXObject(name(in.args[n-1].b), res, depth)
		}
	}
	return nil
}

// fontNamed looks a font up by resource name, memoizing per resource
// dictionary of the stream being run (Tf is frequent, resolution is not free).
func (in *interp) fontNamed(nm []byte, res dict) *font {
	if f, ok := in.fontMemo[string(nm)]; ok {
		return f
	}
	f := fallbackFont
	if o, ok := in.d.dictOf(res["Font"])[name(nm)]; ok {
		f = in.d.font(o)
	}
	if in.fontMemo == nil {
		in.fontMemo = map[string]*font{}
	}
	in.fontMemo[string(nm)] = f
	return f
}

func (in *interp) moveLine(tx, ty float64) {
	in.tlm = matrix{1, 0, 0, 1, tx, ty}.mul(in.tlm)
	in.tm = in.tlm
}

// show appends the glyphs of one string and advances the text matrix.
func (in *interp) show(s []byte) {
	f := in.gs.font
	if f == nil {
		f = fallbackFont
	}
	gs := &in.gs
	c := &gs.ctm
	// Within one string only the translation of the text matrix changes, so
	// the scale factors are computed once.
	lin := in.tm.mul(gs.ctm)
	wScale := gs.fs * gs.th * norm(lin[0], lin[1])
	size := gs.fs * norm(lin[2], lin[3])
	riseX, riseY := gs.rise*lin[2], gs.rise*lin[3]
	for len(s) > 0 {
		g, n := f.next(s)
		s = s[n:]
		if g.text != "" {
			if in.err != nil {
				return
			}
			if in.err = in.growGlyphs(1); in.err != nil {
				return
			}
			tx, ty := in.tm[4], in.tm[5]
			in.p.Glyphs = append(in.p.Glyphs, Glyph{
				Text: g.text,
				X:    riseX + tx*c[0] + ty*c[2] + c[4],
				Y:    riseY + tx*c[1] + ty*c[3] + c[5],
				W:    g.w * wScale,
				Size: size,
			})
		}
		if f.vertical {
			ty := f.vAdvance*gs.fs + gs.tc
			if g.space {
				ty += gs.tw
			}
			in.tm[4] += ty * in.tm[2]
			in.tm[5] += ty * in.tm[3]
			continue
		}
		tx := g.w*gs.fs + gs.tc
		if g.space {
			tx += gs.tw
		}
		tx *= gs.th
		in.tm[4] += tx * in.tm[0]
		in.tm[5] += tx * in.tm[1]
	}
}

// showArray runs TJ: strings interleaved with adjustments in thousandths of
// text space units.
func (in *interp) showArray() {
	i := len(in.args) - 1
	for i >= 0 && in.args[i].kind != argArrayOpen {
		i--
	}
	if i < 0 {
		return
	}
	for _, a := range in.args[i+1:] {
		switch a.kind {
		case argStr:
			in.show(a.b)
		case argNum:
			adj := -a.num / 1000 * in.gs.fs
			if in.gs.font != nil && in.gs.font.vertical {
				in.tm[4] += adj * in.tm[2]
				in.tm[5] += adj * in.tm[3]
				continue
			}
			adj *= in.gs.th
			in.tm[4] += adj * in.tm[0]
			in.tm[5] += adj * in.tm[1]
		}
	}
}

func norm(a, b float64) float64 {
	switch {
	case b == 0:
		return math.Abs(a)
	case a == 0:
		return math.Abs(b)
	}
	return math.Sqrt(a*a + b*b)
}

func (in *interp) moveTo(x, y float64) {
	in.cur = point{x, y}
	in.subs = append(in.subs, subpath{start: len(in.pts), end: len(in.pts) + 1})
	in.pts = append(in.pts, in.cur)
}

func (in *interp) lineTo(x, y float64) {
	if n := len(in.subs); n == 0 || in.subs[n-1].closed || in.subs[n-1].end != len(in.pts) {
		in.moveTo(in.cur.x, in.cur.y)
	}
	in.cur = point{x, y}
	in.pts = append(in.pts, in.cur)
	in.subs[len(in.subs)-1].end++
}

func (in *interp) rect(x, y, w, h float64) {
	m := in.gs.ctm
	start := len(in.pts)
	for _, p := range [4][2]float64{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}} {
		px, py := m.apply(p[0], p[1])
		in.pts = append(in.pts, point{px, py})
	}
	in.subs = append(in.subs, subpath{start: start, end: start + 4, closed: true})
	in.cur = in.pts[start]
}

func (in *interp) closePath() {
	if n := len(in.subs); n > 0 {
		in.subs[n-1].closed = true
		in.cur = in.pts[in.subs[n-1].start]
	}
}

// paint turns the current path into ruling segments: every axis-aligned
// stroked segment, and the centre line of every thin filled rectangle.
func (in *interp) paint(stroke, fill, closeFirst bool) {
	if closeFirst {
		in.closePath()
	}
	for _, sp := range in.subs {
		pts := in.pts[sp.start:sp.end]
		if stroke {
			for i := 1; i < len(pts); i++ {
				in.segment(pts[i-1], pts[i])
			}
			if sp.closed && len(pts) > 2 {
				in.segment(pts[len(pts)-1], pts[0])
			}
			continue
		}
		if fill && (sp.closed || len(pts) >= 4) {
			in.thinRect(pts)
		}
	}
	in.pts, in.subs = in.pts[:0], in.subs[:0]
}

func (in *interp) segment(a, b point) {
	dx, dy := math.Abs(b.x-a.x), math.Abs(b.y-a.y)
	switch {
	case dy <= axisTolerance && dx > dy:
		y := (a.y + b.y) / 2
		in.p.Lines = append(in.p.Lines, Segment{math.Min(a.x, b.x), y, math.Max(a.x, b.x), y})
	case dx <= axisTolerance && dy > dx:
		x := (a.x + b.x) / 2
		in.p.Lines = append(in.p.Lines, Segment{x, math.Min(a.y, b.y), x, math.Max(a.y, b.y)})
	}
}

// thinRect adds the centre line of an axis-aligned rectangle whose smaller
// side is at most thinRect: the way many producers draw table borders.
func (in *interp) thinRect(pts []point) {
	if len(pts) == 5 && pts[4] == pts[0] {
		pts = pts[:4]
	}
	if len(pts) != 4 {
		return
	}
	x0, y0, x1, y1 := pts[0].x, pts[0].y, pts[0].x, pts[0].y
	for _, p := range pts[1:] {
		x0, y0 = math.Min(x0, p.x), math.Min(y0, p.y)
		x1, y1 = math.Max(x1, p.x), math.Max(y1, p.y)
	}
	// Every corner must lie on the bounding box for this to be a rectangle.
	for _, p := range pts {
		onX := math.Abs(p.x-x0) <= axisTolerance || math.Abs(p.x-x1) <= axisTolerance
		onY := math.Abs(p.y-y0) <= axisTolerance || math.Abs(p.y-y1) <= axisTolerance
		if !onX || !onY {
			return
		}
	}
	w, h := x1-x0, y1-y0
	switch {
	case h <= thinRect && w > h:
		y := (y0 + y1) / 2
		in.p.Lines = append(in.p.Lines, Segment{x0, y, x1, y})
	case w <= thinRect && h > w:
		x := (x0 + x1) / 2
		in.p.Lines = append(in.p.Lines, Segment{x, y0, x, y1})
	}
}

// doXObject runs a Form XObject; images and other kinds are skipped.
func (in *interp) doXObject(nm name, res dict, depth int) error {
	o := in.d.dictOf(res["XObject"])[nm]
	s, ok := in.d.resolve(o).(*stream)
	if !ok || in.d.resolve(s.dict["Subtype"]) != name("Form") {
		return nil
	}
	if depth+1 > in.d.lim.MaxDepth {
		return &Error{Object: s.num, Offset: -1, Op: "Do", Err: limitErr("Form XObject nesting", int64(in.d.lim.MaxDepth))}
	}
	data, cached := in.forms[s.num]
	if !cached || s.num == 0 {
		var err error
		held := in.d.held
		if data, err = in.d.decode(s); err != nil {
			return err
		}
		in.formBytes += in.d.held - held
		if s.num != 0 {
			if in.forms == nil {
				in.forms = map[int][]byte{}
			}
			in.forms[s.num] = data
		}
	}
	fres := in.d.dictOf(s.dict["Resources"])
	if fres == nil {
		fres = res
	}
	m := identity
	if a := in.d.arrayOf(s.dict["Matrix"]); len(a) == 6 {
		for i := range m {
			if v, ok := in.d.numOf(a[i]); ok {
				m[i] = v
			}
		}
	}
	// The form runs in its own context: save everything it could disturb.
	saved, stackLen, overflow := in.gs, len(in.stack), in.overflow
	tm, tlm := in.tm, in.tlm
	args, memo := in.args, in.fontMemo
	in.args, in.fontMemo = make([]operand, 0, 16), nil
	in.gs.ctm = m.mul(in.gs.ctm)
	err := in.exec(data, fres, depth+1)
	in.gs, in.stack, in.overflow = saved, in.stack[:stackLen], overflow
	in.tm, in.tlm = tm, tlm
	in.args, in.fontMemo = args, memo
	in.pts, in.subs = in.pts[:0], in.subs[:0]
	return err
}

// skipDict skips a << … >> dictionary operand (marked-content properties).
func skipDict(s *scanner) {
	depth := 0
	for s.pos < len(s.buf) {
		s.skipSpace()
		if s.pos >= len(s.buf) {
			return
		}
		switch c := s.buf[s.pos]; {
		case c == '<' && s.pos+1 < len(s.buf) && s.buf[s.pos+1] == '<':
			depth++
			s.pos += 2
		case c == '>' && s.pos+1 < len(s.buf) && s.buf[s.pos+1] == '>':
			depth--
			s.pos += 2
			if depth <= 0 {
				return
			}
		case c == '(':
			_, _ = s.literalString(nil)
		case c == '<':
			_, _ = s.hexString(nil)
		case c == '/':
			s.pos++
		default:
			if len(s.regular()) == 0 {
				s.pos++
			}
		}
	}
}

// skipInlineImage skips "… ID <data> EI" after a BI operator. The data is
// binary, so we look for EI between whitespace rather than tokenizing it.
func skipInlineImage(s *scanner) {
	i := bytes.Index(s.buf[s.pos:], []byte("ID"))
	if i < 0 {
		s.pos = len(s.buf)
		return
	}
	s.pos += i + 3
	for s.pos < len(s.buf) {
		j := bytes.Index(s.buf[s.pos:], []byte("EI"))
		if j < 0 {
			s.pos = len(s.buf)
			return
		}
		at := s.pos + j
		s.pos = at + 2
		if at > 0 && isSpace(s.buf[at-1]) && (s.pos == len(s.buf) || isSpace(s.buf[s.pos])) {
			return
		}
	}
}
