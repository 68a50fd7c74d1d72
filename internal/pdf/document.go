package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"unicode/utf16"
)

// Document is an opened PDF file. Its methods are safe for concurrent use.
type Document struct {
	mu      sync.Mutex
	buf     []byte
	lim     Limits
	xref    []xrefEntry
	trailer dict
	rebuilt bool

	cache   map[int]any     // parsed objects by number
	loading map[int]bool    // objects being parsed, to detect cycles
	objstms map[int]*objStm // decoded object streams; nil value = unusable
	total   int64           // decompressed bytes so far, against MaxTotalBytes
	parsed  int64           // bytes scanned by the object parser, against parseBudget
	held    int64           // bytes charged to Limits.Memory by decoders and pages, not yet given back

	endstreams []int // offsets of every "endstream", found once when a /Length is wrong
	scanned    bool  // endstreams is valid

	pages []pageInfo
	fonts map[int]*font // fonts by object number, shared by all pages
	flate flateState
}

// pageInfo is a page with its inherited attributes resolved.
type pageInfo struct {
	num       int // object number
	dict      dict
	resources dict
	box       [4]float64
	rotate    int
}

// Open reads a PDF file of the given size from r. It parses the
// cross-reference data and page tree; page contents are read by Page.
func Open(r io.ReaderAt, size int64, lim Limits) (doc *Document, err error) {
	defer func() {
		if p := recover(); p != nil {
			doc, err = nil, &Error{Offset: -1, Op: "open", Err: NewPanicError(p)}
		}
	}()
	lim = lim.withDefaults()
	if size < 0 {
		return nil, &Error{Offset: -1, Op: "open", Err: errors.New("negative size")}
	}
	if size > lim.MaxFileSize {
		return nil, &Error{Offset: -1, Op: "open", Err: limitErr("file size", lim.MaxFileSize)}
	}
	// The file is held whole, and the objects parsed from it (dictionaries,
	// arrays, strings, the cross-reference table) cost about as much again.
	if lim.Memory != nil {
		if err := lim.Memory(2 * size); err != nil {
			return nil, &Error{Offset: -1, Op: "open", Err: err}
		}
	}
	buf := make([]byte, size)
	if n, err := r.ReadAt(buf, 0); n != len(buf) {
		return nil, &Error{Offset: int64(n), Op: "read file", Err: err}
	}
	h := bytes.Index(buf[:min(len(buf), 1024)], []byte("%PDF-"))
	if h < 0 {
		return nil, &Error{Offset: 0, Op: "read header", Err: ErrNotPDF}
	}
	d := newDocument(buf[h:], lim)
	if err := d.loadXref(); err != nil {
		if errors.Is(err, ErrLimit) {
			return nil, err
		}
		if err := d.rebuild(); err != nil {
			return nil, err
		}
	}
	if d.trailer["Encrypt"] != nil {
		return nil, &Error{Offset: -1, Op: "open", Err: ErrEncrypted}
	}
	if err := d.loadPages(); err != nil {
		if d.rebuilt || errors.Is(err, ErrLimit) {
			return nil, err
		}
		// The xref may point to the wrong places; try once more from a scan.
		if rerr := d.rebuild(); rerr != nil {
			return nil, rerr
		}
		if d.trailer["Encrypt"] != nil {
			return nil, &Error{Offset: -1, Op: "open", Err: ErrEncrypted}
		}
		if err := d.loadPages(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func newDocument(buf []byte, lim Limits) *Document {
	return &Document{
		buf:     buf,
		lim:     lim.withDefaults(),
		cache:   map[int]any{},
		loading: map[int]bool{},
		objstms: map[int]*objStm{},
		fonts:   map[int]*font{},
	}
}

// charge asks the memory hook, if any, for n bytes about to be allocated.
func (d *Document) charge(n int64) error {
	if d.lim.Memory == nil || n <= 0 {
		return nil
	}
	if err := d.lim.Memory(n); err != nil {
		return err
	}
	d.held += n
	return nil
}

// uncharge gives the memory hook back n bytes no longer referenced.
func (d *Document) uncharge(n int64) {
	if d.lim.Memory != nil && n > 0 {
		d.held -= n
		_ = d.lim.Memory(-n)
	}
}

// NumPages returns the number of pages.
func (d *Document) NumPages() int { return len(d.pages) }

// load returns object num, parsing it on first use.
func (d *Document) load(num int) (any, error) {
	if v, ok := d.cache[num]; ok {
		return v, nil
	}
	if num <= 0 || num >= len(d.xref) {
		return nil, nil // a reference to an undefined object is null (§7.3.10)
	}
	if d.loading[num] {
		return nil, &Error{Object: num, Offset: -1, Op: "load object", Err: errCycle}
	}
	d.loading[num] = true
	defer delete(d.loading, num)
	e := d.xref[num]
	var v any
	var err error
	switch e.typ {
	case entryInUse:
		v, err = d.loadAt(num, e.off)
		if err != nil && !d.rebuilt && !errors.Is(err, ErrLimit) {
			// A wrong offset: rebuild the table from a scan and retry once.
			if rerr := d.rebuild(); rerr != nil {
				return nil, rerr
			}
			d.loading[num] = true
			if num < len(d.xref) && d.xref[num].typ == entryInUse {
				v, err = d.loadAt(num, d.xref[num].off)
			} else if num < len(d.xref) && d.xref[num].typ == entryCompressed {
				v, err = d.loadCompressed(num, d.xref[num])
			}
		}
	case entryCompressed:
		v, err = d.loadCompressed(num, e)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, locate(err, 0, num)
	}
	d.cache[num] = v
	return v, nil
}

// chargeParse counts parser work. Every object is normally parsed once, so
// the budget only bites on files crafted to make objects overlap (each one an
// unterminated string running to the end of the file), which would otherwise
// cost time quadratic in the file size.
func (d *Document) chargeParse(n int) error {
	d.parsed += int64(n)
	budget := 16*(int64(len(d.buf))+d.total) + 1<<20
	if d.parsed > budget {
		return limitErr("bytes parsed", budget)
	}
	return nil
}

func (d *Document) loadAt(num int, off int64) (any, error) {
	if off < 0 || off >= int64(len(d.buf)) {
		return nil, &Error{Object: num, Offset: off, Op: "load object", Err: malformed("offset outside the file")}
	}
	p := &parser{scanner: scanner{buf: d.buf, pos: int(off)}, doc: d, maxDepth: d.lim.MaxDepth}
	n, v, err := p.indirect()
	if cerr := d.chargeParse(p.scanned - int(off)); cerr != nil {
		return nil, &Error{Object: num, Offset: off, Op: "load object", Err: cerr}
	}
	if err != nil {
		return nil, err
	}
	if n != num {
		return nil, &Error{Object: num, Offset: off, Op: "load object", Err: malformed(fmt.Sprintf("found object %d instead", n))}
	}
	return v, nil
}

// nextEndstream returns the offset of the first "endstream" at or after q, or
// -1. The offsets are collected in one pass on first use, so that many streams
// with a wrong /Length cost O(log n) each instead of a scan each.
func (d *Document) nextEndstream(q int) int {
	if !d.scanned {
		d.scanned = true
		for i := 0; ; {
			j := bytes.Index(d.buf[i:], kwEndstream)
			if j < 0 {
				break
			}
			d.endstreams = append(d.endstreams, i+j)
			i += j + len(kwEndstream)
		}
	}
	i, _ := slices.BinarySearch(d.endstreams, q)
	if i == len(d.endstreams) {
		return -1
	}
	return d.endstreams[i]
}

// resolveErr follows references until it reaches a direct object.
func (d *Document) resolveErr(o any) (any, error) {
	for depth := 0; ; depth++ {
		r, ok := o.(ref)
		if !ok {
			return o, nil
		}
		if depth > d.lim.MaxDepth {
			return nil, &Error{Object: r.num, Offset: -1, Op: "resolve", Err: limitErr("reference chain", int64(d.lim.MaxDepth))}
		}
		var err error
		if o, err = d.load(r.num); err != nil {
			return nil, err
		}
	}
}

// resolve is resolveErr for optional data (fonts, widths, info) where a broken
// object is treated as absent.
func (d *Document) resolve(o any) any {
	v, _ := d.resolveErr(o)
	return v
}

func (d *Document) dictOf(o any) dict {
	switch v := d.resolve(o).(type) {
	case dict:
		return v
	case *stream:
		return v.dict
	}
	return nil
}

func (d *Document) arrayOf(o any) array {
	a, _ := d.resolve(o).(array)
	return a
}

func (d *Document) numOf(o any) (float64, bool) { return num(d.resolve(o)) }

// loadPages walks the page tree, resolving inherited attributes.
func (d *Document) loadPages() error {
	d.pages = d.pages[:0]
	root, err := d.resolveErr(d.trailer["Root"])
	if err != nil {
		return err
	}
	cat, ok := root.(dict)
	if !ok {
		return &Error{Offset: -1, Op: "read catalog", Err: malformed("no document catalog")}
	}
	top, ok := cat["Pages"].(ref)
	if !ok {
		if pd, isDict := cat["Pages"].(dict); isDict {
			return d.walkPages(pd, 0, dict{}, map[int]bool{}, 0)
		}
		return &Error{Offset: -1, Op: "read catalog", Err: malformed("no page tree")}
	}
	return d.walkPages(top, top.num, dict{}, map[int]bool{}, 0)
}

// inheritable lists the page attributes a page inherits from its ancestors.
var inheritable = []name{"Resources", "MediaBox", "CropBox", "Rotate"}

func (d *Document) walkPages(node any, num int, inherited dict, seen map[int]bool, depth int) error {
	if depth > d.lim.MaxDepth {
		return &Error{Object: num, Offset: -1, Op: "read page tree", Err: limitErr("page tree depth", int64(d.lim.MaxDepth))}
	}
	if r, ok := node.(ref); ok {
		if seen[r.num] {
			return &Error{Object: r.num, Offset: -1, Op: "read page tree", Err: errCycle}
		}
		seen[r.num] = true
		num = r.num
	}
	v, err := d.resolveErr(node)
	if err != nil {
		return err
	}
	n, ok := v.(dict)
	if !ok {
		return &Error{Object: num, Offset: -1, Op: "read page tree", Err: malformed("page tree node is not a dictionary")}
	}
	attrs := inherited
	copied := false
	for _, k := range inheritable {
		if x, ok := n[k]; ok {
			if !copied {
				attrs = make(dict, len(inherited)+1)
				for kk, vv := range inherited {
					attrs[kk] = vv
				}
				copied = true
			}
			attrs[k] = x
		}
	}
	kids, isTree := d.resolve(n["Kids"]).(array)
	if n["Type"] == name("Page") || !isTree {
		if len(d.pages) >= d.lim.MaxPages {
			return &Error{Object: num, Offset: -1, Op: "read page tree", Err: limitErr("pages", int64(d.lim.MaxPages))}
		}
		d.pages = append(d.pages, d.pageInfo(num, n, attrs))
		return nil
	}
	for _, k := range kids {
		if err := d.walkPages(k, num, attrs, seen, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (d *Document) pageInfo(num int, n dict, attrs dict) pageInfo {
	pi := pageInfo{num: num, dict: n, box: [4]float64{0, 0, 612, 792}}
	pi.resources = d.dictOf(attrs["Resources"])
	if b := d.arrayOf(attrs["MediaBox"]); len(b) == 4 {
		var r [4]float64
		ok := true
		for i := range r {
			r[i], ok = d.numOf(b[i])
			if !ok {
				break
			}
		}
		if ok {
			pi.box = [4]float64{min(r[0], r[2]), min(r[1], r[3]), max(r[0], r[2]), max(r[1], r[3])}
		}
	}
	if rot, ok := d.resolve(attrs["Rotate"]).(int64); ok {
		pi.rotate = int(((rot % 360) + 360) % 360)
	}
	return pi
}

// Info returns the document information dictionary (Title, Author, Producer,
// Creator, CreationDate, …) as text, best effort. It is never nil.
func (d *Document) Info() map[string]string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string]string{}
	func() {
		defer func() { _ = recover() }()
		for k, v := range d.dictOf(d.trailer["Info"]) {
			if s, ok := d.resolve(v).(string); ok {
				out[string(k)] = textString(s)
			}
		}
	}()
	return out
}

// textString decodes a PDF text string: UTF-16BE or UTF-8 with a byte order
// mark, else PDFDocEncoding (read as Latin-1, which agrees on printable text).
func textString(s string) string {
	switch {
	case len(s) >= 2 && s[0] == 0xFE && s[1] == 0xFF:
		u := make([]uint16, 0, (len(s)-2)/2)
		for i := 2; i+1 < len(s); i += 2 {
			u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
		}
		return string(utf16.Decode(u))
	case len(s) >= 3 && s[:3] == "\xEF\xBB\xBF":
		return s[3:]
	}
	r := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		r[i] = rune(s[i])
	}
	return string(r)
}
