package pdf

import (
	"bytes"
	"errors"
	"strconv"
)

// Cross-reference entry kinds. entryUnset distinguishes "no section mentioned
// this object yet" from an explicit free entry, so that newer sections (read
// first) shadow older ones.
const (
	entryUnset uint8 = iota
	entryFree
	entryInUse
	entryCompressed
)

// xrefEntry locates one object: at a file offset (entryInUse) or as the idx-th
// object of object stream stm (entryCompressed).
type xrefEntry struct {
	typ uint8
	idx int32 // index within the object stream
	off int64 // file offset, or object stream number for entryCompressed
}

// setEntry records an entry unless a newer section already did.
func (d *Document) setEntry(num int, e xrefEntry) error {
	if num < 0 {
		return malformed("negative object number")
	}
	if num >= d.lim.MaxObjects {
		return limitErr("object number "+strconv.Itoa(num), int64(d.lim.MaxObjects))
	}
	if num >= len(d.xref) {
		n := max(num+1, 2*len(d.xref))
		n = min(n, d.lim.MaxObjects)
		grown := make([]xrefEntry, n)
		copy(grown, d.xref)
		d.xref = grown
	}
	if d.xref[num].typ == entryUnset {
		d.xref[num] = e
	}
	return nil
}

// loadXref reads the cross-reference chain starting at startxref.
func (d *Document) loadXref() error {
	tail := d.buf[max(0, len(d.buf)-2048):]
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return errorf("find startxref", -1, malformed("no startxref"))
	}
	p := &parser{scanner: scanner{buf: tail, pos: i + len("startxref")}}
	p.skipSpace()
	off, ok := p.uint()
	if !ok {
		return errorf("read startxref", int64(len(d.buf)-len(tail)+p.pos), malformed("bad startxref offset"))
	}
	seen := map[int]bool{}
	for off > 0 || len(seen) == 0 {
		if seen[off] {
			break // a cyclic /Prev chain: everything reachable has been read
		}
		if len(seen) >= d.lim.MaxDepth {
			return errorf("read xref", int64(off), limitErr("xref sections", int64(d.lim.MaxDepth)))
		}
		seen[off] = true
		trailer, err := d.readXrefSection(off)
		if err != nil {
			return err
		}
		if d.trailer == nil {
			d.trailer = trailer
		}
		// Hybrid files: the /XRefStm stream holds the entries of compressed objects.
		if x, ok := trailer["XRefStm"].(int64); ok && !seen[int(x)] && x > 0 {
			seen[int(x)] = true
			if _, err := d.readXrefSection(int(x)); err != nil {
				return err
			}
		}
		prev, ok := trailer["Prev"].(int64)
		if !ok || prev <= 0 || prev > int64(len(d.buf)) {
			break
		}
		off = int(prev)
	}
	if d.trailer == nil {
		return errorf("read xref", int64(off), malformed("no trailer"))
	}
	return nil
}

// readXrefSection reads a classic table with its trailer, or an xref stream,
// at off and returns the trailer dictionary.
func (d *Document) readXrefSection(off int) (dict, error) {
	if off < 0 || off >= len(d.buf) {
		return nil, errorf("read xref", int64(off), malformed("offset outside the file"))
	}
	p := &parser{scanner: scanner{buf: d.buf, pos: off}, maxDepth: d.lim.MaxDepth}
	p.skipSpace()
	if bytes.HasPrefix(d.buf[p.pos:], []byte("xref")) {
		p.pos += 4
		return d.readXrefTable(p)
	}
	num, v, err := p.indirect()
	if err != nil {
		return nil, locate(err, 0, num)
	}
	s, ok := v.(*stream)
	if !ok || s.dict["Type"] != name("XRef") {
		return nil, &Error{Object: num, Offset: int64(off), Op: "read xref", Err: malformed("startxref points to neither a table nor an xref stream")}
	}
	return s.dict, locate(d.readXrefStream(s), 0, num)
}

