package pdf

import (
	"slices"
	"unicode/utf16"
	"unicode/utf8"
)

// cmap is a parsed CMap: a ToUnicode map (bfchar/bfrange) or an encoding CMap
// (cidchar/cidrange), with its codespace ranges. Codes are stored with their
// byte length, since <41> and <0041> are different codes.
type cmap struct {
	space     []codeRange
	uni       map[codeKey]string
	uniRanges []uniRange
	cid       map[codeKey]uint32
	cidRanges []cidRange
}

type codeKey struct {
	code uint32
	n    uint8
}

type codeRange struct {
	lo, hi uint32
	n      uint8
}

type uniRange struct {
	codeRange
	base []uint16 // offset form: UTF-16 of lo; the last unit is incremented
	arr  []string // array form: one string per code
}

type cidRange struct {
	codeRange
	cid uint32
}

// maxCMapEntries bounds the entries one CMap may define; real CJK CMaps have
// tens of thousands at most.
const maxCMapEntries = 1 << 17

// parseCMap reads the CMap operators we need and ignores everything else
// (the PostScript resource boilerplate around them).
func parseCMap(data []byte) *cmap {
	cm := &cmap{}
	s := scanner{buf: data}
	var ops []cmapOperand
	var strs []byte // backing store for string operands
	entries := 0
	mode := ""
	for {
		s.skipSpace()
		if s.pos >= len(s.buf) {
			break
		}
		c := s.buf[s.pos]
		switch {
		case c == '<' && s.pos+1 < len(s.buf) && s.buf[s.pos+1] == '<':
			s.pos += 2
		case c == '>' && s.pos+1 < len(s.buf) && s.buf[s.pos+1] == '>':
			s.pos += 2
		case c == '<':
			start := len(strs)
			strs, _ = s.hexString(strs)
			ops = append(ops, cmapOperand{str: strs[start:len(strs):len(strs)], isStr: true})
		case c == '(':
			start := len(strs)
			strs, _ = s.literalString(strs)
			ops = append(ops, cmapOperand{str: strs[start:len(strs):len(strs)], isStr: true})
		case c == '[':
			s.pos++
			ops = append(ops, cmapOperand{open: true})
		case c == ']':
			s.pos++
			// Collapse the array into one operand holding its strings.
			i := len(ops) - 1
			for i >= 0 && !ops[i].open {
				i--
			}
			if i < 0 {
				continue
			}
			var arr [][]byte
			for _, o := range ops[i+1:] {
				if o.isStr {
					arr = append(arr, o.str)
				}
			}
			ops = append(ops[:i], cmapOperand{arr: arr, isArr: true})
		case c == '/':
			s.name(nil)
			ops = append(ops, cmapOperand{})
		case c == ')' || c == '>' || c == '{' || c == '}':
			s.pos++
		default:
			tok := s.regular()
			if len(tok) == 0 {
				s.pos++
				continue
			}
			if v, isInt, ok := parseNumber(tok); ok {
				ops = append(ops, cmapOperand{num: v, isNum: isInt})
				continue
			}
			switch kw := string(tok); kw {
			case "begincodespacerange", "beginbfchar", "beginbfrange", "begincidchar", "begincidrange", "beginnotdefrange":
				mode = kw[5:]
			case "endcodespacerange", "endbfchar", "endbfrange", "endcidchar", "endcidrange", "endnotdefrange":
				entries += cm.apply(mode, ops, maxCMapEntries-entries)
				mode = ""
			}
			ops = ops[:0]
			strs = strs[:0]
		}
		if len(ops) > 3*maxCMapEntries {
			break
		}
	}
	slices.SortFunc(cm.space, func(a, b codeRange) int { return int(a.n) - int(b.n) })
	// Sorted ranges make lookups logarithmic; hostile CMaps can have 10⁵ of them.
	slices.SortStableFunc(cm.uniRanges, func(a, b uniRange) int { return a.compare(b.codeRange) })
	slices.SortStableFunc(cm.cidRanges, func(a, b cidRange) int { return a.compare(b.codeRange) })
	return cm
}

func (r codeRange) compare(o codeRange) int {
	switch {
	case r.n != o.n:
		return int(r.n) - int(o.n)
	case r.lo < o.lo:
		return -1
	case r.lo > o.lo:
		return 1
	}
	return 0
}

// findRange returns the index of the range containing k among ranges sorted
// by (length, lo), or -1. Overlapping ranges are rare; a few predecessors are
// checked so that a short range nested after a long one is still found.
func findRange(n int, at func(int) codeRange, k codeKey) int {
	key := codeRange{lo: k.code, n: k.n}
	lo, hi := 0, n // find the first index whose (n, lo) is greater than key

	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if at(m).compare(key) <= 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for j := lo - 1; j >= 0 && j >= lo-8; j-- {
		r := at(j)
		if r.n == k.n && k.code >= r.lo && k.code <= r.hi {
			return j
		}
	}
	return -1
}

type cmapOperand struct {
	str   []byte
	arr   [][]byte
	num   float64
	isStr bool
	isArr bool
	isNum bool
	open  bool
}

func codeOf(b []byte) (codeKey, bool) {
	if len(b) == 0 || len(b) > 4 {
		return codeKey{}, false
	}
	var v uint32
	for _, c := range b {
		v = v<<8 | uint32(c)
	}
	return codeKey{v, uint8(len(b))}, true
}

