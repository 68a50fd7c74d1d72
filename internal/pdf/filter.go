package pdf

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"io"
	"unsafe"
)

// flateState keeps one zlib and one raw-deflate reader per document: their
// window buffers are large, and reusing them via Reset saves most of the
// allocations of a page.
type flateState struct {
	z io.ReadCloser
	f io.ReadCloser
}

// decode returns the decoded data of s, applying its filter chain and
// charging the output against the per-stream and per-document caps.
//
// Of what the filters charged to the memory hook, only the result stays
// charged (its capacity): intermediate buffers are given back, and
// everything on failure.
func (d *Document) decode(s *stream) ([]byte, error) {
	filters, params := d.filterChain(s.dict)
	data := s.raw
	held := d.held
	for i, f := range filters {
		limit := min(d.lim.MaxStreamBytes, d.lim.MaxTotalBytes-d.total)
		if limit < 0 {
			limit = 0
		}
		var err error
		data, err = d.applyFilter(f, params[i], data, limit)
		if err != nil {
			d.uncharge(d.held - held)
			return nil, &Error{Object: s.num, Offset: s.off, Op: "decode " + string(f), Err: err}
		}
		d.total += int64(len(data))
	}
	kept := int64(cap(data))
	if unsafe.SliceData(data) == unsafe.SliceData(s.raw) {
		kept = 0 // no filter copied: the bytes are the file's
	}
	d.uncharge(d.held - held - kept)
	return data, nil
}

func (d *Document) filterChain(sd dict) ([]name, []dict) {
	var filters []name
	var params []dict
	switch f := d.resolve(sd["Filter"]).(type) {
	case name:
		filters = []name{f}
		params = []dict{d.dictOf(sd["DecodeParms"])}
	case array:
		pa := d.arrayOf(sd["DecodeParms"])
		for i, x := range f {
			n, _ := d.resolve(x).(name)
			filters = append(filters, n)
			var p dict
			if i < len(pa) {
				p = d.dictOf(pa[i])
			}
			params = append(params, p)
		}
	}
	return filters, params
}

// imageFilters are filters for image data only; content we interpret never uses them.
var imageFilters = map[name]bool{
	"DCTDecode": true, "DCT": true, "JPXDecode": true, "CCITTFaxDecode": true, "CCF": true, "JBIG2Decode": true,
}

func (d *Document) applyFilter(f name, p dict, data []byte, limit int64) ([]byte, error) {
	var out []byte
	var err error
	switch f {
	case "FlateDecode", "Fl":
		out, err = d.inflate(data, limit)
	case "LZWDecode", "LZW":
		early := true
		if v, ok := p["EarlyChange"].(int64); ok && v == 0 {
			early = false
		}
		out, err = lzwDecode(data, early, d.sink(limit))
	case "ASCIIHexDecode", "AHx":
		out, err = asciiHexDecode(data, d.sink(limit))
	case "ASCII85Decode", "A85":
		out, err = ascii85Decode(data, d.sink(limit))
	case "RunLengthDecode", "RL":
		out, err = runLengthDecode(data, d.sink(limit))
	case "Crypt":
		if n, _ := p["Name"].(name); n != "" && n != "Identity" {
			return nil, ErrEncrypted
		}
		return data, nil
	default:
		if imageFilters[f] {
			return nil, unsupported("image filter " + string(f) + " cannot be decoded")
		}
		return nil, unsupported("unknown filter " + string(f))
	}
	if err != nil {
		return nil, err
	}
	if f == "FlateDecode" || f == "Fl" || f == "LZWDecode" || f == "LZW" {
		return predict(out, p)
	}
	return out, nil
}

// inflate decompresses zlib data, or raw deflate data when the zlib header is
// missing. Truncated or corrupt input yields what could be decoded, as
// other readers do; output beyond limit is an error (decompression bombs).
// The output buffer grows by doubling, each larger buffer charged to the
// memory hook before it is allocated, so a bomb is stopped by the hook as
// soon as by the limit.
func (d *Document) inflate(data []byte, limit int64) ([]byte, error) {
	var r io.Reader
	var err error
	if d.flate.z == nil {
		d.flate.z, err = zlib.NewReader(bytes.NewReader(data))
	} else {
		err = d.flate.z.(zlib.Resetter).Reset(bytes.NewReader(data), nil)
	}
	if err == nil {
		r = d.flate.z
	} else {
		if d.flate.f == nil {
			d.flate.f = flate.NewReader(bytes.NewReader(data))
		} else {
			_ = d.flate.f.(flate.Resetter).Reset(bytes.NewReader(data), nil)
		}
		r = d.flate.f
	}
	out := d.sink(limit + 1) // one byte over the limit tells a bomb from a stream at the limit
	buf, err := out.grow(nil, int(min(int64(len(data))*4+512, limit+1)))
	if err != nil {
		return nil, err
	}
	for {
		if len(buf) == cap(buf) {
			if buf, err = out.grow(buf, 1); err != nil {
				if errors.Is(err, ErrLimit) {
					err = limitErr("decompressed stream size", limit)
				}
				return nil, err
			}
		}
		n, rerr := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, limitErr("decompressed stream size", limit)
		}
		if rerr != nil {
			if rerr != io.EOF && len(buf) == 0 {
				return nil, rerr
			}
			return buf, nil
		}
	}
}

