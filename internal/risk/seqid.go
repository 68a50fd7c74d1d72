package risk

import (
	"math/rand/v2"
	"time"
)

// crockford is Crockford's base32 alphabet: no I, L, O or U, so IDs read
// aloud over the phone survive.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewSequenceID returns a 26-character ID whose first 10 characters encode
// the millisecond of t and whose last 16 are random (80 bits), ULID-style:
// IDs sort by time, and two decisions in the same millisecond collide with
// negligible probability. It is the join key for feedback.
func NewSequenceID(t time.Time) string {
	var b [26]byte
	ms := uint64(t.UnixMilli())
	for i := 9; i >= 0; i-- {
		b[i] = crockford[ms&31]
		ms >>= 5
	}
	hi, lo := rand.Uint64(), rand.Uint64() // ChaCha8, seeded from the OS
	for i := 10; i < 26; i++ {
		b[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(b[:])
}