func (d *Document) readXrefTable(p *parser) (dict, error) {
	for {
		p.skipSpace()
		if bytes.HasPrefix(p.buf[p.pos:], []byte("trailer")) {
			p.pos += len("trailer")
			v, err := p.object(0)
			if err != nil {
				return nil, err
			}
			t, ok := v.(dict)
			if !ok {
				return nil, p.errorf("read trailer", malformed("trailer is not a dictionary"))
			}
			return t, nil
		}
		start, ok1 := p.uint()
		p.skipSpace()
		count, ok2 := p.uint()
		if !ok1 || !ok2 {
			return nil, p.errorf("read xref table", malformed("bad subsection header"))
		}
		if count > d.lim.MaxObjects || start+count > d.lim.MaxObjects {
			return nil, p.errorf("read xref table", limitErr("xref entries", int64(d.lim.MaxObjects)))
		}
		for i := 0; i < count; i++ {
			p.skipSpace()
			off, ok1 := p.uint()
			p.skipSpace()
			gen, ok2 := p.uint()
			p.skipSpace()
			if !ok1 || !ok2 || p.pos >= len(p.buf) {
				return nil, p.errorf("read xref table", malformed("bad entry"))
			}
			kind := p.buf[p.pos]
			p.pos++
			e := xrefEntry{typ: entryFree}
			switch kind {
			case 'n':
				e = xrefEntry{typ: entryInUse, off: int64(off), idx: int32(gen)}
			case 'f':
			default:
				return nil, p.errorf("read xref table", malformed("entry type is neither 'n' nor 'f'"))
			}
			if err := d.setEntry(start+i, e); err != nil {
				return nil, p.errorf("read xref table", err)
			}
		}
	}
}

func (d *Document) readXrefStream(s *stream) error {
	data, err := d.decode(s)
	if err != nil {
		return err
	}
	wa, _ := s.dict["W"].(array)
	if len(wa) != 3 {
		return errorf("read xref stream", s.off, malformed("bad /W"))
	}
	var w [3]int
	row := 0
	for i, o := range wa {
		n, ok := o.(int64)
		if !ok || n < 0 || n > 8 {
			return errorf("read xref stream", s.off, malformed("bad /W"))
		}
		w[i] = int(n)
		row += w[i]
	}
	if row == 0 {
		return errorf("read xref stream", s.off, malformed("bad /W"))
	}
	size, _ := s.dict["Size"].(int64)
	index := array{int64(0), size}
	if ia, ok := s.dict["Index"].(array); ok && len(ia) >= 2 {
		index = ia
	}
	pos := 0
	for k := 0; k+1 < len(index); k += 2 {
		start, ok1 := index[k].(int64)
		count, ok2 := index[k+1].(int64)
		if !ok1 || !ok2 || start < 0 || count < 0 {
			return errorf("read xref stream", s.off, malformed("bad /Index"))
		}
		if count > int64(d.lim.MaxObjects) || start+count > int64(d.lim.MaxObjects) {
			return errorf("read xref stream", s.off, limitErr("xref entries", int64(d.lim.MaxObjects)))
		}
		for i := int64(0); i < count; i++ {
			if pos+row > len(data) {
				return nil // a short stream: keep what we have
			}
			f := field(data[pos:pos+w[0]], 1)
			f2 := field(data[pos+w[0]:pos+w[0]+w[1]], 0)
			f3 := field(data[pos+w[0]+w[1]:pos+row], 0)
			pos += row
			var e xrefEntry
			switch f {
			case 0:
				e.typ = entryFree
			case 1:
				e = xrefEntry{typ: entryInUse, off: int64(f2)}
			case 2:
				e = xrefEntry{typ: entryCompressed, off: int64(f2), idx: int32(f3)}
			default:
				continue // unknown types are to be ignored (§7.5.8.3)
			}
			if err := d.setEntry(int(start+i), e); err != nil {
				return errorf("read xref stream", s.off, err)
			}
		}
	}
	return nil
}

