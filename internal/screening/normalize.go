package screening

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// latinLetters are letters that carry no combining mark to strip but are
// written as plain Latin letters in passports and bank records.
var latinLetters = strings.NewReplacer(
	"ø", "o", "đ", "d", "ł", "l", "ħ", "h", "ı", "i",
	"æ", "ae", "œ", "oe", "þ", "th", "ð", "d",
)

// normalize turns a name into the form that is compared: case-folded,
// diacritics removed, punctuation dropped, tokens sorted and joined by one
// space, so "GAO, Pan" and "Pan Gao" both become "gao pan". Apostrophes and
// periods join their neighbours ("O'Neil" → "oneil", "A.B." → "ab"); other
// punctuation and symbols separate tokens ("Jean-Luc" → "jean luc").
func normalize(name string) string {
	// Transformers keep state between calls, so each call builds its own:
	// a List is shared by goroutines. Decomposing and dropping the
	// combining marks turns "Ñúñez" into "Nunez"; full case folding turns
	// "ß" into "ss".
	stripMarks := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	s, _, err := transform.String(stripMarks, name)
	if err != nil {
		s = name // cannot happen for these transformers; keep the input
	}
	s = latinLetters.Replace(cases.Fold().String(s))
	tokens := strings.FieldsFunc(strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return r
		case r == '\'' || r == '’' || r == '.' || r == '`' || r == 'ʼ':
			return -1
		default:
			return ' '
		}
	}, s), func(r rune) bool { return r == ' ' })
	slices.Sort(tokens)
	return strings.Join(tokens, " ")
}
