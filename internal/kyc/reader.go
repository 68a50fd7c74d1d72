package kyc

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"creditpocket/internal/identity"
	"creditpocket/internal/kyc/jsonscan"
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
	sc    *jsonscan.Scanner
	limit int64
	buf   []byte // scratch for scalars
}

// NewReader reads from r, refusing bodies over maxBody bytes.
func NewReader(r io.Reader, maxBody int64) *Reader {
	return &Reader{sc: jsonscan.New(r, maxBody), limit: maxBody}
}

// Read reads the request. Documents are decoded as they are read; a
// document that fails to decode is not an error of Read but is recorded
// in its Document for Validate to report in the contract's field order.
func (r *Reader) Read() (*Request, error) {
	req, err := r.read()
	if err != nil {
		return nil, r.failure(err)
	}
	return req, nil
}

// failure turns the scanner's errors into the client's: malformed JSON
// names "body" and the byte offset, a duplicate key its path.
func (r *Reader) failure(err error) error {
	var syn *jsonscan.SyntaxError
	var dup *jsonscan.DuplicateKeyError
	var rd *jsonscan.ReadError
	switch {
	case errors.As(err, &syn):
		return fail(BadFormat, "body", "malformed JSON at byte %d: %s", syn.Offset, syn.What)
	case errors.As(err, &dup):
		return fail(BadFormat, dup.Path, "appears more than once")
	case errors.As(err, &rd) && rd.TooLarge:
		return fail(BodyTooLarge, "body", "must be at most %d bytes", r.limit)
	case errors.As(err, &rd) && rd.Truncated:
		return fail(BadFormat, "body", "is truncated JSON (ends at byte %d)", rd.Offset)
	case errors.As(err, &rd):
		return fail(BadFormat, "body", "could not be read at byte %d: %v", rd.Offset, rd.Err)
	}
	return err
}

func (r *Reader) read() (*Request, error) {
	req := &Request{}
	if r.sc.Empty() {
		return nil, fail(MissingParameter, "body", "is required: send a JSON object")
	}
	c, err := r.sc.NonSpace()
	if err != nil {
		return nil, err
	}
	if c != '{' {
		return nil, r.sc.Syntax("body must be a JSON object")
	}
	err = r.sc.Object("", func(key string) error {
		switch key {
		case "mc_trade_no":
			return r.scalar("mc_trade_no", textOnly, &req.TradeNo)
		case "base_info":
			return r.child("base_info", &req.HasBase, func(key string) error { return r.baseField(&req.Base, key) })
		case "kyc_info":
			return r.child("kyc_info", &req.HasInfo, func(key string) error { return r.infoField(&req.Info, key) })
		}
		return r.sc.Skip()
	})
	if err != nil {
		return nil, err
	}
	if err := r.sc.End(); err != nil {
		return nil, err
	}
	return req, nil
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
	return r.sc.Skip()
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
	return r.sc.Skip()
}

// child reads base_info or kyc_info: an object, or null for absent.
func (r *Reader) child(path string, has *bool, member func(key string) error) error {
	c, err := r.sc.NonSpace()
	if err != nil {
		return err
	}
	switch c {
	case 'n':
		return r.sc.Literal("ull")
	case '{':
		*has = true
		return r.sc.Object(path, member)
	}
	return fail(BadFormat, path, "must be a JSON object")
}

// scalar reads a scalar field into dst; null leaves it empty (absent).
func (r *Reader) scalar(path string, kind scalarKind, dst *string) error {
	c, err := r.sc.NonSpace()
	if err != nil {
		return err
	}
	switch {
	case c == 'n':
		return r.sc.Literal("ull")
	case c == '"':
		r.buf = r.buf[:0]
		n, err := r.sc.Str(func(b []byte) {
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
		num, err := r.sc.Number(c)
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
	c, err := r.sc.NonSpace()
	if err != nil {
		return err
	}
	if c == 'n' {
		return r.sc.Literal("ull")
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
	n, err := r.sc.Str(func(b []byte) {
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

// wholeNumber reports whether a valid JSON number is written as a whole
// number (no fraction, no exponent).
func wholeNumber(s string) bool {
	return !strings.ContainsAny(s, ".eE")
}
