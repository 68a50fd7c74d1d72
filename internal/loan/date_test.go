package loan

import (
	"testing"
	"time"
)

func TestDate(t *testing.T) {
	d := date(t, "2022-01-22")
	if got := d.AddDays(10).String(); got != "2022-02-01" {
		t.Errorf("AddDays across a month = %s", got)
	}
	if got := date(t, "2024-03-01").DaysSince(date(t, "2024-02-28")); got != 2 {
		t.Errorf("across a leap day = %d", got)
	}
	if got := date(t, "9999-12-31").DaysSince(date(t, "0001-01-01")); got != 3652058 {
		t.Errorf("across the calendar = %d", got)
	}
	if !d.Before(d.AddDays(1)) || !d.AddDays(1).After(d) || d.After(d) {
		t.Error("ordering")
	}
	lagos := time.FixedZone("WAT", 3600)
	if got := DateOf(time.Date(2022, 1, 21, 23, 30, 0, 0, time.UTC).In(lagos)); got.String() != "2022-01-22" {
		t.Errorf("DateOf in the business zone = %s", got)
	}
	if (Date{}).String() != "" || !(Date{}).IsZero() {
		t.Error("zero date")
	}
	for _, bad := range []string{"", "2022-1-22", "2022-02-30", "22-01-2022", "2022-01-22T00:00:00Z", "２０２２-01-22"} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2022-01-22", "0000-00-00", "2022-02-30", "9999-12-31", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.String() != s {
			t.Fatalf("ParseDate(%q) prints as %q", s, d)
		}
	})
}
