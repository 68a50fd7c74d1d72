package risk

import (
	"testing"
	"time"
)

func TestParseExpiry(t *testing.T) {
	tests := []struct {
		name, in string
		want     time.Time
		ok       bool
	}{
		{"a date lasts through its end", "2026-12-31", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"a time with offset is taken as is", "2026-12-31T10:00:00+01:00", time.Date(2026, 12, 31, 9, 0, 0, 0, time.UTC), true},
		{"anything else is refused", "next week", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseExpiry(tt.in)
			if (err == nil) != tt.ok || !got.Equal(tt.want) {
				t.Fatalf("ParseExpiry(%q) = %v, %v", tt.in, got, err)
			}
		})
	}
}

func FuzzParseExpiry(f *testing.F) {
	for _, s := range []string{"2026-12-31", "2026-12-31T10:00:00+01:00", "", "9999-99-99", "2026-02-30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseExpiry(s)
		if err == nil && got.IsZero() {
			t.Fatalf("ParseExpiry(%q) accepted a zero time", s)
		}
	})
}
