package loan

import (
	"errors"
	"testing"

	"creditpocket/internal/errs"
)

func TestParseID(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, in string
		want     ID
	}{
		{"reads a small id", "1", 1},
		{"reads leading zeros as the same id", "007", 7},
		{"reads the largest int64", "9223372036854775807", 9223372036854775807},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got, err := ParseID("id", c.in); err != nil || got != c.want {
				t.Errorf("ParseID(%q) = %d, %v; want %d", c.in, got, err, c.want)
			}
		})
	}
	for _, c := range []struct{ name, in string }{
		{"refuses an empty id", ""},
		{"refuses zero", "0"},
		{"refuses a negative id", "-1"},
		{"refuses a plus sign", "+1"},
		{"refuses an id past int64", "9223372036854775808"},
		{"refuses an exponent", "1e3"},
		{"refuses a leading space", " 1"},
		{"refuses a trailing newline", "1\n"},
		{"refuses Arabic-Indic digits", "١"},
		{"refuses a fraction", "1.0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseID("loanId", c.in)
			var e *errs.Error
			if !errs.Is(err, errs.Invalid) || !errors.As(err, &e) || e.Field != "loanId" {
				t.Errorf("ParseID(%q) = %v; want errs.Invalid naming loanId", c.in, err)
			}
		})
	}
}

func TestIDPrintsAsTheDecimalTheAppShows(t *testing.T) {
	t.Parallel()
	if got := ID(151776).String(); got != "151776" {
		t.Errorf("String() = %q", got)
	}
	if got := ID(151776).LogValue().String(); got != "151776" {
		t.Errorf("LogValue() = %q", got)
	}
}
