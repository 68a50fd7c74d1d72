package kyc

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"creditpocket/internal/identity"
)

// Caps on hostile input.
const (
	// MaxBody caps the request body: three 2 MiB documents, a 1 MiB
	// signature and a 2 MiB proof of address, plus room for the rest.
	MaxBody = 10 << 20
	// MaxImageText is the contract's "less than 2MB", on the base64 text.
	MaxImageText = 2 << 20
	// MaxSignText is the contract's "less than 1 MB" for sign_img.
	MaxSignText = 1 << 20
	// maxScalar bounds a scalar string while reading; no field allows
	// more than 256 characters (1024 bytes of UTF-8), so anything longer is
	// refused as too long without being kept.
	maxScalar = 4 << 10
	maxKey    = 256 // object keys
	maxNumber = 64  // bytes of a JSON number literal
	maxDepth  = 32  // nesting of values the reader skips
)

// ErrDocTooLarge is a document's error when its base64 text is over the
// field's limit; the text is not kept, let alone decoded.
var ErrDocTooLarge = errors.New("base64 text is over the size limit")

// docSpec is what a document field accepts.
type docSpec struct {
	limit int // base64 characters, exclusive
	kinds []identity.Kind
}

var (
	photoSpec = docSpec{MaxImageText, []identity.Kind{identity.JPEG, identity.PNG}}
	signSpec  = docSpec{MaxSignText, []identity.Kind{identity.JPEG, identity.PNG}}
	poaSpec   = docSpec{MaxImageText, []identity.Kind{identity.JPEG, identity.PNG, identity.PDF}}
)

// scalarKind is which JSON types a scalar field takes.
type scalarKind uint8

const (
	textOnly     scalarKind = iota // a JSON string
	textOrNumber                   // a string, or a whole number kept as its digits (doc_no)
	integer                        // a whole number, or a string holding one (doc_type)
)

// Reader reads one KYC request from a JSON body in a single pass. It is
// built for this body rather than generic: encoding/json scans every
// byte of the megabytes of base64 twice through its state machine and
// copies each string, where Reader finds the end of a document's text
// with bytes.IndexByte and hands it straight to the base64 decoder, so a
// request is read in a fraction of the time and memory.
//
// Errors are *Error values naming the field, or "body" with the byte
// offset for malformed JSON. Unknown keys are skipped (partners add their
// own, such as signatures); a key given twice in one object is refused.
type Reader struct {
	br    *bufio.Reader
	lr    *io.LimitedReader
	limit int64
	off   int64
	buf   []byte // scratch for scalars
	depth int
}

// NewReader reads from r, refusing bodies over maxBody bytes.
func NewReader(r io.Reader, maxBody int64) *Reader {
	lr := &io.LimitedReader{R: r, N: maxBody + 1}
	return &Reader{br: bufio.NewReaderSize(lr, 64<<10), lr: lr, limit: maxBody}
}

