package ledger

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
)

// Money is an amount in integer minor units of a currency (kobo for NGN).
// It prints and parses as the app does: a bare integer string such as
// "850000".
type Money int64

// ErrOverflow reports arithmetic whose exact result does not fit in Money.
var ErrOverflow = errors.New("ledger: money overflow")

// maxMoneyDigits bounds ParseMoney's input: int64 has at most 19 digits, so
// anything longer is rejected before any work is done on it.
const maxMoneyDigits = 19

// String prints m as a plain integer count of minor units.
func (m Money) String() string { return strconv.FormatInt(int64(m), 10) }

// MarshalText encodes m as its String form, so JSON carries it as "850000".
func (m Money) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText is the inverse of MarshalText and is as strict as ParseMoney.
func (m *Money) UnmarshalText(b []byte) error {
	v, err := ParseMoney(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ParseError locates what is wrong in a money string.
type ParseError struct {
	Input  string // the offending input, truncated when long
	Offset int    // byte offset of the first bad byte
	Reason string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("ledger: parse money %q: at byte %d: %s", e.Input, e.Offset, e.Reason)
}

// ParseMoney parses the canonical form printed by Money.String: an optional
// '-' followed by decimal digits, with no sign on zero, no leading zeros, no
// spaces, no decimal point and no grouping. Canonical-only parsing means a
// parsed value always prints back to the same bytes.
func ParseMoney(s string) (Money, error) {
	fail := func(off int, reason string) (Money, error) {
		in := s
		if len(in) > 32 {
			in = in[:32] + "…"
		}
		return 0, &ParseError{Input: in, Offset: off, Reason: reason}
	}
	if s == "" {
		return fail(0, "empty")
	}
	digits, start := s, 0
	if s[0] == '-' {
		digits, start = s[1:], 1
		if digits == "" {
			return fail(1, "sign without digits")
		}
	}
	if len(digits) > maxMoneyDigits {
		return fail(start+maxMoneyDigits, "too many digits for a 64-bit amount")
	}
	for i := 0; i < len(digits); i++ {
		if c := digits[i]; c < '0' || c > '9' {
			return fail(start+i, fmt.Sprintf("unexpected %q, want a decimal digit", c))
		}
	}
	if len(digits) > 1 && digits[0] == '0' {
		return fail(start, "leading zero")
	}
	if start == 1 && digits == "0" {
		return fail(0, "negative zero")
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fail(0, "out of the 64-bit range")
	}
	return Money(v), nil
}

// Add returns m+o or ErrOverflow.
func (m Money) Add(o Money) (Money, error) {
	s := m + o
	if (o > 0 && s < m) || (o < 0 && s > m) {
		return 0, fmt.Errorf("%w: %d + %d", ErrOverflow, m, o)
	}
	return s, nil
}

// Sub returns m-o or ErrOverflow.
func (m Money) Sub(o Money) (Money, error) {
	s := m - o
	if (o > 0 && s > m) || (o < 0 && s < m) {
		return 0, fmt.Errorf("%w: %d - %d", ErrOverflow, m, o)
	}
	return s, nil
}

// Sum adds amounts with overflow checking.
func Sum(amounts ...Money) (Money, error) {
	var total Money
	for _, a := range amounts {
		var err error
		if total, err = total.Add(a); err != nil {
			return 0, err
		}
	}
	return total, nil
}

// MulDiv returns m×num/den rounded half-up on the magnitude (half away from
// zero) — the single rounding rule of creditpocket. The product is formed in
// 128 bits, so m×num never overflows on the way; only a quotient that does
// not fit in Money is ErrOverflow. den must not be zero.
//
// Pricing uses it as MulDiv(principal, ratePPM×days, 1_000_000).
func MulDiv(m Money, num, den uint64) (Money, error) {
	if den == 0 {
		return 0, errors.New("ledger: MulDiv by zero")
	}
	neg := m < 0
	mag := uint64(m)
	if neg {
		mag = -mag // two's complement magnitude, right even for MinInt64
	}
	hi, lo := bits.Mul64(mag, num)
	if hi >= den {
		return 0, fmt.Errorf("%w: %d × %d / %d", ErrOverflow, m, num, den)
	}
	q, r := bits.Div64(hi, lo, den)
	if r >= den-r { // 2r ≥ den without overflowing 2r
		if q == math.MaxUint64 {
			return 0, fmt.Errorf("%w: %d × %d / %d", ErrOverflow, m, num, den)
		}
		q++
	}
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	if q > limit {
		return 0, fmt.Errorf("%w: %d × %d / %d", ErrOverflow, m, num, den)
	}
	if neg {
		return Money(-q), nil // -q wraps to MinInt64 when q == 2^63, as intended
	}
	return Money(q), nil
}

// MulInt returns m×n or ErrOverflow; n must not be negative.
func MulInt(m Money, n int64) (Money, error) {
	if n < 0 {
		return 0, fmt.Errorf("ledger: MulInt by negative %d", n)
	}
	return MulDiv(m, uint64(n), 1)
}

// MaxAmount bounds any single amount that enters creditpocket from outside
// — a payment a provider reports, a checkout a borrower asks for, a
// product's principal or fee an operator types — at 10^15 minor units
// (10 trillion naira in kobo; a hundred times the largest figure the demo
// books). It is far above any real consumer loan, yet 9,223 amounts of
// this size still fit in an int64 balance, so no single accepted input
// can bring an account near the limit; the ledger refuses the rest before
// commit (see the store's account balances).
const MaxAmount Money = 1_000_000_000_000_000

// ParseAmount parses an amount entered from outside: ParseMoney's
// canonical form, positive and at most MaxAmount. Its error is the rule
// broken, for the caller to attach to the field.
func ParseAmount(s string) (Money, error) {
	m, err := ParseMoney(s)
	if err != nil || m <= 0 {
		return 0, fmt.Errorf("must be a positive whole number of minor units")
	}
	return m, CheckAmount(m)
}

// CheckAmount refuses an amount above MaxAmount (or below −MaxAmount).
func CheckAmount(m Money) error {
	if m > MaxAmount || m < -MaxAmount {
		return fmt.Errorf("must be at most %d minor units", MaxAmount)
	}
	return nil
}
