// Package screening matches people's names against a sanctions or
// watch list (OFAC SDN, UN, EU, a lender's own list) during KYC.
//
// A list is loaded once from CSV (see LoadCSV) and is then immutable and
// safe for concurrent use. Screen compares a customer's name with every
// entry's name and aliases using Jaro-Winkler similarity over normalised
// names: case-folded, diacritics removed, punctuation dropped and tokens
// sorted, so "GAO Pan", "Pan Gao" and "Gāo, Pán" are the same name.
//
// Scores are similarity ratios in [0, 1], not money; float64 is right here.
// A threshold of 0.85–0.92 is typical: lower finds more spelling variants
// and more false positives, which a compliance officer then clears by hand.
package screening

import (
	"cmp"
	"slices"
)

// Entry is one listed party.
type Entry struct {
	ID      string   // the list's own identifier, unique within the list
	Name    string   // primary name as published
	Aliases []string // other names the party is known by
	Country string   // as published, often an ISO 3166 code; may be empty
	Program string   // the sanctions programme or reason for listing
}

// Hit is an entry whose name or alias is similar enough to the screened
// name.
type Hit struct {
	Entry   Entry
	Matched string  // the name or alias, as published, that scored best
	Score   float64 // Jaro-Winkler similarity of the normalised names
}

// List is a loaded watch list. It is never modified after LoadCSV returns,
// so any number of goroutines may call Screen at once.
type List struct {
	entries []Entry
	names   []preparedName // every name and alias of every entry
	filters []nameFilter   // filters[i] belongs to names[i]; kept apart so the prefilter scans little memory
}

// nameFilter is what the prefilter needs to know about a name.
type nameFilter struct {
	length int // in runes
	hist   runeHist
}

// preparedName is a name or alias normalised once at load time.
type preparedName struct {
	entry int    // index into List.entries
	orig  string // as published
	runes []rune // normalised
}

// runeHist counts runes by bucket (rune mod 32), one byte per bucket,
// eight buckets to a word. The number of characters two names can have in
// common is at most the sum over buckets of the smaller count, which
// bounds their Jaro similarity from above cheaply. Counts stop at 127 so
// that a byte's top bit stays free for the word-at-a-time minimum in
// commonBound; the bound stays valid as long as the query's own counts are
// exact (see Screen).
type runeHist [4]uint64

const histMax = 127

// histogram returns the bucket counts of rs and whether they are exact.
func histogram(rs []rune) (h runeHist, exact bool) {
	exact = true
	for _, r := range rs {
		bucket := uint(r) & 31
		word, shift := bucket>>3, (bucket&7)*8
		if (h[word]>>shift)&0xFF == histMax {
			exact = false
			continue
		}
		h[word] += 1 << shift
	}
	return h, exact
}

// commonBound returns the sum over buckets of the smaller count, eight
// buckets at a time (SWAR): with every byte at most 127, (a|0x80)−b leaves
// a byte's top bit set exactly where a ≥ b, and that selects the minimum.
func commonBound(a, b *runeHist) int {
	const (
		high = 0x8080808080808080
		even = 0x00FF00FF00FF00FF
	)
	var sum uint64
	for i := range a {
		x, y := a[i], b[i]
		ge := ((x | high) - y) & high >> 7 * 0xFF // 0xFF in bytes where x ≥ y
		m := y&ge | x&^ge
		// Add neighbouring bytes into 16-bit lanes (each ≤ 254), then
		// all four lanes into the top one.
		m = m&even + m>>8&even
		sum += m * 0x0001000100010001 >> 48
	}
	return int(sum)
}

// Len returns the number of entries in the list.
func (l *List) Len() int { return len(l.entries) }

// maxQueryRunes caps the normalised query. Comparing costs time in
// proportion to the query's length for every name on the list, and no
// real name comes near this.
const maxQueryRunes = 256

// Screen returns the entries whose name or any alias scores at least
// threshold against "firstName lastName", best first (ties by entry ID).
// Each entry appears at most once, with its best-scoring name. Either name
// part may be empty; if both normalise to nothing, there are no hits.
// Normalised queries longer than 256 characters are cut to that length.
func (l *List) Screen(firstName, lastName string, threshold float64) []Hit {
	query := []rune(normalize(firstName + " " + lastName))
	if len(query) == 0 {
		return nil
	}
	query = query[:min(len(query), maxQueryRunes)]
	qh, exact := histogram(query)

	best := make(map[int]int) // entry index → index into hits
	var hits []Hit
	for i := range l.names {
		if f := &l.filters[i]; exact && upperBound(len(query), f.length, commonBound(&qh, &f.hist)) < threshold {
			continue
		}
		n := &l.names[i]
		score := jaroWinkler(query, n.runes)
		if score < threshold {
			continue
		}
		if h, ok := best[n.entry]; ok {
			if score > hits[h].Score {
				hits[h].Score, hits[h].Matched = score, n.orig
			}
			continue
		}
		best[n.entry] = len(hits)
		e := l.entries[n.entry]
		e.Aliases = slices.Clone(e.Aliases) // the caller may change its copy; the list stays as loaded
		hits = append(hits, Hit{Entry: e, Matched: n.orig, Score: score})
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Entry.ID, b.Entry.ID)
	})
	return hits
}

// upperBound is the highest Jaro-Winkler score two strings of lengths la
// and lb with at most common shared characters could reach: every shared
// character matched, no transpositions, the longest prefix bonus.
func upperBound(la, lb, common int) float64 {
	m := float64(min(common, la, lb))
	if m == 0 {
		return 0
	}
	j := (m/float64(la) + m/float64(lb) + 1) / 3
	return j + winklerMaxPrefix*winklerPrefixScale*(1-j)
}
