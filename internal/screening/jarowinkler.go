package screening

import "math/bits"

// Winkler's constants: a common prefix of up to four characters raises the
// score by 0.1 per character of the remaining distance, but only for pairs
// whose Jaro similarity already exceeds 0.7 (Winkler 1990), so short
// unrelated names that share an initial are not pulled upwards.
const (
	winklerPrefixScale = 0.1
	winklerMaxPrefix   = 4
	winklerBoostAbove  = 0.7
)

// JaroWinkler returns the Jaro-Winkler similarity of a and b, from 0 (no
// characters in common) to 1 (identical), comparing Unicode code points
// exactly as given: it does not fold case or normalise. Two empty strings
// are identical (1); one empty string against a non-empty one scores 0.
func JaroWinkler(a, b string) float64 {
	return jaroWinkler([]rune(a), []rune(b))
}

func jaroWinkler(a, b []rune) float64 {
	j := jaro(a, b)
	if j <= winklerBoostAbove {
		return j
	}
	prefix := 0
	for prefix < winklerMaxPrefix && prefix < len(a) && prefix < len(b) && a[prefix] == b[prefix] {
		prefix++
	}
	return j + float64(prefix)*winklerPrefixScale*(1-j)
}

// jaro computes the Jaro similarity: characters match when equal and no
// further apart than half the longer length less one; t is half the number
// of matched characters that appear in a different order.
func jaro(a, b []rune) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) <= 64 && len(b) <= 64 {
		return jaroShort(a, b)
	}
	return jaroLong(a, b)
}

// jaroShort is jaro for strings of at most 64 runes, the case for every
// real name, keeping the matched flags in two machine words.
func jaroShort(a, b []rune) float64 {
	window := max(max(len(a), len(b))/2-1, 0)
	var matchedA, matchedB uint64
	matches := 0
	for i, r := range a {
		lo, hi := max(0, i-window), min(len(b), i+window+1)
		for k := lo; k < hi; k++ {
			if matchedB&(1<<k) == 0 && b[k] == r {
				matchedA |= 1 << i
				matchedB |= 1 << k
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	transpositions := 0
	for ma, mb := matchedA, matchedB; ma != 0; ma, mb = ma&(ma-1), mb&(mb-1) {
		// The lowest set bits pair the next matched character of each.
		if a[bits.TrailingZeros64(ma)] != b[bits.TrailingZeros64(mb)] {
			transpositions++
		}
	}
	return jaroScore(matches, transpositions, len(a), len(b))
}

// jaroLong is jaro for strings of any length.
func jaroLong(a, b []rune) float64 {
	window := max(max(len(a), len(b))/2-1, 0)
	matchedA, matchedB := make([]bool, len(a)), make([]bool, len(b))
	matches := 0
	for i, r := range a {
		lo, hi := max(0, i-window), min(len(b), i+window+1)
		for k := lo; k < hi; k++ {
			if !matchedB[k] && b[k] == r {
				matchedA[i], matchedB[k] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	transpositions := 0
	k := 0
	for i, r := range a {
		if !matchedA[i] {
			continue
		}
		for !matchedB[k] {
			k++
		}
		if r != b[k] {
			transpositions++
		}
		k++
	}
	return jaroScore(matches, transpositions, len(a), len(b))
}

func jaroScore(matches, transpositions, la, lb int) float64 {
	m := float64(matches)
	return (m/float64(la) + m/float64(lb) + (m-float64(transpositions/2))/m) / 3
}
