package ledger

import (
	"errors"
	"math"
	"testing"
)

func TestParseMoney(t *testing.T) {
	valid := []struct {
		in   string
		want Money
	}{
		{"0", 0},
		{"850000", 850000},
		{"-1", -1},
		{"9223372036854775807", math.MaxInt64},
		{"-9223372036854775808", math.MinInt64},
	}
	for _, tc := range valid {
		t.Run("accepts "+tc.in, func(t *testing.T) {
			got, err := ParseMoney(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("ParseMoney(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
			if got.String() != tc.in {
				t.Errorf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
	invalid := []struct {
		name, in string
		offset   int
	}{
		{"rejects the empty string", "", 0},
		{"rejects a bare sign", "-", 1},
		{"rejects a plus sign", "+5", 0},
		{"rejects a decimal point", "8500.00", 4},
		{"rejects spaces", " 5", 0},
		{"rejects grouping", "850,000", 3},
		{"rejects leading zeros", "007", 0},
		{"rejects negative zero", "-0", 0},
		{"rejects a value past MaxInt64", "9223372036854775808", 0},
		{"rejects twenty digits early", "12345678901234567890", 19},
		{"rejects non-ASCII digits", "٣", 0},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMoney(tc.in)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseMoney(%q) error = %v, want *ParseError", tc.in, err)
			}
			if pe.Offset != tc.offset {
				t.Errorf("offset = %d, want %d (%v)", pe.Offset, tc.offset, err)
			}
		})
	}
}

func TestMoneyTextRoundTrip(t *testing.T) {
	var m Money
	if err := m.UnmarshalText([]byte("2260000")); err != nil || m != 2260000 {
		t.Fatalf("UnmarshalText = %d, %v", m, err)
	}
	b, _ := m.MarshalText()
	if string(b) != "2260000" {
		t.Errorf("MarshalText = %s", b)
	}
	if err := m.UnmarshalText([]byte("1e6")); err == nil {
		t.Error("UnmarshalText accepted 1e6")
	}
}

func TestMulDiv(t *testing.T) {
	tests := []struct {
		name     string
		m        Money
		num, den uint64
		want     Money
		overflow bool
	}{
		{"computes 0.5% a day over 7 days on 600000", 600000, 5000 * 7, 1_000_000, 21000, false},
		{"rounds exactly one half up", 100, 5000, 1_000_000, 1, false},
		{"rounds just under one half down", 99, 5000, 1_000_000, 0, false},
		{"rounds just over one half up", 101, 5000, 1_000_000, 1, false},
		{"rounds 1.665 up to 2", 333, 5000, 1_000_000, 2, false},
		{"rounds 2.5 up to 3", 5, 1, 2, 3, false},
		{"rounds a negative half away from zero", -5, 1, 2, -3, false},
		{"rounds a negative under half toward zero", -4, 1, 3, -1, false},
		{"handles an odd divisor's half exactly", 1, 1, 3, 0, false},
		{"rounds two thirds up", 2, 1, 3, 1, false},
		{"keeps MaxInt64 at rate one", math.MaxInt64, 1_000_000, 1_000_000, math.MaxInt64, false},
		{"keeps MinInt64 at rate one", math.MinInt64, 1, 1, math.MinInt64, false},
		{"forms a 128-bit product before dividing", math.MaxInt64, 1_000_000 * 3650, 1_000_000 * 3650, math.MaxInt64, false},
		{"reports a quotient past MaxInt64", math.MaxInt64, 2, 1, 0, true},
		{"reports a quotient that rounds past MaxInt64", math.MaxInt64, 2*1_000_000 + 1, 2 * 1_000_000, 0, true},
		{"reports a product whose high word exceeds the divisor", math.MaxInt64, math.MaxUint64, 3, 0, true},
		{"reports MinInt64 negated", math.MinInt64, 2, 1, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MulDiv(tc.m, tc.num, tc.den)
			if tc.overflow {
				if !errors.Is(err, ErrOverflow) {
					t.Fatalf("MulDiv = %d, %v; want ErrOverflow", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("MulDiv(%d, %d, %d) = %d, %v; want %d", tc.m, tc.num, tc.den, got, err, tc.want)
			}
		})
	}
	t.Run("refuses a zero divisor", func(t *testing.T) {
		if _, err := MulDiv(1, 1, 0); err == nil {
			t.Fatal("no error")
		}
	})
}

func TestAddSubOverflow(t *testing.T) {
	if _, err := Money(math.MaxInt64).Add(1); !errors.Is(err, ErrOverflow) {
		t.Errorf("MaxInt64+1: %v", err)
	}
	if _, err := Money(math.MinInt64).Add(-1); !errors.Is(err, ErrOverflow) {
		t.Errorf("MinInt64-1: %v", err)
	}
	if _, err := Money(math.MinInt64).Sub(1); !errors.Is(err, ErrOverflow) {
		t.Errorf("MinInt64-1: %v", err)
	}
	if _, err := Money(0).Sub(math.MinInt64); !errors.Is(err, ErrOverflow) {
		t.Errorf("0-MinInt64: %v", err)
	}
	if v, err := Money(5).Sub(7); err != nil || v != -2 {
		t.Errorf("5-7 = %d, %v", v, err)
	}
	if _, err := Sum(math.MaxInt64, 1, -1); !errors.Is(err, ErrOverflow) {
		t.Errorf("Sum must fail on the intermediate overflow: %v", err)
	}
	if _, err := MulInt(math.MaxInt64/2+1, 2); !errors.Is(err, ErrOverflow) {
		t.Errorf("MulInt: %v", err)
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"0", "850000", "-1", "007", "9223372036854775808", "-", "1.5", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMoney(s)
		if err != nil {
			return
		}
		if m.String() != s {
			t.Fatalf("ParseMoney(%q) = %d prints as %q", s, m, m.String())
		}
		again, err := ParseMoney(m.String())
		if err != nil || again != m {
			t.Fatalf("re-parse of %q = %d, %v", m.String(), again, err)
		}
	})
}
