// Package jsonscan reads JSON in a single pass from a body capped at a
// size, for request readers that must not copy megabytes of base64 text:
// a string's content is handed to the caller in pieces straight from the
// read buffer, and every error carries the byte offset it was found at.
// It tokenizes; what the keys mean is the caller's (kyc's Reader).
package jsonscan

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// Caps on hostile input.
const (
	maxKey    = 256 // object keys
	maxNumber = 64  // bytes of a JSON number literal
	maxDepth  = 32  // nesting of values Skip skips
)

// Scanner reads JSON tokens from a body of at most a given size.
type Scanner struct {
	br    *bufio.Reader
	lr    *io.LimitedReader
	off   int64
	buf   []byte // scratch for keys
	depth int
}

// New scans r, treating more than max bytes as an error (ReadError.TooLarge).
func New(r io.Reader, max int64) *Scanner {
	lr := &io.LimitedReader{R: r, N: max + 1}
	return &Scanner{br: bufio.NewReaderSize(lr, 64<<10), lr: lr}
}

// Empty reports whether the body holds no byte at all.
func (r *Scanner) Empty() bool {
	_, err := r.br.Peek(1)
	return errors.Is(err, io.EOF)
}

// SyntaxError is malformed JSON at byte Offset.
type SyntaxError struct {
	Offset int64
	What   string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("malformed JSON at byte %d: %s", e.Offset, e.What)
}

// DuplicateKeyError is a key given twice in one object; Path is the key's
// dotted path from the top object.
type DuplicateKeyError struct{ Path string }

func (e *DuplicateKeyError) Error() string { return e.Path + " appears more than once" }

// ReadError is a body that ended inside a value: over its cap (TooLarge),
// cut short (Truncated, Err is io.EOF), or unreadable (Err).
type ReadError struct {
	Offset    int64
	TooLarge  bool
	Truncated bool
	Err       error
}

func (e *ReadError) Error() string {
	return fmt.Sprintf("JSON body ends at byte %d: %v", e.Offset, e.Err)
}

func (e *ReadError) Unwrap() error { return e.Err }