// field reads a big-endian integer; an empty field takes the default.
func field(b []byte, def uint64) uint64 {
	if len(b) == 0 {
		return def
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	if v > 1<<62 {
		return 1 << 62
	}
	return v
}

// rebuild reconstructs the cross-reference table by scanning the whole file
// for "N G obj" headers, for files whose xref data is missing or wrong. Later
// definitions win, as in an incremental update.
func (d *Document) rebuild() error {
	d.rebuilt = true
	d.xref = nil
	d.cache = map[int]any{}
	d.objstms = map[int]*objStm{}
	var trailer dict
	buf := d.buf
	count := 0
	for i := 0; ; {
		j := bytes.Index(buf[i:], []byte("obj"))
		if j < 0 {
			break
		}
		at := i + j
		i = at + 3
		if i < len(buf) && isRegular(buf[i]) {
			continue // "objx", e.g. "endobj" is excluded below
		}
		num, start, ok := objHeaderBefore(buf, at)
		if !ok {
			continue
		}
		count++
		if count > d.lim.MaxObjects {
			return errorf("rebuild xref", int64(at), limitErr("objects", int64(d.lim.MaxObjects)))
		}
		if num >= d.lim.MaxObjects {
			continue
		}
		if num >= len(d.xref) {
			grown := make([]xrefEntry, min(max(num+1, 2*len(d.xref)), d.lim.MaxObjects))
			copy(grown, d.xref)
			d.xref = grown
		}
		d.xref[num] = xrefEntry{typ: entryInUse, off: int64(start)}
	}
	// Trailers: the last one naming a /Root wins. Only the last few are
	// tried, so that a file of nothing but "trailer" keywords stays cheap.
	end := len(buf)
	for tries := 0; tries < 16 && trailer == nil; tries++ {
		j := bytes.LastIndex(buf[:end], []byte("trailer"))
		if j < 0 {
			break
		}
		end = j
		p := &parser{scanner: scanner{buf: buf, pos: j + len("trailer")}, maxDepth: d.lim.MaxDepth}
		v, err := p.object(0)
		if cerr := d.chargeParse(p.pos - j); cerr != nil {
			return errorf("rebuild xref", int64(j), cerr)
		}
		if t, ok := v.(dict); ok && err == nil && t["Root"] != nil {
			trailer = t
		}
	}
	// Objects inside object streams, and the catalog/xref-stream dictionaries
	// that stand in for a trailer in files without one.
	var catalog ref
	for num := range d.xref {
		if d.xref[num].typ != entryInUse {
			continue
		}
		v, err := d.load(num)
		if errors.Is(err, ErrLimit) {
			return err
		}
		if err != nil {
			continue
		}
		switch o := v.(type) {
		case *stream:
			switch o.dict["Type"] {
			case name("ObjStm"):
				d.indexObjStm(num)
			case name("XRef"):
				if trailer == nil && o.dict["Root"] != nil {
					trailer = o.dict
				}
			}
		case dict:
			if o["Type"] == name("Catalog") {
				catalog = ref{num, 0}
			}
		}
	}
	if trailer == nil {
		trailer = dict{}
	}
	if trailer["Root"] == nil && catalog.num > 0 {
		trailer["Root"] = catalog
	}
	if trailer["Root"] == nil {
		// Look for a catalog inside object streams too.
		for num := range d.xref {
			if d.xref[num].typ == entryCompressed {
				if v, err := d.load(num); err == nil {
					if o, ok := v.(dict); ok && o["Type"] == name("Catalog") {
						trailer["Root"] = ref{num, 0}
						break
					}
				}
			}
		}
	}
	d.trailer = trailer
	return nil
}

// indexObjStm adds entries for the objects of object stream num that have no
// entry of their own.
func (d *Document) indexObjStm(num int) {
	ostm, err := d.objStm(num)
	if err != nil {
		return
	}
	for i, n := range ostm.nums {
		if n < len(d.xref) && d.xref[n].typ != entryUnset {
			continue
		}
		if n >= d.lim.MaxObjects {
			continue
		}
		if n >= len(d.xref) {
			grown := make([]xrefEntry, min(max(n+1, 2*len(d.xref)), d.lim.MaxObjects))
			copy(grown, d.xref)
			d.xref = grown
		}
		d.xref[n] = xrefEntry{typ: entryCompressed, off: int64(num), idx: int32(i)}
	}
}

// objHeaderBefore checks that "obj" at at is preceded by "N G" and returns N
// and the offset where N starts.
func objHeaderBefore(buf []byte, at int) (int, int, bool) {
	i := at - 1
	skip := func() {
		for i >= 0 && isSpace(buf[i]) {
			i--
		}
	}
	digits := func() (int, int, bool) {
		end := i
		for i >= 0 && buf[i] >= '0' && buf[i] <= '9' {
			i--
		}
		if i == end || end-i > 10 {
			return 0, 0, false
		}
		n, err := strconv.Atoi(string(buf[i+1 : end+1]))
		return n, i + 1, err == nil
	}
	if i < 0 || !isSpace(buf[i]) {
		return 0, 0, false
	}
	skip()
	if _, _, ok := digits(); !ok {
		return 0, 0, false
	}
	if i < 0 || !isSpace(buf[i]) {
		return 0, 0, false
	}
	skip()
	n, start, ok := digits()
	if !ok || (i >= 0 && isRegular(buf[i])) {
		return 0, 0, false
	}
	return n, start, true
}

// objStm is a decoded object stream: object numbers and their offsets.
type objStm struct {
	data []byte
	nums []int
	offs []int
}

func (d *Document) objStm(num int) (*objStm, error) {
	if ostm, ok := d.objstms[num]; ok {
		if ostm == nil {
			return nil, errorf("read object stream", -1, malformed("object stream is unusable"))
		}
		return ostm, nil
	}
	d.objstms[num] = nil // also guards against an object stream that contains itself
	v, err := d.load(num)
	if err != nil {
		return nil, err
	}
	s, ok := v.(*stream)
	if !ok {
		return nil, &Error{Object: num, Offset: -1, Op: "read object stream", Err: malformed("not a stream")}
	}
	data, err := d.decode(s)
	if err != nil {
		return nil, locate(err, 0, num)
	}
	n, _ := s.dict["N"].(int64)
	first, _ := s.dict["First"].(int64)
	if n < 0 || first < 0 || first > int64(len(data)) || n > int64(len(data)) {
		return nil, &Error{Object: num, Offset: s.off, Op: "read object stream", Err: malformed("bad /N or /First")}
	}
	ostm := &objStm{data: data}
	p := &parser{scanner: scanner{buf: data[:first]}}
	for i := int64(0); i < n; i++ {
		p.skipSpace()
		on, ok1 := p.uint()
		p.skipSpace()
		oo, ok2 := p.uint()
		if !ok1 || !ok2 {
			break
		}
		ostm.nums = append(ostm.nums, on)
		ostm.offs = append(ostm.offs, int(first)+oo)
	}
	d.objstms[num] = ostm
	return ostm, nil
}

func (d *Document) loadCompressed(num int, e xrefEntry) (any, error) {
	ostm, err := d.objStm(int(e.off))
	if err != nil {
		return nil, err
	}
	i := int(e.idx)
	if i < 0 || i >= len(ostm.nums) || ostm.nums[i] != num {
		i = -1
		for k, n := range ostm.nums {
			if n == num {
				i = k
				break
			}
		}
		if i < 0 {
			return nil, &Error{Object: num, Offset: -1, Op: "read compressed object", Err: errNotFound}
		}
	}
	if ostm.offs[i] >= len(ostm.data) {
		return nil, &Error{Object: num, Offset: int64(ostm.offs[i]), Op: "read compressed object", Err: malformed("offset outside object stream")}
	}
	p := &parser{scanner: scanner{buf: ostm.data, pos: ostm.offs[i]}, maxDepth: d.lim.MaxDepth}
	v, err := p.object(0)
	if cerr := d.chargeParse(p.pos - ostm.offs[i]); cerr != nil {
		return nil, &Error{Object: num, Offset: int64(ostm.offs[i]), Op: "read compressed object", Err: cerr}
	}
	return v, locate(err, 0, num)
}
