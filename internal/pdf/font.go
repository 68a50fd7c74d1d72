package pdf

import (
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// font is what the text interpreter needs from a PDF font: how to split a
// string into codes, and each code's text and advance width in text space
// (glyph units already scaled, so width × font size = advance).
type font struct {
	composite bool // Type0: codes split by the encoding CMap
	vertical  bool // Identity-V and other vertical CMaps

	// Simple fonts: everything precomputed per byte.
	simple [256]glyphInfo

	// Composite fonts.
	enc      *cmap // encoding CMap; nil for Identity-H/V
	ucs2     bool  // predefined Uni…-UCS2/UTF16 CMap: codes are Unicode
	gbk      bool  // predefined GB…-EUC/GBK CMap: codes are GBK bytes
	toUni    *cmap
	widths   []widthRange // sorted by lo
	dw       float64
	vAdvance float64               // vertical advance for vertical writing, text space (negative = down)
	cache    map[codeKey]glyphInfo // codes other than two-byte ones
	pages    [256]*glyphPage       // two-byte codes by high byte: no hashing on the hot path
}

// glyphPage caches the glyphs of 256 two-byte codes sharing a high byte.
type glyphPage struct {
	g   [256]glyphInfo
	set [256]bool
}

type glyphInfo struct {
	text  string
	w     float64
	space bool // single-byte code 32, the one word spacing (Tw) applies to
}

type widthRange struct {
	lo, hi uint32
	w      float64
}

// fallbackFont is used when a font resource is missing or unreadable, so that
// a page with one broken font still yields its other text.
var fallbackFont = func() *font {
	f := &font{}
	for c := range f.simple {
		f.simple[c] = glyphInfo{w: 0.5, space: c == 32}
		if r := standardEncoding[c]; r != 0 {
			f.simple[c].text = string(r)
		}
	}
	return f
}()

// font returns the font for a resource value, cached per object.
func (d *Document) font(o any) *font {
	r, isRef := o.(ref)
	if isRef {
		if f, ok := d.fonts[r.num]; ok {
			return f
		}
	}
	f := d.loadFont(d.dictOf(o))
	if isRef {
		d.fonts[r.num] = f
	}
	return f
}

func (d *Document) loadFont(fd dict) *font {
	if fd == nil {
		return fallbackFont
	}
	var toUni *cmap
	if s, ok := d.resolve(fd["ToUnicode"]).(*stream); ok {
		if data, err := d.decode(s); err == nil {
			toUni = parseCMap(data)
		}
	}
	if d.resolve(fd["Subtype"]) == name("Type0") {
		return d.loadType0(fd, toUni)
	}
	return d.loadSimple(fd, toUni)
}

func (d *Document) loadType0(fd dict, toUni *cmap) *font {
	f := &font{composite: true, toUni: toUni, dw: 1, vAdvance: -1, cache: map[codeKey]glyphInfo{}}
	switch e := d.resolve(fd["Encoding"]).(type) {
	case name:
		s := string(e)
		f.vertical = strings.HasSuffix(s, "-V")
		f.ucs2 = strings.Contains(s, "UCS2") || strings.Contains(s, "UTF16")
		if strings.HasPrefix(s, "GB") && (strings.Contains(s, "EUC") || strings.HasPrefix(s, "GBK")) {
			// Without the Adobe-GB1 CMap data the CIDs are unknown, but the
			// codes are GBK, so text can still be decoded.
			f.gbk = true
			f.enc = &cmap{space: []codeRange{{0x00, 0x80, 1}, {0x8140, 0xFEFE, 2}}}
		}
	case *stream:
		if data, err := d.decode(e); err == nil {
			f.enc = parseCMap(data)
			if len(f.enc.cid) == 0 && len(f.enc.cidRanges) == 0 {
				f.enc.space, f.enc = nil, nil // an empty CMap: treat as Identity
			}
		}
		if wm, ok := d.resolve(e.dict["WMode"]).(int64); ok && wm == 1 {
			f.vertical = true
		}
	}
	desc := d.arrayOf(fd["DescendantFonts"])
	if len(desc) == 0 {
		return f
	}
	cid := d.dictOf(desc[0])
	if v, ok := d.numOf(cid["DW"]); ok {
		f.dw = v / 1000
	}
	if dw2 := d.arrayOf(cid["DW2"]); len(dw2) == 2 {
		if v, ok := d.numOf(dw2[1]); ok {
			f.vAdvance = v / 1000
		}
	}
	f.widths = d.cidWidths(d.arrayOf(cid["W"]))
	return f
}

// cidWidths reads a /W array: "c [w1 w2 …]" and "cfirst clast w" entries.
func (d *Document) cidWidths(w array) []widthRange {
	var out []widthRange
	for i := 0; i < len(w); {
		c, ok := d.numOf(w[i])
		if !ok || c < 0 {
			break
		}
		if i+1 >= len(w) {
			break
		}
		if ws, isArr := d.resolve(w[i+1]).(array); isArr {
			for k, x := range ws {
				if v, ok := d.numOf(x); ok {
					cc := uint32(c) + uint32(k)
					out = append(out, widthRange{cc, cc, v / 1000})
				}
			}
			i += 2
			continue
		}
		if i+2 >= len(w) {
			break
		}
		hi, ok1 := d.numOf(w[i+1])
		v, ok2 := d.numOf(w[i+2])
		if ok1 && ok2 && hi >= c {
			out = append(out, widthRange{uint32(c), uint32(hi), v / 1000})
		}
		i += 3
	}
	slices.SortStableFunc(out, func(a, b widthRange) int {
		switch {
		case a.lo < b.lo:
			return -1
		case a.lo > b.lo:
			return 1
		}
		return 0
	})
	return out
}

func (f *font) cidWidth(cid uint32) float64 {
	i, _ := slices.BinarySearchFunc(f.widths, cid, func(r widthRange, c uint32) int {
		switch {
		case r.hi < c:
			return -1
		case r.lo > c:
			return 1
		}
		return 0
	})
	if i < len(f.widths) && f.widths[i].lo <= cid && cid <= f.widths[i].hi {
		return f.widths[i].w
	}
	return f.dw
}

// loadSimple builds the per-byte table of a TrueType, Type1 or Type3 font.
func (d *Document) loadSimple(fd dict, toUni *cmap) *font {
	f := &font{}
	base, _ := d.resolve(fd["BaseFont"]).(name)
	subtype, _ := d.resolve(fd["Subtype"]).(name)
	desc := d.dictOf(fd["FontDescriptor"])
	flags, _ := d.resolve(desc["Flags"]).(int64)
	symbolic := flags&4 != 0 && flags&32 == 0

	scale := 0.001
	if subtype == "Type3" {
		if m := d.arrayOf(fd["FontMatrix"]); len(m) == 6 {
			if v, ok := d.numOf(m[0]); ok {
				scale = v
			}
		}
	}

	// Text from the encoding: base table, then /Differences.
	var texts [256]string
	enc := &standardEncoding
	switch {
	case subtype == "TrueType" && symbolic:
		enc = &latin1Encoding
	case subtype == "TrueType":
		enc = &winAnsiEncoding
	}
	var diffs array
	encObj := d.resolve(fd["Encoding"])
	if ed, ok := encObj.(dict); ok {
		encObj = d.resolve(ed["BaseEncoding"])
		diffs = d.arrayOf(ed["Differences"])
	}
	switch encObj {
	case name("WinAnsiEncoding"):
		enc = &winAnsiEncoding
	case name("MacRomanEncoding"):
		enc = &macRomanEncoding
	case name("StandardEncoding"):
		enc = &standardEncoding
	}
	for c, r := range enc {
		if r != 0 {
			texts[c] = string(r)
		}
	}
	code := -1
	for _, x := range diffs {
		switch v := d.resolve(x).(type) {
		case int64:
			code = int(v)
		case float64:
			code = int(v)
		case name:
			if code >= 0 && code < 256 {
				if t, ok := glyphText(string(v)); ok {
					texts[code] = t
				} else if texts[code] == "" {
					texts[code] = "\uFFFD"
				}
			}
			code++
		}
	}
	if toUni != nil {
		for c := range texts {
			if t, ok := toUni.lookupUnicode(codeKey{uint32(c), 1}); ok {
				texts[c] = t
			} else if t, ok := toUni.lookupUnicode(codeKey{uint32(c), 2}); ok {
				texts[c] = t // some producers write two-byte codes for simple fonts
			}
		}
	}

	// Widths: /Widths, else MissingWidth, else built-in metrics.
	widths := d.arrayOf(fd["Widths"])
	first, _ := d.numOf(fd["FirstChar"])
	missing, _ := d.numOf(desc["MissingWidth"])
	for c := range f.simple {
		w := missing
		switch i := c - int(first); {
		case widths != nil && i >= 0 && i < len(widths):
			if v, ok := d.numOf(widths[i]); ok {
				w = v
			}
		case widths == nil && subtype != "Type3":
			w = builtinWidth(string(base), c)
		}
		f.simple[c] = glyphInfo{text: strings.TrimRight(texts[c], "\x00"), w: w * scale, space: c == 32}
	}
	return f
}

// next decodes the first code of s and returns its glyph and length in bytes.
func (f *font) next(s []byte) (glyphInfo, int) {
	if !f.composite {
		return f.simple[s[0]], 1
	}
	var k codeKey
	var n int
	if f.enc != nil {
		k, n = f.enc.nextCode(s)
	} else if len(s) >= 2 {
		k, n = codeKey{uint32(s[0])<<8 | uint32(s[1]), 2}, 2
	} else {
		k, n = codeKey{uint32(s[0]), 1}, 1
	}
	if k.n == 2 {
		if pg := f.pages[k.code>>8]; pg != nil && pg.set[k.code&0xFF] {
			return pg.g[k.code&0xFF], n
		}
	} else if g, ok := f.cache[k]; ok {
		return g, n
	}
	cid := k.code
	if f.enc != nil {
		if c, ok := f.enc.lookupCID(k); ok {
			cid = c
		}
	}
	g := glyphInfo{w: f.cidWidth(cid), space: n == 1 && k.code == 32}
	if f.gbk && n == 1 {
		g.w = f.dw / 2 // half-width ASCII
	}
	g.text = f.textOf(k, s[:n])
	g.text = strings.TrimRight(g.text, "\x00")
	switch {
	case k.n == 2:
		pg := f.pages[k.code>>8]
		if pg == nil {
			pg = &glyphPage{}
			f.pages[k.code>>8] = pg
		}
		pg.g[k.code&0xFF], pg.set[k.code&0xFF] = g, true
	case len(f.cache) < 1<<16:
		f.cache[k] = g
	}
	return g, n
}

// textOf maps a composite-font code to text: ToUnicode first, then what the
// predefined encoding implies, else U+FFFD.
func (f *font) textOf(k codeKey, code []byte) string {
	if f.toUni != nil {
		if t, ok := f.toUni.lookupUnicode(k); ok {
			return t
		}
	}
	switch {
	case f.ucs2 && (k.code < 0xD800 || k.code > 0xDFFF):
		return string(rune(k.code))
	case f.gbk && k.n == 1:
		return string(rune(k.code))
	case f.gbk:
		if t, err := simplifiedchinese.GBK.NewDecoder().Bytes(code); err == nil && utf8.Valid(t) {
			return string(t)
		}
	}
	return "\uFFFD"
}