// Object reads the members of an object whose '{' was just read, calling
// member with each key positioned before its value; member must consume
// the value.
func (r *Scanner) Object(path string, member func(key string) error) error {
	var seen []string
	c, err := r.NonSpace()
	if err != nil {
		return err
	}
	if c == '}' {
		return nil
	}
	for {
		if c != '"' {
			return r.Syntax("expected a quoted object key")
		}
		key, err := r.key()
		if err != nil {
			return err
		}
		for _, k := range seen {
			if k == key {
				return &DuplicateKeyError{Path: joinPath(path, key)}
			}
		}
		seen = append(seen, key)
		if c, err = r.NonSpace(); err != nil {
			return err
		}
		if c != ':' {
			return r.Syntax("expected ':' after an object key")
		}
		if err := member(key); err != nil {
			return err
		}
		if c, err = r.NonSpace(); err != nil {
			return err
		}
		switch c {
		case '}':
			return nil
		case ',':
		default:
			return r.Syntax("expected ',' or '}' after an object member")
		}
		if c, err = r.NonSpace(); err != nil {
			return err
		}
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// End checks that only white space follows the object.
func (r *Scanner) End() error {
	for {
		c, err := r.br.ReadByte()
		switch {
		case errors.Is(err, io.EOF) && r.lr.N > 0:
			return nil
		case err != nil:
			return r.eof(err)
		case c != ' ' && c != '\t' && c != '\n' && c != '\r':
			return r.Syntax("body must hold a single JSON object")
		}
		r.off++
	}
}

// Skip consumes a value the request does not use.
func (r *Scanner) Skip() error {
	c, err := r.NonSpace()
	if err != nil {
		return err
	}
	return r.skipValue(c)
}

func (r *Scanner) skipValue(c byte) error {
	switch {
	case c == '"':
		_, err := r.Str(func([]byte) {})
		return err
	case c == 't':
		return r.Literal("rue")
	case c == 'f':
		return r.Literal("alse")
	case c == 'n':
		return r.Literal("ull")
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := r.Number(c)
		return err
	case c == '{' || c == '[':
		if r.depth++; r.depth > maxDepth {
			return r.Syntax("nested too deeply")
		}
		defer func() { r.depth-- }()
		if c == '{' {
			return r.Object("", func(string) error { return r.Skip() })
		}
		return r.array()
	}
	return r.Syntax("expected a JSON value")
}

// array skips the elements of an array whose '[' was just read.
func (r *Scanner) array() error {
	c, err := r.NonSpace()
	if err != nil {
		return err
	}
	if c == ']' {
		return nil
	}
	for {
		if err := r.skipValue(c); err != nil {
			return err
		}
		if c, err = r.NonSpace(); err != nil {
			return err
		}
		switch c {
		case ']':
			return nil
		case ',':
		default:
			return r.Syntax("expected ',' or ']' in an array")
		}
		if c, err = r.NonSpace(); err != nil {
			return err
		}
	}
}

// key reads an object key whose opening quote was just read.
func (r *Scanner) key() (string, error) {
	r.buf = r.buf[:0]
	n, err := r.Str(func(b []byte) {
		if len(r.buf)+len(b) <= maxKey {
			r.buf = append(r.buf, b...)
		}
	})
	if err != nil {
		return "", err
	}
	if n > maxKey {
		return "", r.Syntax("object key longer than 256 bytes")
	}
	return string(r.buf), nil
}

// Str reads the rest of a string whose opening quote was just read,
// passing its unescaped content to sink in pieces, and returns the
// content's length in bytes. Runs without escapes, nearly all of a
// document, are passed straight from the read buffer.
func (r *Scanner) Str(sink func([]byte)) (int, error) {
	n := 0
	for {
		if _, err := r.br.Peek(1); err != nil {
			return n, r.eof(err)
		}
		buf, _ := r.br.Peek(r.br.Buffered())
		end := bytes.IndexByte(buf, '"')
		if end < 0 {
			end = len(buf)
		}
		if bs := bytes.IndexByte(buf[:end], '\\'); bs >= 0 {
			end = bs
		}
		if hasControl(buf[:end]) {
			return n, r.Syntax("raw control character in a string (escape it)")
		}
		if end > 0 {
			sink(buf[:end])
			n += end
			r.discard(end)
		}
		if end == len(buf) {
			continue
		}
		if buf[end] == '"' {
			r.discard(1)
			return n, nil
		}
		r.discard(1) // the backslash
		var tmp [utf8.UTFMax]byte
		b, err := r.escape(tmp[:0])
		if err != nil {
			return n, err
		}
		sink(b)
		n += len(b)
	}
}

// hasControl reports whether b holds a byte below 0x20, which JSON
// forbids raw in strings. It tests eight bytes at a time, as a document's
// text passes through it: a byte x is below 0x20 exactly when x−0x20
// borrows into its top bit while x's own top bit is clear.
func hasControl(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if (x-ones*0x20)&^x&highs != 0 {
			return true
		}
	}
	for ; i < len(b); i++ {
		if b[i] < 0x20 {
			return true
		}
	}
	return false
}

// escape decodes the escape sequence after a backslash into dst.
func (r *Scanner) escape(dst []byte) ([]byte, error) {
	c, err := r.next()
	if err != nil {
		return nil, err
	}
	switch c {
	case '"', '\\', '/':
		return append(dst, c), nil
	case 'b':
		return append(dst, '\b'), nil
	case 'f':
		return append(dst, '\f'), nil
	case 'n':
		return append(dst, '\n'), nil
	case 'r':
		return append(dst, '\r'), nil
	case 't':
		return append(dst, '\t'), nil
	case 'u':
		r1, err := r.hex4()
		if err != nil {
			return nil, err
		}
		if utf16.IsSurrogate(r1) {
			// A high surrogate must be followed by \u and its low half.
			if p, err := r.br.Peek(2); err == nil && p[0] == '\\' && p[1] == 'u' {
				r.discard(2)
				r2, err := r.hex4()
				if err != nil {
					return nil, err
				}
				r1 = utf16.DecodeRune(r1, r2)
			} else {
				r1 = utf8.RuneError
			}
		}
		return utf8.AppendRune(dst, r1), nil
	}
	return nil, r.Syntax("invalid escape sequence in a string")
}

func (r *Scanner) hex4() (rune, error) {
	var v rune
	for range 4 {
		c, err := r.next()
		if err != nil {
			return 0, err
		}
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | rune(c-'A'+10)
		default:
			return 0, r.Syntax("invalid \\u escape in a string")
		}
	}
	return v, nil
}

// Number reads a JSON number starting with c and returns its text.
func (r *Scanner) Number(c byte) (string, error) {
	var b [maxNumber]byte
	n := 0
	b[n] = c
	n++
	for {
		p, err := r.br.Peek(1)
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return "", err
		}
		d := p[0]
		if !(d >= '0' && d <= '9' || d == '.' || d == 'e' || d == 'E' || d == '+' || d == '-') {
			break
		}
		if n == maxNumber {
			return "", r.Syntax("number longer than 64 characters")
		}
		b[n] = d
		n++
		r.discard(1)
	}
	if !validNumber(b[:n]) {
		return "", r.Syntax("malformed number")
	}
	return string(b[:n]), nil
}

// validNumber checks the JSON number grammar.
func validNumber(s []byte) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

func (r *Scanner) Literal(rest string) error {
	for i := 0; i < len(rest); i++ {
		c, err := r.next()
		if err != nil {
			return err
		}
		if c != rest[i] {
			return r.Syntax("invalid literal (expected true, false or null)")
		}
	}
	return nil
}

func (r *Scanner) NonSpace() (byte, error) {
	for {
		c, err := r.br.ReadByte()
		if err != nil {
			return 0, r.eof(err)
		}
		r.off++
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c, nil
		}
	}
}

func (r *Scanner) next() (byte, error) {
	c, err := r.br.ReadByte()
	if err != nil {
		return 0, r.eof(err)
	}
	r.off++
	return c, nil
}

func (r *Scanner) discard(n int) {
	d, _ := r.br.Discard(n)
	r.off += int64(d)
}

// eof turns a read failure inside a value into a *ReadError: the body was
// over its cap, was cut short, or could not be read.
func (r *Scanner) eof(err error) error {
	return &ReadError{Offset: r.off, TooLarge: r.lr.N <= 0, Truncated: errors.Is(err, io.EOF), Err: err}
}

// Syntax returns a *SyntaxError at the current offset.
func (r *Scanner) Syntax(what string) error { return &SyntaxError{Offset: r.off, What: what} }