// apply adds the entries of one begin…end block and returns how many it added.
func (cm *cmap) apply(mode string, ops []cmapOperand, budget int) int {
	added := 0
	switch mode {
	case "codespacerange":
		for i := 0; i+1 < len(ops); i += 2 {
			lo, ok1 := codeOf(ops[i].str)
			hi, ok2 := codeOf(ops[i+1].str)
			if ok1 && ok2 && lo.n == hi.n && len(cm.space) < 256 {
				cm.space = append(cm.space, codeRange{lo.code, hi.code, lo.n})
			}
		}
	case "bfchar":
		for i := 0; i+1 < len(ops) && added < budget; i += 2 {
			k, ok := codeOf(ops[i].str)
			if !ok || !ops[i+1].isStr {
				continue
			}
			if cm.uni == nil {
				cm.uni = map[codeKey]string{}
			}
			cm.uni[k] = utf16BytesToString(ops[i+1].str)
			added++
		}
	case "bfrange":
		for i := 0; i+2 < len(ops) && added < budget; i += 3 {
			lo, ok1 := codeOf(ops[i].str)
			hi, ok2 := codeOf(ops[i+1].str)
			if !ok1 || !ok2 || lo.n != hi.n || hi.code < lo.code {
				continue
			}
			r := uniRange{codeRange: codeRange{lo.code, hi.code, lo.n}}
			switch dst := ops[i+2]; {
			case dst.isStr:
				r.base = utf16Units(dst.str)
				if len(r.base) == 0 {
					continue
				}
			case dst.isArr:
				for _, a := range dst.arr {
					r.arr = append(r.arr, utf16BytesToString(a))
				}
			default:
				continue
			}
			cm.uniRanges = append(cm.uniRanges, r)
			added++
		}
	case "cidchar":
		for i := 0; i+1 < len(ops) && added < budget; i += 2 {
			k, ok := codeOf(ops[i].str)
			if !ok || !ops[i+1].isNum || ops[i+1].num < 0 {
				continue
			}
			if cm.cid == nil {
				cm.cid = map[codeKey]uint32{}
			}
			cm.cid[k] = uint32(ops[i+1].num)
			added++
		}
	case "cidrange":
		for i := 0; i+2 < len(ops) && added < budget; i += 3 {
			lo, ok1 := codeOf(ops[i].str)
			hi, ok2 := codeOf(ops[i+1].str)
			if !ok1 || !ok2 || lo.n != hi.n || hi.code < lo.code || !ops[i+2].isNum || ops[i+2].num < 0 {
				continue
			}
			cm.cidRanges = append(cm.cidRanges, cidRange{codeRange{lo.code, hi.code, lo.n}, uint32(ops[i+2].num)})
			added++
		}
	}
	return added
}

// utf16Units reads big-endian UTF-16 code units; a single odd byte is taken as
// a unit of its own, as some producers write <20> for a space.
func utf16Units(b []byte) []uint16 {
	if len(b) == 1 {
		return []uint16{uint16(b[0])}
	}
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
	}
	return u
}

func utf16BytesToString(b []byte) string {
	return unitsToString(utf16Units(b))
}

func unitsToString(u []uint16) string {
	if len(u) == 1 && !utf16.IsSurrogate(rune(u[0])) {
		return string(rune(u[0]))
	}
	var buf [16]byte
	out := buf[:0]
	for _, r := range utf16.Decode(u) {
		out = utf8.AppendRune(out, r)
	}
	return string(out)
}

// lookupUnicode returns the text of a code and whether the CMap maps it.
func (cm *cmap) lookupUnicode(k codeKey) (string, bool) {
	if s, ok := cm.uni[k]; ok {
		return s, true
	}
	if i := findRange(len(cm.uniRanges), func(i int) codeRange { return cm.uniRanges[i].codeRange }, k); i >= 0 {
		r := &cm.uniRanges[i]
		off := k.code - r.lo
		if r.arr != nil {
			if int(off) < len(r.arr) {
				return r.arr[off], true
			}
			return "", false
		}
		u := slices.Clone(r.base)
		u[len(u)-1] += uint16(off)
		return unitsToString(u), true
	}
	return "", false
}

// lookupCID maps a code through an encoding CMap.
func (cm *cmap) lookupCID(k codeKey) (uint32, bool) {
	if c, ok := cm.cid[k]; ok {
		return c, true
	}
	if i := findRange(len(cm.cidRanges), func(i int) codeRange { return cm.cidRanges[i].codeRange }, k); i >= 0 {
		r := cm.cidRanges[i]
		return r.cid + (k.code - r.lo), true
	}
	return 0, false
}

// nextCode splits the next code off b using the codespace ranges (§9.7.6.2):
// the shortest byte sequence that falls in a range of its length wins; bytes
// that match no range are consumed with the length of the shortest range.
func (cm *cmap) nextCode(b []byte) (codeKey, int) {
	if len(cm.space) == 0 {
		if len(b) >= 2 {
			return codeKey{uint32(b[0])<<8 | uint32(b[1]), 2}, 2
		}
		return codeKey{uint32(b[0]), 1}, 1
	}
	var v uint32
	for n := 1; n <= 4 && n <= len(b); n++ {
		v = v<<8 | uint32(b[n-1])
		for _, r := range cm.space {
			if int(r.n) == n && v >= r.lo && v <= r.hi {
				return codeKey{v, uint8(n)}, n
			}
		}
	}
	n := min(int(cm.space[0].n), len(b))
	v = 0
	for _, c := range b[:n] {
		v = v<<8 | uint32(c)
	}
	return codeKey{v, uint8(n)}, n
}
