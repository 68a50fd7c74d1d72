package kyc

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"

	"creditpocket/internal/identity"
)

// Request is the body of POST /openapi/card/binding/kyc as read by Reader.
// Scalars keep the text received (numbers sent where the contract allows
// them keep their literal digits); Validate gives them meaning.
type Request struct {
	TradeNo string // mc_trade_no

	HasBase bool // base_info was an object
	Base    BaseInfo
	HasInfo bool // kyc_info was an object
	Info    Info
}

// BaseInfo is the request's base_info object.
type BaseInfo struct {
	Email      string
	FirstName  string
	LastName   string
	Mobile     string
	MobileCode string
	UserIP     string
}

// Info is the request's kyc_info object.
type Info struct {
	Address          string
	Birthday         string
	City             string
	CountryID        string
	DocNo            string
	DocType          string
	EmergencyContact string
	Gender           string
	NationalityID    string
	State            string
	ZipCode          string
	PoaType          string

	FrontDoc Document
	BackDoc  Document
	MixDoc   Document
	SignImg  Document
	PoaDoc   Document
}

// Document is a document photo (or PDF) as received: Reader decodes the
// base64 text while reading and keeps only the decoded bytes, or the
// reason they could not be decoded for Validate to report.
type Document struct {
	Encoded int // length of the base64 text; 0 when absent or empty
	Data    []byte
	Kind    identity.Kind
	Err     error // from identity.DecodeBase64File, or ErrDocTooLarge
}

// Present reports whether the document was sent (a non-empty string).
func (d *Document) Present() bool { return d.Encoded > 0 }

// documents lists the request's documents with their JSON names, in the
// order the contract lists them.
func (in *Info) documents() []namedDoc {
	return []namedDoc{
		{"back_doc", &in.BackDoc}, {"front_doc", &in.FrontDoc}, {"mix_doc", &in.MixDoc},
		{"sign_img", &in.SignImg}, {"poa_doc", &in.PoaDoc},
	}
}

type namedDoc struct {
	name string
	doc  *Document
}

// Digest is a SHA-256 over the request's meaning: every field in a fixed
// order and the decoded document bytes, so a retry that re-encodes the
// same photos, reorders keys or sends doc_no as a number instead of a
// string is the same request. It is the idempotency fingerprint; stores
// keep only a keyed hash of it.
func (r *Request) Digest() [32]byte {
	h := sha256.New()
	put := func(s string) { writeLen(h, len(s)); h.Write([]byte(s)) }
	put(r.TradeNo)
	b := &r.Base
	for _, s := range []string{b.Email, b.FirstName, b.LastName, b.Mobile, b.MobileCode, b.UserIP} {
		put(s)
	}
	in := &r.Info
	for _, s := range []string{in.Address, in.Birthday, in.City, in.CountryID, in.DocNo, in.DocType,
		in.EmergencyContact, in.Gender, in.NationalityID, in.State, in.ZipCode, in.PoaType} {
		put(s)
	}
	for _, d := range in.documents() {
		switch {
		case d.doc.Err != nil: // refused anyway; the text's length tells retries apart enough
			writeLen(h, -1)
			writeLen(h, d.doc.Encoded)
		default:
			writeLen(h, len(d.doc.Data))
			h.Write(d.doc.Data)
		}
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func writeLen(h hash.Hash, n int) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(int64(n)))
	h.Write(b[:])
}
