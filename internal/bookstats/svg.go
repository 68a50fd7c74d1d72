package bookstats

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"creditpocket/internal/ledger"
)

// Every chart is drawn on a 640-unit-wide viewBox and scales to its
// container's width. Geometry is integer: a unit is a CSS pixel at 640
// wide, fine enough for bars, and integers keep the output byte-stable
// for golden files.
const (
	viewW   = 640
	marginL = 76 // room for "10,000,000" on the left axis
	marginR = 56 // room for "100 %" on the right axis
	marginT = 40 // the legend
	marginB = 36 // the date labels
	plotW   = viewW - marginL - marginR
	plotH   = 200
)

// The palette: muted blues and greens for volumes, a warm accent for
// rates, and a sand-to-brick ramp for lateness, all readable on white and
// distinguishable in grey scale by their lightness.
const (
	colText      = "#374151"
	colMuted     = "#6b7280"
	colGrid      = "#e5e7eb"
	colAxis      = "#9ca3af"
	colApplied   = "#b7cde3"
	colApproved  = "#3b6ea5"
	colRate      = "#d9822b"
	colDisbursed = "#3b6ea5"
	colRepaid    = "#5aa78c"
	colCurrent   = "#9fbfd8"
	colAccept    = "#5aa78c"
	colReview    = "#e0b34a"
	colReject    = "#c8553d"
	colOther     = "#9ca3af"
)

var colBuckets = [...]string{"#f0d08a", "#e7a15b", "#d6733f", "#a9452f"}

const fontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

// canvas accumulates one chart's SVG.
type canvas struct {
	b  bytes.Buffer
	id string // the chart's id, prefixing element ids so several charts share a page
}

// begin opens the svg element with its accessible name (title) and
// description (desc).
func (c *canvas) begin(id string, height int, title, caption string) {
	c.id = id
	c.printf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMidYMid meet"`,
		viewW, height)
	c.printf(` role="img" aria-labelledby="%s-title %s-desc" data-chart="%s" font-family="%s" font-size="12" fill="%s">`+"\n",
		esc(c.elementID()), esc(c.elementID()), esc(id), fontFamily, colText)
	c.printf(`<title id="%s-title">%s</title>`+"\n", esc(c.elementID()), esc(title))
	c.printf(`<desc id="%s-desc">%s</desc>`+"\n", esc(c.elementID()), esc(caption))
}

func (c *canvas) elementID() string { return "bookstats-" + c.id }

func (c *canvas) end() []byte {
	c.b.WriteString("</svg>\n")
	return bytes.Clone(c.b.Bytes())
}

// printf writes to the chart. Text arguments must come through esc.
func (c *canvas) printf(format string, args ...any) { fmt.Fprintf(&c.b, format, args...) }

// mark is one bar or point a test or a screen reader can read exactly.
type mark struct {
	label string // data-label: the category (a date, a bucket, a rule)
	value int64  // data-value: the exact figure (a count, minor units, basis points)
	title string // the <title> people read
	extra string // further attributes, already escaped, e.g. ` data-loans="3"`
}

func (m mark) attrs() string {
	return ` data-label="` + esc(m.label) + `" data-value="` + strconv.FormatInt(m.value, 10) + `"` + m.extra
}

// rect draws a bar carrying m.
func (c *canvas) rect(x, y, w, h int, fill string, m mark) {
	c.printf(`<rect x="%d" y="%d" width="%d" height="%d" fill="%s"%s><title>%s</title></rect>`+"\n",
		x, y, max(w, 1), max(h, 0), fill, m.attrs(), esc(m.title))
}

// text draws s at (x, y); anchor is start, middle or end.
func (c *canvas) text(x, y int, anchor, fill, s string) {
	c.printf(`<text x="%d" y="%d" text-anchor="%s" fill="%s">%s</text>`+"\n", x, y, anchor, fill, esc(s))
}

// legend draws coloured keys left to right from the top-left corner.
func (c *canvas) legend(items ...[2]string) {
	x := marginL
	for _, it := range items {
		c.printf(`<rect x="%d" y="14" width="12" height="12" rx="2" fill="%s"/>`+"\n", x, it[1])
		c.text(x+18, 24, "start", colText, it[0])
		x += 18 + 7*utf8.RuneCountInString(it[0]) + 24
	}
}