// predict undoes PNG (10–15) and TIFF (2) predictors.
func predict(data []byte, p dict) ([]byte, error) {
	pred, _ := p["Predictor"].(int64)
	if pred <= 1 {
		return data, nil
	}
	colors, bpc, columns := int64(1), int64(8), int64(1)
	if v, ok := p["Colors"].(int64); ok && v > 0 && v <= 32 {
		colors = v
	}
	if v, ok := p["BitsPerComponent"].(int64); ok && v > 0 && v <= 16 {
		bpc = v
	}
	if v, ok := p["Columns"].(int64); ok && v > 0 && v <= 1<<20 {
		columns = v
	}
	bpp := int(max(1, colors*bpc/8))
	rowLen := int((colors*bpc*columns + 7) / 8)
	if pred == 2 {
		if bpc != 8 {
			return nil, unsupported("TIFF predictor with BitsPerComponent != 8")
		}
		for r := 0; r+rowLen <= len(data); r += rowLen {
			row := data[r : r+rowLen]
			for i := bpp; i < len(row); i++ {
				row[i] += row[i-bpp]
			}
		}
		return data, nil
	}
	if pred < 10 {
		return nil, unsupported("predictor")
	}
	out := data[:0]                              // rows shrink by one byte, so decoding in place is safe
	prev := make([]byte, min(rowLen, len(data))) // a row is never longer than the data: /Columns cannot make us allocate
	for r := 0; r < len(data); r += rowLen + 1 {
		end := min(r+rowLen+1, len(data))
		typ := data[r]
		row := data[r+1 : end]
		for i := range row {
			var a, b, c byte
			if i >= bpp {
				a = row[i-bpp]
				c = prev[i-bpp]
			}
			b = prev[i]
			switch typ {
			case 0:
			case 1:
				row[i] += a
			case 2:
				row[i] += b
			case 3:
				row[i] += byte((int(a) + int(b)) / 2)
			case 4:
				row[i] += paeth(a, b, c)
			default:
				return nil, malformed("bad PNG predictor row type")
			}
		}
		copy(prev, row)
		out = append(out, row...)
	}
	return out, nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// sink bounds one decoder's output: the stream's cap, and the memory hook
// asked for every larger buffer before it is allocated.
type sink struct {
	limit int64
	d     *Document
}

func (d *Document) sink(limit int64) *sink { return &sink{limit: limit, d: d} }

// grow returns out with room for n more bytes: an error past the limit,
// else out itself or a copy in a buffer of twice the size, charged first.
func (s *sink) grow(out []byte, n int) ([]byte, error) {
	need := int64(len(out)) + int64(n)
	if need > s.limit {
		return nil, limitErr("decompressed stream size", s.limit)
	}
	if need <= int64(cap(out)) {
		return out, nil
	}
	c := min(max(2*int64(cap(out)), need, 512), s.limit)
	if err := s.d.charge(c); err != nil {
		s.d.uncharge(int64(cap(out))) // the decoder fails; its buffer is dropped
		return nil, err
	}
	grown := append(make([]byte, 0, c), out...)
	s.d.uncharge(int64(cap(out)))
	return grown, nil
}

func asciiHexDecode(data []byte, sk *sink) ([]byte, error) {
	out, err := sk.grow(nil, int(min(int64(len(data)/2+1), sk.limit)))
	if err != nil {
		return nil, err
	}
	var hi byte
	half := false
	for _, c := range data {
		if c == '>' {
			break
		}
		v, ok := unhex(c)
		if !ok {
			if isSpace(c) {
				continue
			}
			return nil, malformed("bad ASCIIHex digit")
		}
		if half {
			if out, err = sk.grow(out, 1); err != nil {
				return nil, err
			}
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		if out, err = sk.grow(out, 1); err != nil {
			return nil, err
		}
		out = append(out, hi<<4)
	}
	return out, nil
}

func ascii85Decode(data []byte, sk *sink) ([]byte, error) {
	out, err := sk.grow(nil, int(min(int64(len(data)*4/5+4), sk.limit)))
	if err != nil {
		return nil, err
	}
	var group [5]byte
	n := 0
	flush := func(k int) error {
		var v uint64
		for i := 0; i < 5; i++ {
			v = v*85 + uint64(group[i])
		}
		if v > 0xFFFFFFFF {
			return malformed("ASCII85 group out of range")
		}
		var err error
		if out, err = sk.grow(out, k); err != nil {
			return err
		}
		b := [4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
		out = append(out, b[:k]...)
		return nil
	}
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case isSpace(c):
			continue
		case c == '~':
			i = len(data)
			continue
		case c == 'z' && n == 0:
			group = [5]byte{}
			if err := flush(4); err != nil {
				return nil, err
			}
			continue
		case c < '!' || c > 'u':
			return nil, malformed("bad ASCII85 character")
		}
		group[n] = c - '!'
		n++
		if n == 5 {
			if err := flush(4); err != nil {
				return nil, err
			}
			n = 0
		}
	}
	if n == 1 {
		return nil, malformed("ASCII85 data ends with a single character")
	}
	if n > 1 {
		for i := n; i < 5; i++ {
			group[i] = 84
		}
		if err := flush(n - 1); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func runLengthDecode(data []byte, sk *sink) ([]byte, error) {
	var out []byte
	for i := 0; i < len(data); {
		l := int(data[i])
		i++
		switch {
		case l == 128:
			return out, nil
		case l < 128:
			end := min(i+l+1, len(data))
			var err error
			if out, err = sk.grow(out, end-i); err != nil {
				return nil, err
			}
			out = append(out, data[i:end]...)
			i = end
		default:
			if i >= len(data) {
				return out, nil
			}
			k := 257 - l
			var err error
			if out, err = sk.grow(out, k); err != nil {
				return nil, err
			}
			for j := 0; j < k; j++ {
				out = append(out, data[i])
			}
			i++
		}
	}
	return out, nil
}

// lzwDecode implements the PDF flavour of LZW (MSB-first codes, 9–12 bits,
// with "early change" by default), which compress/lzw does not support.
func lzwDecode(data []byte, early bool, sk *sink) ([]byte, error) {
	const clear, eod = 256, 257
	type entry struct {
		prefix int32
		last   byte
		length int32
	}
	table := make([]entry, 4096)
	for i := 0; i < 256; i++ {
		table[i] = entry{prefix: -1, last: byte(i), length: 1}
	}
	next, width := 258, 9
	prev := -1
	var out []byte
	var acc uint32
	bits := 0
	adj := 0
	if early {
		adj = 1
	}
	emit := func(code int) error {
		l := int(table[code].length)
		var err error
		if out, err = sk.grow(out, l); err != nil {
			return err
		}
		start := len(out)
		out = append(out, make([]byte, l)...)
		for c, i := code, start+l-1; c >= 0; c = int(table[c].prefix) {
			out[i] = table[c].last
			i--
		}
		return nil
	}
	for _, b := range data {
		acc = acc<<8 | uint32(b)
		bits += 8
		for bits >= width {
			code := int(acc>>(bits-width)) & (1<<width - 1)
			bits -= width
			switch {
			case code == clear:
				next, width, prev = 258, 9, -1
				continue
			case code == eod:
				return out, nil
			case prev < 0:
				if code > 255 {
					return nil, malformed("bad LZW code")
				}
				if err := emit(code); err != nil {
					return nil, err
				}
				prev = code
				continue
			}
			var first byte
			switch {
			case code < next:
				c := code
				for table[c].prefix >= 0 {
					c = int(table[c].prefix)
				}
				first = table[c].last
			case code == next:
				c := prev
				for table[c].prefix >= 0 {
					c = int(table[c].prefix)
				}
				first = table[c].last
			default:
				return nil, malformed("bad LZW code")
			}
			if next < 4096 {
				table[next] = entry{prefix: int32(prev), last: first, length: table[prev].length + 1}
				next++
			}
			if err := emit(code); err != nil {
				return nil, err
			}
			prev = code
			if next+adj >= 1<<width && width < 12 {
				width++
			}
		}
	}
	return out, nil
}
