package pdf

import (
	"math"
)

// scanner is the byte-level tokenizer shared by the object parser and the
// content-stream interpreter. It works on an in-memory buffer and never
// allocates except when asked to decode strings into a caller buffer.
type scanner struct {
	buf []byte
	pos int
}

// Character classes from PDF 32000-1 §7.2.2.
const (
	clsRegular = iota
	clsSpace
	clsDelim
)

var charClass = func() (t [256]uint8) {
	for _, c := range []byte{0, '\t', '\n', '\f', '\r', ' '} {
		t[c] = clsSpace
	}
	for _, c := range []byte("()<>[]{}/%") {
		t[c] = clsDelim
	}
	return t
}()

func isSpace(c byte) bool   { return charClass[c] == clsSpace }
func isRegular(c byte) bool { return charClass[c] == clsRegular }

// skipSpace skips whitespace and comments.
func (s *scanner) skipSpace() {
	for s.pos < len(s.buf) {
		c := s.buf[s.pos]
		if isSpace(c) {
			s.pos++
			continue
		}
		if c == '%' {
			for s.pos < len(s.buf) && s.buf[s.pos] != '\n' && s.buf[s.pos] != '\r' {
				s.pos++
			}
			continue
		}
		return
	}
}

// regular returns the run of regular characters at pos (a keyword or number).
func (s *scanner) regular() []byte {
	start := s.pos
	for s.pos < len(s.buf) && isRegular(s.buf[s.pos]) {
		s.pos++
	}
	return s.buf[start:s.pos]
}

// parseNumber parses a PDF numeric token. It accepts the sloppy forms real
// producers write ("--1", "1.2.3" is rejected, "+.5", "4.") and reports
// whether the token contained a decimal point.
func parseNumber(b []byte) (v float64, isInt bool, ok bool) {
	i := 0
	neg := false
	for i < len(b) && (b[i] == '-' || b[i] == '+') {
		neg = neg != (b[i] == '-')
		i++
	}
	if i == len(b) {
		return 0, false, false
	}
	var ip float64
	digits := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		ip = ip*10 + float64(b[i]-'0')
		i++
		digits++
	}
	isInt = true
	if i < len(b) && b[i] == '.' {
		isInt = false
		i++
		scale := 0.1
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			ip += float64(b[i]-'0') * scale
			scale /= 10
			i++
			digits++
		}
	}
	if i != len(b) || digits == 0 {
		return 0, false, false
	}
	if neg {
		ip = -ip
	}
	if math.IsInf(ip, 0) {
		return 0, false, false
	}
	return ip, isInt, true
}

// name reads a name token (pos at '/') and decodes #xx escapes into dst.
func (s *scanner) name(dst []byte) []byte {
	s.pos++ // '/'
	start := s.pos
	for s.pos < len(s.buf) && isRegular(s.buf[s.pos]) {
		s.pos++
	}
	raw := s.buf[start:s.pos]
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '#' && i+2 < len(raw) {
			h, ok1 := unhex(raw[i+1])
			l, ok2 := unhex(raw[i+2])
			if ok1 && ok2 {
				dst = append(dst, h<<4|l)
				i += 2
				continue
			}
		}
		dst = append(dst, c)
	}
	return dst
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// literalString reads a (…) string (pos at '(') and appends its decoded bytes to dst.
func (s *scanner) literalString(dst []byte) ([]byte, error) {
	s.pos++
	depth := 1
	for s.pos < len(s.buf) {
		c := s.buf[s.pos]
		s.pos++
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return dst, nil
			}
		case '\r':
			// An unescaped end-of-line in a literal string is read as \n.
			if s.pos < len(s.buf) && s.buf[s.pos] == '\n' {
				s.pos++
			}
			c = '\n'
		case '\\':
			if s.pos >= len(s.buf) {
				return dst, errEOF
			}
			c = s.buf[s.pos]
			s.pos++
			switch c {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if s.pos < len(s.buf) && s.buf[s.pos] == '\n' {
					s.pos++
				}
				continue
			case '\n':
				continue
			default:
				if c >= '0' && c <= '7' {
					v := int(c - '0')
					for k := 0; k < 2 && s.pos < len(s.buf) && s.buf[s.pos] >= '0' && s.buf[s.pos] <= '7'; k++ {
						v = v*8 + int(s.buf[s.pos]-'0')
						s.pos++
					}
					c = byte(v)
				}
			}
		}
		dst = append(dst, c)
	}
	return dst, errEOF
}

// hexString reads a <…> string (pos at '<') and appends its bytes to dst.
func (s *scanner) hexString(dst []byte) ([]byte, error) {
	s.pos++
	var hi byte
	half := false
	for s.pos < len(s.buf) {
		c := s.buf[s.pos]
		s.pos++
		if c == '>' {
			if half {
				dst = append(dst, hi<<4)
			}
			return dst, nil
		}
		v, ok := unhex(c)
		if !ok {
			continue // whitespace and junk are ignored, as readers commonly do
		}
		if half {
			dst = append(dst, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	return dst, errEOF
}
