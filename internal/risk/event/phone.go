package event

import (
	"hash/maphash"
	"strconv"
	"strings"
	"sync/atomic"

	"creditpocket/internal/identity"
)

// Key returns the E.164 digits of the phone (no "+") and whether the
// number is valid for its country. An invalid number still gets a key —
// calling code and national digits — so it can be listed and counted.
//
// Validation runs libphonenumber's rules, which cost more than evaluating
// the whole policy, and the same borrowers come back (retries, repeat
// loans), so results are kept in a small direct-mapped cache. The function
// is pure, so caching changes nothing but speed.
func (p *Phone) Key() (string, bool) {
	// Two-way set associative: a phone may sit in either slot of its pair,
	// so two hot phones hashing alike do not evict each other forever.
	i := phoneSlot(p)
	pair := [2]*atomic.Pointer[phoneEntry]{&phoneCache[i], &phoneCache[i^1]}
	for _, slot := range pair {
		if e := slot.Load(); e != nil && e.code == p.CountryCode && e.number == p.PhoneNumber {
			return e.key, e.valid
		}
	}
	slot := pair[0]
	if pair[0].Load() != nil && pair[1].Load() == nil {
		slot = pair[1]
	}
	e := &phoneEntry{code: p.CountryCode, number: p.PhoneNumber, valid: true}
	e164, err := identity.NormalizePhone(p.CountryCode, p.PhoneNumber)
	if err == nil {
		e.key = strings.TrimPrefix(identity.PhoneDigits(e164), "+")
	} else {
		e.key, e.valid = p.ContactKey(), false
	}
	slot.Store(e)
	return e.key, e.valid
}

// ContactKey keys a contact phone by calling code and national number
// without trunk zeros. It is deliberately not libphonenumber's E.164 form:
// contact phones are only compared with each other, never listed, and full
// validation of every contact would cost more than the whole policy.
func (p *Phone) ContactKey() string {
	return strconv.Itoa(p.CountryCode) + strings.TrimLeft(p.PhoneNumber, "0")
}

// A slot costs a pointer (8 bytes) plus its entry once filled (about 90
// bytes): 1 << 16 slots hold the phones of 64k recent borrowers in about
// 6 MiB.
const phoneCacheSlots = 1 << 16

// phoneCache slots hold immutable entries, so readers need no lock; a
// collision simply replaces the older entry.
var (
	phoneCache     [phoneCacheSlots]atomic.Pointer[phoneEntry]
	phoneCacheSeed = maphash.MakeSeed()
)

type phoneEntry struct {
	code   int
	number string
	key    string
	valid  bool
}

func phoneSlot(p *Phone) uint64 {
	var h maphash.Hash
	h.SetSeed(phoneCacheSeed)
	h.WriteString(p.PhoneNumber)
	return (h.Sum64() ^ uint64(p.CountryCode)*0x9e3779b97f4a7c15) % phoneCacheSlots
}
