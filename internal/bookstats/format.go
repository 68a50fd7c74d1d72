package bookstats

import (
	"strconv"
	"strings"
	"time"

	"creditpocket/internal/ledger"
)

// MinorDigits is how many decimal digits the book's currency has: amounts
// print in major units (naira for NGN's kobo). Every product creditpocket
// sells is in one two-decimal currency.
const MinorDigits = 2

// FormatMoney prints m in major units with thousands separators:
// 123456789 → "1,234,567.89".
func FormatMoney(m ledger.Money) string { return formatFixed(int64(m), MinorDigits) }

// FormatCount prints n with thousands separators: 1234567 → "1,234,567".
func FormatCount(n int64) string { return formatFixed(n, 0) }

// formatFixed prints v/10^digits with thousands separators in the whole
// part, exactly (integer arithmetic only, right for math.MinInt64 too).
func formatFixed(v int64, digits int) string {
	neg := v < 0
	mag := uint64(v)
	if neg {
		mag = -mag
	}
	s := strconv.FormatUint(mag, 10)
	if len(s) <= digits {
		s = strings.Repeat("0", digits-len(s)+1) + s
	}
	whole, frac := s[:len(s)-digits], s[len(s)-digits:]
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := range len(whole) {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(whole[i])
	}
	if digits > 0 {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// formatPercent prints a basis-point rate with one decimal: 8750 → "87.5 %".
func formatPercent(bp int64) string {
	pm := (bp + 5) / 10 // permille, rounded half up
	return strconv.FormatInt(pm/10, 10) + "." + strconv.FormatInt(pm%10, 10) + " %"
}

// dayKey is a day's machine-readable label (data-label), dayShort its
// axis label and dayLong the one people read in a tooltip.
func dayKey(t time.Time) string   { return t.Format(time.DateOnly) }
func dayShort(t time.Time) string { return t.Format("2 Jan") }
func dayLong(t time.Time) string  { return t.Format("Mon 2 Jan 2006") }

// plural picks the word for n things.
func plural(n int64, one, many string) string {
	if n == 1 {
		return FormatCount(n) + " " + one
	}
	return FormatCount(n) + " " + many
}
