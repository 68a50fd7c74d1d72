package creditreport

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNormalizeLeaf(t *testing.T) {
	tests := []struct {
		name string
		kind valueKind
		in   string
		want any
	}{
		{"a comma-grouped amount becomes fen", kindAmount, "500,000", int64(50000000)},
		{"an amount with decimals keeps its fen", kindAmount, "1,234.5", int64(123450)},
		{"a negative amount stays negative", kindAmount, "-20", int64(-2000)},
		{"a full-width amount is read", kindAmount, "１,０００", int64(100000)},
		{"-- is no amount", kindAmount, "--", nil},
		{"a count is an integer", kindCount, "12", int64(12)},
		{"a dotted date becomes ISO", kindDate, "2015.05.05", "2015-05-05"},
		{"a Chinese date becomes ISO", kindDate, "2015年05月05日", "2015-05-05"},
		{"a Chinese date with stray spaces becomes ISO", kindDate, "2015 年5 月 5 日", "2015-05-05"},
		{"a month stays a month", kindDate, "2015.05", "2015-05"},
		{"a year stays a year", kindDate, "2011", "2011"},
		{"an empty date is null", kindDate, "", nil},
		{"the report time becomes an ISO date-time", kindDateTime, "2015.05.05 10:20:30", "2015-05-05T10:20:30"},
		{"a month range becomes an ISO interval", kindMonthRange, "2010年07月-2015年05月", "2010-07/2015-05"},
		{"a month range with an em dash becomes an ISO interval", kindMonthRange, "2010年07月—2015年05月", "2010-07/2015-05"},
		{"-- in text becomes empty", kindText, "--", ""},
		{"text is kept", kindText, "中国工商银行", "中国工商银行"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := normalizeLeaf(tt.kind, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("normalizeLeaf(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeRejectsGarbage(t *testing.T) {
	for name, c := range map[string]struct {
		kind valueKind
		in   string
	}{
		"letters in an amount":        {kindAmount, "12a"},
		"three decimals in an amount": {kindAmount, "1.234"},
		"a thirteenth month":          {kindDate, "2015.13.01"},
		"a date with no digits":       {kindDate, "昨天"},
		"a time without a date":       {kindDateTime, "10:20:30"},
		"a range with one end":        {kindMonthRange, "2010年07月"},
		"a count with a unit":         {kindCount, "3笔"},
	} {
		t.Run(name+" is an error", func(t *testing.T) {
			if _, err := normalizeLeaf(c.kind, c.in); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestNormalizeNamesTheFailingPath(t *testing.T) {
	r := &Report{QueryRecord: []QueryRecord{{Date: "2015.02.30x"}}}
	_, err := Normalize(r)
	if err == nil || !strings.Contains(err.Error(), "queryRecord[0].date") {
		t.Errorf("error %v does not name queryRecord[0].date", err)
	}
}

// TestNormalizeEveryFixture checks that every value the generator prints
// parses as the kind its key declares.
func TestNormalizeEveryFixture(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "fixtures", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Unmarshal(data); err != nil {
				t.Fatal(err)
			}
			if _, err := NormalizeJSON(data); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func FuzzNormalizeJSON(f *testing.F) {
	f.Add([]byte(`{"creditHeader":{"reportTime":"2015.05.05 10:20:30"},"queryRecord":[{"date":"2015.05.05"}]}`))
	f.Add([]byte(`{"a":{"surplusAmount":"1,000.5","dateRange":"2010年07月-2015年05月"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = NormalizeJSON(data)
	})
}
