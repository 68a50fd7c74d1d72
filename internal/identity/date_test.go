package identity

import (
	"errors"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"an ordinary date", "1990-07-15", nil},
		{"29 February of a leap year", "2024-02-29", nil},
		{"29 February of 2000, divisible by 400", "2000-02-29", nil},
		{"29 February of 1900, divisible by 100 only", "1900-02-29", ErrNoSuchDate},
		{"29 February of a common year", "2023-02-29", ErrNoSuchDate},
		{"31 April", "2024-04-31", ErrNoSuchDate},
		{"month 13", "2024-13-01", ErrNoSuchDate},
		{"month 00", "2024-00-10", ErrNoSuchDate},
		{"day 00", "2024-01-00", ErrNoSuchDate},
		{"year 0000", "0000-01-01", ErrNoSuchDate},
		{"an unpadded month", "2024-2-09", ErrDateFormat},
		{"slashes", "2024/02/09", ErrDateFormat},
		{"day first", "09-02-2024", ErrDateFormat},
		{"a time of day", "2024-02-09T00:00:00Z", ErrDateFormat},
		{"a trailing space", "2024-02-09 ", ErrDateFormat},
		{"a signed year", "+024-02-09", ErrDateFormat},
		{"empty", "", ErrEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseDate(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if err == nil && (got.Format(time.DateOnly) != tt.in || got.Location() != time.UTC || got.Hour() != 0) {
				t.Errorf("ParseDate(%q) = %v, want midnight UTC of that day", tt.in, got)
			}
		})
	}
}

func TestAge(t *testing.T) {
	date := func(s string) time.Time {
		t.Helper()
		d, err := ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		name       string
		birth, now string
		want       int
	}{
		{"the day before the 18th birthday is 17", "2000-06-15", "2018-06-14", 17},
		{"the 18th birthday is 18", "2000-06-15", "2018-06-15", 18},
		{"a later month counts the year", "2000-06-15", "2018-07-01", 18},
		{"an earlier month does not", "2000-06-15", "2018-05-30", 17},
		{"a leapling is not a year older on 28 February", "2004-02-29", "2022-02-28", 17},
		{"a leapling is a year older on 1 March", "2004-02-29", "2022-03-01", 18},
		{"a leapling on 29 February of a leap year", "2004-02-29", "2024-02-29", 20},
		{"born today is 0", "2024-01-01", "2024-01-01", 0},
		{"born in the future clamps to 0", "2030-01-01", "2024-01-01", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Age(date(tt.birth), date(tt.now)); got != tt.want {
				t.Errorf("Age(%s, %s) = %d, want %d", tt.birth, tt.now, got, tt.want)
			}
		})
	}
	t.Run("the clock time of now does not matter", func(t *testing.T) {
		birth := date("2000-06-15")
		now := time.Date(2018, 6, 15, 0, 0, 1, 0, time.UTC)
		if got := Age(birth, now); got != 18 {
			t.Errorf("Age = %d, want 18", got)
		}
	})
}