// grid draws the horizontal grid lines of a scale with their labels on
// the left, and the baseline.
func (c *canvas) grid(s scale, label func(int64) string) {
	for i := 0; i <= s.lines; i++ {
		v := s.step * int64(i)
		if i == s.lines {
			v = s.top // the last line of a clamped scale
		}
		y := s.y(v)
		colour := colGrid
		if i == 0 {
			colour = colAxis
		}
		c.printf(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s"/>`+"\n", marginL, y, marginL+plotW, y, colour)
		c.text(marginL-8, y+4, "end", colMuted, label(v))
	}
}

// empty is the whole chart when there is nothing to draw.
func empty(id, title, message string) []byte {
	var c canvas
	c.begin(id, 120, title, message)
	c.printf(`<rect x="0" y="0" width="%d" height="120" rx="8" fill="#f9fafb"/>`+"\n", viewW)
	c.printf(`<text x="%d" y="66" text-anchor="middle" fill="%s" font-size="15" data-empty="true">%s</text>`+"\n",
		viewW/2, colMuted, esc(message))
	return c.end()
}

// scale maps values 0..top onto the plot's height in lines grid steps;
// step is a "nice" number (1, 2, 2.5 or 5 times a power of ten), so the
// grid lines fall on round figures.
type scale struct {
	step, top int64
	lines     int
	height    int
	baseline  int // the y of value 0
}

// gridLines are the numbers of grid steps a scale may have: both divide
// 100, so the approval rate's 0-100 % axis shares the grid lines.
var gridLines = [...]int{4, 5}

// niceScale chooses, over the allowed numbers of grid lines, the nice
// step whose top is the smallest that reaches maxV (fewer lines on a
// tie). maxV ≤ 0 gives steps of 1. Values too large for a nice step to
// fit in int64 get steps of maxV/lines, rounded up.
func niceScale(maxV int64) (step int64, lines int) {
	best, bestTop := int64(0), int64(0)
	for _, n := range gridLines {
		s := niceStep(maxV, n)
		top, ok := mulChecked(s, int64(n))
		if !ok {
			top = 1<<63 - 1
		}
		if best == 0 || top < bestTop {
			best, bestTop, lines = s, top, n
		}
	}
	return best, lines
}

// niceStep is the smallest nice step such that n steps reach maxV.
func niceStep(maxV int64, n int) int64 {
	if maxV <= 0 {
		return 1
	}
	need := maxV / int64(n)
	if maxV%int64(n) != 0 {
		need++
	}
	for p := int64(1); ; p *= 10 {
		// 2.5p is nice only when it is whole.
		for _, s := range [...][2]int64{{p, 1}, {2 * p, 1}, {5 * p, 2}, {5 * p, 1}} {
			if s[0] < 0 { // 5p overflowed
				return need
			}
			if v := s[0] / s[1]; s[0]%s[1] == 0 && v >= need {
				return v
			}
		}
		if p > (1<<63-1)/50 {
			return need
		}
	}
}

// mulChecked returns a*b for non-negative a and b, and whether it fit.
func mulChecked(a, b int64) (int64, bool) {
	if a != 0 && b > (1<<63-1)/a {
		return 0, false
	}
	return a * b, true
}

func newScale(maxV int64, height, baseline int) scale {
	step, lines := niceScale(maxV)
	top, ok := mulChecked(step, int64(lines))
	if !ok {
		top = 1<<63 - 1
	}
	return scale{step: step, top: top, lines: lines, height: height, baseline: baseline}
}

// px is v's share of the scale in units of length, rounded half up, and
// clamped to 0..length.
func px(v, top int64, length int) int {
	if v <= 0 || top <= 0 {
		return 0
	}
	if v >= top {
		return length
	}
	r, err := ledger.MulDiv(ledger.Money(v), uint64(length), uint64(top))
	if err != nil {
		return length
	}
	return int(r)
}

// y is the vertical position of value v.
func (s scale) y(v int64) int { return s.baseline - px(v, s.top, s.height) }

// esc makes s safe as SVG character data or a double- or single-quoted
// attribute value: markup characters become entities, and what XML 1.0
// cannot carry at all (invalid UTF-8, control characters, non-characters)
// becomes U+FFFD, so hostile text can neither inject markup nor make the
// document ill-formed.
func esc(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || !xmlChar(r) || strings.ContainsRune(`<>&"'`, r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, r := range s {
		switch {
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case r == '"':
			b.WriteString("&#34;")
		case r == '\'':
			b.WriteString("&#39;")
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ') // attribute values would normalise them anyway
		case r == utf8.RuneError || !xmlChar(r):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// xmlChar reports whether r may appear in an XML 1.0 document (the Char
// production), less the tab and line breaks esc turns into spaces.
func xmlChar(r rune) bool {
	switch {
	case r < 0x20:
		return false
	case r >= 0x7f && r <= 0x9f: // C1 controls: allowed, but never meant
		return false
	case r >= 0xd800 && r <= 0xdfff, r == 0xfffe, r == 0xffff:
		return false
	}
	return r <= 0x10ffff
}

// clip shortens s to at most n runes for an axis label, marking the cut
// with an ellipsis; the full text stays in the mark's title.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return strings.TrimSpace(string(runes[:n-1])) + "…"
}