// Read reads the request. Documents are decoded as they are read; a
// document that fails to decode is not an error of Read but is recorded
// in its Document for Validate to report in the contract's field order.
func (r *Reader) Read() (*Request, error) {
	req := &Request{}
	if _, err := r.br.Peek(1); errors.Is(err, io.EOF) {
		return nil, fail(MissingParameter, "body", "is required: send a JSON object")
	}
	c, err := r.nonSpace()
	if err != nil {
		return nil, err
	}
	if c != '{' {
		return nil, r.syntax("body must be a JSON object")
	}
	err = r.object("", func(key string) error {
		switch key {
		case "mc_trade_no":
			return r.scalar("mc_trade_no", textOnly, &req.TradeNo)
		case "base_info":
			return r.child("base_info", &req.HasBase, func(key string) error { return r.baseField(&req.Base, key) })
		case "kyc_info":
			return r.child("kyc_info", &req.HasInfo, func(key string) error { return r.infoField(&req.Info, key) })
		}
		return r.skip()
	})
	if err != nil {
		return nil, err
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return req, nil
}

// end checks that only white space follows the object.
func (r *Reader) end() error {
	for {
		c, err := r.br.ReadByte()
		switch {
		case errors.Is(err, io.EOF) && r.lr.N > 0:
			return nil
		case err != nil:
			return r.eof(err)
		case c != ' ' && c != '\t' && c != '\n' && c != '\r':
			return r.syntax("body must hold a single JSON object")
		}
		r.off++
	}
}

func (r *Reader) baseField(b *BaseInfo, key string) error {
	p := "base_info." + key
	switch key {
	case "email":
		return r.scalar(p, textOnly, &b.Email)
	case "first_name":
		return r.scalar(p, textOnly, &b.FirstName)
	case "last_name":
		return r.scalar(p, textOnly, &b.LastName)
	case "mobile":
		return r.scalar(p, textOrNumber, &b.Mobile)
	case "mobile_code":
		return r.scalar(p, textOrNumber, &b.MobileCode)
	case "user_ip":
		return r.scalar(p, textOnly, &b.UserIP)
	}
	return r.skip()
}

func (r *Reader) infoField(in *Info, key string) error {
	p := "kyc_info." + key
	switch key {
	case "address":
		return r.scalar(p, textOnly, &in.Address)
	case "birthday":
		return r.scalar(p, textOnly, &in.Birthday)
	case "city":
		return r.scalar(p, textOnly, &in.City)
	case "country_id":
		return r.scalar(p, textOnly, &in.CountryID)
	case "doc_no":
		return r.scalar(p, textOrNumber, &in.DocNo)
	case "doc_type":
		return r.scalar(p, integer, &in.DocType)
	case "emergency_contact":
		return r.scalar(p, textOnly, &in.EmergencyContact)
	case "gender":
		return r.scalar(p, integer, &in.Gender)
	case "nationality_id":
		return r.scalar(p, textOnly, &in.NationalityID)
	case "state":
		return r.scalar(p, textOnly, &in.State)
	case "zip_code":
		return r.scalar(p, textOrNumber, &in.ZipCode)
	case "poa_type":
		return r.scalar(p, integer, &in.PoaType)
	case "front_doc":
		return r.document(p, photoSpec, &in.FrontDoc)
	case "back_doc":
		return r.document(p, photoSpec, &in.BackDoc)
	case "mix_doc":
		return r.document(p, photoSpec, &in.MixDoc)
	case "sign_img":
		return r.document(p, signSpec, &in.SignImg)
	case "poa_doc":
		return r.document(p, poaSpec, &in.PoaDoc)
	}
	return r.skip()
}

// object reads the members of an object whose '{' was just read, calling
// member with each key positioned before its value; member must consume
// the value.
func (r *Reader) object(path string, member func(key string) error) error {
	var seen []string
	c, err := r.nonSpace()
	if err != nil {
		return err
	}
	if c == '}' {
		return nil
	}
	for {
		if c != '"' {
			return r.syntax("expected a quoted object key")
		}
		key, err := r.key()
		if err != nil {
			return err
		}
		for _, k := range seen {
			if k == key {
				return fail(BadFormat, joinPath(path, key), "appears more than once")
			}
		}
		seen = append(seen, key)
		if c, err = r.nonSpace(); err != nil {
			return err
		}
		if c != ':' {
			return r.syntax("expected ':' after an object key")
		}
		if err := member(key); err != nil {
			return err
		}
		if c, err = r.nonSpace(); err != nil {
			return err
		}
		switch c {
		case '}':
			return nil
		case ',':
		default:
			return r.syntax("expected ',' or '}' after an object member")
		}
		if c, err = r.nonSpace(); err != nil {
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

// child reads base_info or kyc_info: an object, or null for absent.
func (r *Reader) child(path string, has *bool, member func(key string) error) error {
	c, err := r.nonSpace()
	if err != nil {
		return err
	}
	switch c {
	case 'n':
		return r.literal("ull")
	case '{':
		*has = true
		return r.object(path, member)
	}
	return fail(BadFormat, path, "must be a JSON object")
}

// scalar reads a scalar field into dst; null leaves it empty (absent).
func (r *Reader) scalar(path string, kind scalarKind, dst *string) error {
	c, err := r.nonSpace()
	if err != nil {
		return err
	}
	switch {
	case c == 'n':
		return r.literal("ull")
	case c == '"':
		r.buf = r.buf[:0]
		n, err := r.str(func(b []byte) {
			if len(r.buf)+len(b) <= maxScalar {
				r.buf = append(r.buf, b...)
			}
		})
		if err != nil {
			return err
		}
		if n > maxScalar {
			return fail(TooLong, path, "must be at most %d characters", maxLen(path))
		}
		if !utf8.Valid(r.buf) {
			return fail(BadFormat, path, "must be UTF-8 text")
		}
		if bytes.ContainsFunc(r.buf, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return fail(BadFormat, path, "must not contain control characters")
		}
		*dst = string(r.buf)
		return nil
	case c == '-' || (c >= '0' && c <= '9'):
		num, err := r.number(c)
		if err != nil {
			return err
		}
		if kind == textOnly {
			return fail(BadFormat, path, "must be a string")
		}
		if !wholeNumber(num) {
			return fail(BadFormat, path, "must be a whole number")
		}
		*dst = num
		return nil
	}
	// An object, array or boolean: name the type the field wants.
	switch kind {
	case textOrNumber:
		return fail(BadFormat, path, "must be a string or a whole number")
	case integer:
		return fail(BadFormat, path, "must be a whole number")
	}
	return fail(BadFormat, path, "must be a string")
}

// document reads a document field's base64 text and decodes it at once,
// keeping only the decoded bytes. Text over the limit is counted but not
// kept.
func (r *Reader) document(path string, spec docSpec, d *Document) error {
	c, err := r.nonSpace()
	if err != nil {
		return err
	}
	if c == 'n' {
		return r.literal("ull")
	}
	if c != '"' {
		return fail(BadFormat, path, "must be a string of base64 text")
	}
	// The text is gathered in a pooled buffer, then copied once into a
	// string of its exact size for the decoder: 1.5 MB of base64 costs one
	// 1.5 MB string and the decoded bytes, whatever the chunking.
	bp := docBufs.Get().(*[]byte)
	defer docBufs.Put(bp)
	text := (*bp)[:0]
	seen := 0
	n, err := r.str(func(b []byte) {
		if seen += len(b); seen < spec.limit {
			text = append(text, b...)
		} else {
			text = text[:0] // over the limit: stop keeping text
		}
	})
	*bp = text[:0]
	if err != nil {
		return err
	}
	*d = Document{Encoded: n}
	switch {
	case n == 0:
	case n >= spec.limit:
		d.Err = ErrDocTooLarge
	default:
		d.Data, d.Kind, d.Err = identity.DecodeBase64File(string(text), spec.limit-1, spec.kinds...)
	}
	return nil
}

// docBufs recycles the buffers documents' text is gathered in; each grows
// to at most MaxImageText.
var docBufs = sync.Pool{New: func() any { b := make([]byte, 0, 256<<10); return &b }}

// skip consumes a value the request does not use.
func (r *Reader) skip() error {
	c, err := r.nonSpace()
	if err != nil {
		return err
	}
	return r.skipValue(c)
}

func (r *Reader) skipValue(c byte) error {
	switch {
	case c == '"':
		_, err := r.str(func([]byte) {})
		return err
	case c == 't':
		return r.literal("rue")
	case c == 'f':
		return r.literal("alse")
	case c == 'n':
		return r.literal("ull")
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := r.number(c)
		return err
	case c == '{' || c == '[':
		if r.depth++; r.depth > maxDepth {
			return r.syntax("nested too deeply")
		}
		defer func() { r.depth-- }()
		if c == '{' {
			return r.object("", func(string) error { return r.skip() })
		}
		return r.array()
	}
	return r.syntax("expected a JSON value")
}

// array skips the elements of an array whose '[' was just read.
func (r *Reader) array() error {
	c, err := r.nonSpace()
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
		if c, err = r.nonSpace(); err != nil {
			return err
		}
		switch c {
		case ']':
			return nil
		case ',':
		default:
			return r.syntax("expected ',' or ']' in an array")
		}
		if c, err = r.nonSpace(); err != nil {
			return err
		}
	}
}

// key reads an object key whose opening quote was just read.
func (r *Reader) key() (string, error) {
	r.buf = r.buf[:0]
	n, err := r.str(func(b []byte) {
		if len(r.buf)+len(b) <= maxKey {
			r.buf = append(r.buf, b...)
		}
	})
	if err != nil {
		return "", err
	}
	if n > maxKey {
		return "", r.syntax("object key longer than 256 bytes")
	}
	return string(r.buf), nil
}

// str reads the rest of a string whose opening quote was just read,
// passing its unescaped content to sink in pieces, and returns the
// content's length in bytes. Runs without escapes, nearly all of a
// document, are passed straight from the read buffer.
func (r *Reader) str(sink func([]byte)) (int, error) {
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
			return n, r.syntax("raw control character in a string (escape it)")
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
func (r *Reader) escape(dst []byte) ([]byte, error) {
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
	return nil, r.syntax("invalid escape sequence in a string")
}

func (r *Reader) hex4() (rune, error) {
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
			return 0, r.syntax("invalid \\u escape in a string")
		}
	}
	return v, nil
}

// number reads a JSON number starting with c and returns its text.
func (r *Reader) number(c byte) (string, error) {
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
			return "", r.syntax("number longer than 64 characters")
		}
		b[n] = d
		n++
		r.discard(1)
	}
	if !validNumber(b[:n]) {
		return "", r.syntax("malformed number")
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

// wholeNumber reports whether a valid JSON number is written as a whole
// number (no fraction, no exponent).
func wholeNumber(s string) bool {
	return !strings.ContainsAny(s, ".eE")
}

func (r *Reader) literal(rest string) error {
	for i := 0; i < len(rest); i++ {
		c, err := r.next()
		if err != nil {
			return err
		}
		if c != rest[i] {
			return r.syntax("invalid literal (expected true, false or null)")
		}
	}
	return nil
}

func (r *Reader) nonSpace() (byte, error) {
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

func (r *Reader) next() (byte, error) {
	c, err := r.br.ReadByte()
	if err != nil {
		return 0, r.eof(err)
	}
	r.off++
	return c, nil
}

func (r *Reader) discard(n int) {
	d, _ := r.br.Discard(n)
	r.off += int64(d)
}

// eof turns a read failure inside a value into the client's error: the
// body was over its cap, was cut short, or could not be read.
func (r *Reader) eof(err error) error {
	switch {
	case r.lr.N <= 0:
		return fail(BodyTooLarge, "body", "must be at most %d bytes", r.limit)
	case errors.Is(err, io.EOF):
		return fail(BadFormat, "body", "is truncated JSON (ends at byte %d)", r.off)
	}
	return fail(BadFormat, "body", "could not be read at byte %d: %v", r.off, err)
}

func (r *Reader) syntax(what string) error {
	return fail(BadFormat, "body", "malformed JSON at byte %d: %s", r.off, what)
}
