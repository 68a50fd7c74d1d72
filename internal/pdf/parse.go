package pdf

import (
	"bytes"
	"strconv"
)

// parser reads objects from a buffer. doc, when set, is used to resolve an
// indirect /Length of a stream; objects parsed from object streams and
// content-stream dictionaries have none.
type parser struct {
	scanner
	doc      *Document
	maxDepth int
	scratch  []byte
	// scanned is where indirect stopped tokenizing: the end of the object, or
	// the start of stream data, which is sliced rather than scanned.
	scanned int
}

func (p *parser) errorf(op string, err error) error {
	return errorf(op, int64(p.pos), err)
}

// object parses one direct object. Integers followed by "G R" become refs.
func (p *parser) object(depth int) (any, error) {
	if depth > p.maxDepth {
		return nil, p.errorf("parse object", limitErr("nesting depth", int64(p.maxDepth)))
	}
	p.skipSpace()
	if p.pos >= len(p.buf) {
		return nil, p.errorf("parse object", errEOF)
	}
	switch c := p.buf[p.pos]; c {
	case '/':
		p.scratch = p.name(p.scratch[:0])
		return name(p.scratch), nil
	case '(':
		var err error
		p.scratch, err = p.literalString(p.scratch[:0])
		if err != nil {
			return nil, p.errorf("parse string", err)
		}
		return string(p.scratch), nil
	case '<':
		if p.pos+1 < len(p.buf) && p.buf[p.pos+1] == '<' {
			return p.dict(depth)
		}
		var err error
		p.scratch, err = p.hexString(p.scratch[:0])
		if err != nil {
			return nil, p.errorf("parse hex string", err)
		}
		return string(p.scratch), nil
	case '[':
		p.pos++
		var a array
		for {
			p.skipSpace()
			if p.pos >= len(p.buf) {
				return nil, p.errorf("parse array", errEOF)
			}
			if p.buf[p.pos] == ']' {
				p.pos++
				return a, nil
			}
			v, err := p.object(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
	case ')', '>', ']', '{', '}':
		p.pos++
		return nil, errorf("parse object", int64(p.pos-1), malformed("unexpected '"+string(c)+"'"))
	}
	start := p.pos
	tok := p.regular()
	if len(tok) == 0 {
		p.pos++
		return nil, errorf("parse object", int64(start), malformed("unexpected byte"))
	}
	switch string(tok) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	v, isInt, ok := parseNumber(tok)
	if !ok {
		return nil, errorf("parse object", int64(start), malformed("unexpected keyword "+strconv.Quote(truncate(tok))))
	}
	if !isInt || v < 0 || v > 1<<31 {
		if isInt && v >= -9e18 && v <= 9e18 {
			return int64(v), nil
		}
		return v, nil
	}
	// Look ahead for "G R".
	save := p.pos
	p.skipSpace()
	if g, ok := p.uint(); ok {
		p.skipSpace()
		if p.pos < len(p.buf) && p.buf[p.pos] == 'R' && (p.pos+1 == len(p.buf) || !isRegular(p.buf[p.pos+1])) {
			p.pos++
			return ref{int(v), g}, nil
		}
	}
	p.pos = save
	return int64(v), nil
}

// uint reads a non-negative integer token, leaving pos unchanged on failure.
func (p *parser) uint() (int, bool) {
	start := p.pos
	n := 0
	for p.pos < len(p.buf) && p.buf[p.pos] >= '0' && p.buf[p.pos] <= '9' {
		if n > 1<<31 {
			p.pos = start
			return 0, false
		}
		n = n*10 + int(p.buf[p.pos]-'0')
		p.pos++
	}
	if p.pos == start || (p.pos < len(p.buf) && isRegular(p.buf[p.pos])) {
		p.pos = start
		return 0, false
	}
	return n, true
}

func (p *parser) dict(depth int) (dict, error) {
	p.pos += 2
	d := dict{}
	for {
		p.skipSpace()
		if p.pos >= len(p.buf) {
			return nil, p.errorf("parse dictionary", errEOF)
		}
		if p.buf[p.pos] == '>' {
			if p.pos+1 < len(p.buf) && p.buf[p.pos+1] == '>' {
				p.pos += 2
				return d, nil
			}
			return nil, p.errorf("parse dictionary", malformed("expected '>>'"))
		}
		if p.buf[p.pos] != '/' {
			return nil, p.errorf("parse dictionary", malformed("expected name key"))
		}
		p.scratch = p.name(p.scratch[:0])
		key := name(p.scratch)
		p.skipSpace()
		if p.pos < len(p.buf) && p.buf[p.pos] == '>' {
			d[key] = nil // "/Key >>": tolerate a missing value
			continue
		}
		v, err := p.object(depth + 1)
		if err != nil {
			return nil, err
		}
		d[key] = v
	}
}

func truncate(b []byte) string {
	if len(b) > 20 {
		return string(b[:20]) + "…"
	}
	return string(b)
}

// indirect parses "N G obj … endobj" at pos, returning the object number and
// value (a *stream for streams).
func (p *parser) indirect() (int, any, error) {
	start := p.pos
	p.skipSpace()
	n, ok1 := p.uint()
	p.skipSpace()
	_, ok2 := p.uint()
	p.skipSpace()
	p.scanned = p.pos
	if !ok1 || !ok2 || !bytes.HasPrefix(p.buf[p.pos:], []byte("obj")) {
		return 0, nil, errorf("parse indirect object", int64(start), malformed("missing 'N G obj' header"))
	}
	p.pos += 3
	v, err := p.object(0)
	p.scanned = p.pos
	if err != nil {
		return n, nil, err
	}
	d, ok := v.(dict)
	if !ok {
		return n, v, nil
	}
	// A stream keyword may follow the dictionary.
	q := p.pos
	for q < len(p.buf) && isSpace(p.buf[q]) {
		q++
	}
	if !bytes.HasPrefix(p.buf[q:], []byte("stream")) {
		return n, d, nil
	}
	q += len("stream")
	if q < len(p.buf) && p.buf[q] == '\r' {
		q++
	}
	if q < len(p.buf) && p.buf[q] == '\n' {
		q++
	}
	p.scanned = q
	raw, end, err := p.streamData(d, q)
	if err != nil {
		return n, nil, locate(err, 0, n)
	}
	p.pos = end
	return n, &stream{dict: d, raw: raw, off: int64(q), num: n}, nil
}

var kwEndstream = []byte("endstream")

// streamData finds the extent of stream data starting at q. /Length is trusted
// only if "endstream" follows it; otherwise the data runs to the next endstream.
func (p *parser) streamData(d dict, q int) ([]byte, int, error) {
	length := int64(-1)
	switch l := d["Length"].(type) {
	case int64:
		length = l
	case ref:
		if p.doc != nil {
			if v, err := p.doc.resolveErr(l); err == nil {
				if n, ok := v.(int64); ok {
					length = n
				}
			}
		}
	}
	if length >= 0 && length <= int64(len(p.buf)-q) {
		e := q + int(length)
		k := e
		for k < len(p.buf) && isSpace(p.buf[k]) {
			k++
		}
		if bytes.HasPrefix(p.buf[k:], kwEndstream) {
			return p.buf[q:e], k + len(kwEndstream), nil
		}
	}
	var e int
	if p.doc != nil && len(p.buf) == len(p.doc.buf) {
		e = p.doc.nextEndstream(q)
	} else if i := bytes.Index(p.buf[q:], kwEndstream); i >= 0 {
		e = q + i
	} else {
		e = -1
	}
	if e < 0 {
		return nil, 0, errorf("parse stream", int64(q), malformed("missing endstream"))
	}
	end := e + len(kwEndstream)
	// The EOL before endstream is not part of the data.
	if e > q && p.buf[e-1] == '\n' {
		e--
	}
	if e > q && p.buf[e-1] == '\r' {
		e--
	}
	return p.buf[q:e], end, nil
}
