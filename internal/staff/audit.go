package staff

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Entry is one row of the audit log: who did what, when and from where.
// The log is append-only and hash-chained: Hash is the SHA-256 of the
// previous entry's Hash and this entry's content, so changing, removing or
// reordering a stored row breaks every hash after it.
type Entry struct {
	Seq       int64 // 1, 2, 3 … with no gaps
	At        time.Time
	Actor     string // staff e-mail, "cli", or the e-mail a failed sign-in named
	Action    string // e.g. "loan.approve", "kyc.document.view", "signin.failed"
	Target    string // what it was done to, e.g. "loan 42"
	Detail    string // reason, purpose, outcome
	IP        string
	UserAgent string
	PrevHash  string // hex; "" for the first entry
	Hash      string // hex
}

// content is the entry's hashed content in a canonical form: a JSON array
// has one encoding per value, so no two different entries hash the same.
func (e *Entry) content() []byte {
	b, _ := json.Marshal([]any{e.Seq, e.At.UnixMilli(), e.Actor, e.Action, e.Target, e.Detail, e.IP, e.UserAgent})
	return b
}

// ChainHash is the hash an entry must carry after prev.
func ChainHash(prev string, e *Entry) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte{'\n'})
	h.Write(e.content())
	return hex.EncodeToString(h.Sum(nil))
}

// Seal sets e's chain fields to follow prev (the hash of entry prevSeq).
func (e *Entry) Seal(prevSeq int64, prev string) {
	e.Seq, e.PrevHash = prevSeq+1, prev
	e.At = e.At.Truncate(time.Millisecond) // what the store keeps
	e.Hash = ChainHash(prev, e)
}

// Verifier checks a chain fed to it in Seq order.
type Verifier struct {
	Checked int64
	last    int64
	prev    string
	Broken  error // the first break found; nil while the chain holds
}

// Add checks the next entry.
func (v *Verifier) Add(e *Entry) {
	if v.Broken != nil {
		return
	}
	switch {
	case e.Seq != v.last+1:
		v.Broken = fmt.Errorf("audit entry %d follows %d: entries are missing", e.Seq, v.last)
	case e.PrevHash != v.prev:
		v.Broken = fmt.Errorf("audit entry %d: previous hash does not match entry %d", e.Seq, v.last)
	case ChainHash(e.PrevHash, e) != e.Hash:
		v.Broken = fmt.Errorf("audit entry %d: content does not match its hash (changed after it was written)", e.Seq)
	}
	if v.Broken == nil {
		v.Checked++
		v.last, v.prev = e.Seq, e.Hash
	}
}
