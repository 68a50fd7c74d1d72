package loan

import (
	"fmt"
	"time"
)

// Date is a civil calendar date — a business date for close of business,
// a due date — with no time of day and no zone. The zero Date is unset.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar date of t in t's own location; callers pass
// times in the business time zone.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// dateLayout is the only accepted textual form, as in the seed's timestamps.
const dateLayout = "2006-01-02"

// ParseDate parses "YYYY-MM-DD", rejecting dates that do not exist.
func ParseDate(s string) (Date, error) {
	if len(s) != len(dateLayout) {
		return Date{}, fmt.Errorf("loan: parse date %.32q: want YYYY-MM-DD", s)
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("loan: parse date %q: %w", s, err)
	}
	return DateOf(t), nil
}

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.midnight().Format(dateLayout)
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == Date{} }

func (d Date) midnight() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// AddDays returns d moved by n days (n may be negative).
func (d Date) AddDays(n int) Date { return DateOf(d.midnight().AddDate(0, 0, n)) }

// DaysSince returns d − e in whole days.
func (d Date) DaysSince(e Date) int {
	// Unix seconds, unlike Duration, do not saturate across centuries, and
	// UTC midnights are whole days apart.
	return int((d.midnight().Unix() - e.midnight().Unix()) / 86400)
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.DaysSince(e) < 0 }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.DaysSince(e) > 0 }
