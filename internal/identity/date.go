package identity

import "time"

// ParseDate parses a strict "YYYY-MM-DD" date (four-digit year, zero-padded
// month and day, nothing else) that exists in the Gregorian calendar, so
// "2023-02-29" and "2024-04-31" fail while "2024-02-29" passes. The result
// is midnight UTC.
func ParseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, ErrEmpty
	}
	if len(s) != 10 || s[4] != '-' || s[7] != '-' ||
		!Digits(s[0:4]) || !Digits(s[5:7]) || !Digits(s[8:10]) {
		return time.Time{}, ErrDateFormat
	}
	t, ok := calendarDate(atoi(s[0:4]), atoi(s[5:7]), atoi(s[8:10]))
	if !ok {
		return time.Time{}, ErrNoSuchDate
	}
	return t, nil
}

// calendarDate returns midnight UTC of the given date if it exists. Year 0
// is refused: no document carries it, and it is a common placeholder.
func calendarDate(year, month, day int) (time.Time, bool) {
	if year < 1 || month < 1 || month > 12 || day < 1 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	// time.Date normalises 31 April into 1 May; a real date survives intact.
	if t.Day() != day || int(t.Month()) != month {
		return time.Time{}, false
	}
	return t, true
}

// Age returns the number of completed years between birth and now, compared
// as calendar dates (the clock time is ignored, each value's own location is
// used). Someone born on 29 February completes a year on 1 March in common
// years. A birth after now gives 0.
func Age(birth, now time.Time) int {
	by, bm, bd := birth.Date()
	ny, nm, nd := now.Date()
	age := ny - by
	if nm < bm || (nm == bm && nd < bd) {
		age--
	}
	if age < 0 {
		return 0
	}
	return age
}
