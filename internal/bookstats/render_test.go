package bookstats

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"creditpocket/internal/ledger"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var lagos = time.FixedZone("WAT", 3600)

// sampleBook is a week with a quiet day, every bucket, and more rules
// than the chart shows, one of them hostile.
func sampleBook() *Book {
	day := func(i int) time.Time { return time.Date(2026, 11, 16+i, 0, 0, 0, 0, lagos) }
	b := &Book{
		Query: Query{From: day(0), To: day(6)},
		Zone:  "Africa/Lagos",
		Days: []Day{
			{Date: day(0), Applications: 120, Approved: 96, Rejected: 18, Disbursed: 57_600_000, DisbursedLoans: 96, Repaid: 81_600_000, Repayments: 96},
			{Date: day(1), Applications: 134, Approved: 110, Rejected: 20, Disbursed: 66_000_000, DisbursedLoans: 110, Repaid: 70_125_050, Repayments: 83},
			{Date: day(2), Applications: 0, Approved: 0, Rejected: 0},
			{Date: day(3), Applications: 98, Approved: 70, Rejected: 25, Disbursed: 42_000_000, DisbursedLoans: 70, Repaid: 99_450_000, Repayments: 117},
			{Date: day(4), Applications: 151, Approved: 131, Rejected: 12, Disbursed: 98_600_000, DisbursedLoans: 131, Repaid: 1_000_000, Repayments: 1},
			{Date: day(5), Applications: 87, Approved: 80, Rejected: 4, Disbursed: 48_000_000, DisbursedLoans: 80, Repaid: 56_950_000, Repayments: 67},
			{Date: day(6), Applications: 12, Approved: 3, Rejected: 1, Disbursed: 1_800_000, DisbursedLoans: 3},
		},
		OpenLoans:          1_450,
		Outstanding:        1_232_500_000,
		OverdueLoans:       210,
		OverdueOutstanding: 197_900_000,
		OverdueBuckets: []Bucket{
			{Label: "1-7", MinDPD: 1, MaxDPD: 7, Loans: 120, Outstanding: 102_000_000},
			{Label: "8-30", MinDPD: 8, MaxDPD: 30, Loans: 60, Outstanding: 55_800_000},
			{Label: "31-60", MinDPD: 31, MaxDPD: 60, Loans: 22, Outstanding: 24_100_000},
			{Label: "60+", MinDPD: 61, Loans: 8, Outstanding: 16_000_000},
		},
		DecisionMix: []RuleCount{
			{Rule: "Eligibility checks passed: system automatic approve", Decision: Accept, Count: 410},
			{Rule: "Whitelist customers system automatic approve", Decision: Accept, Count: 86},
			{Rule: "You need 2 settled loans for this product", Decision: Reject, Count: 41},
			{Rule: "In the internal watch list: manual review", Decision: Review, Count: 24},
			{Rule: "BVN in the internal Blacklist", Decision: Reject, Count: 19},
			{Rule: `<script>alert("x")</script> & friends`, Decision: Reject, Count: 9},
			{Rule: "Too many applications from one device in 24 hours", Decision: Review, Count: 7},
			{Rule: "Risk data source unavailable, manual review required", Decision: Review, Count: 3},
			{Rule: "Contact phone shared by 5 applicants", Decision: Reject, Count: 2},
			{Rule: "Age under 18", Decision: Reject, Count: 1},
		},
		ReviewQueueLoans: 6,
	}
	return b
}

func emptyBook() *Book {
	d := time.Date(2026, 11, 16, 0, 0, 0, 0, lagos)
	return &Book{Query: Query{From: d, To: d}, Days: []Day{{Date: d}}, OverdueBuckets: DPDBuckets()}
}

// TestRenderMatchesGoldenFiles pins the charts' exact bytes; run with
// -update after an intended change and look at the files in a browser.
func TestRenderMatchesGoldenFiles(t *testing.T) {
	for _, tc := range []struct {
		name string
		book *Book
	}{{"sample", sampleBook()}, {"empty", emptyBook()}} {
		t.Run("the "+tc.name+" book draws as its golden files", func(t *testing.T) {
			charts := Render(tc.book)
			if len(charts) != 4 {
				t.Fatalf("%d charts, want 4", len(charts))
			}
			for _, c := range charts {
				wellFormed(t, c.SVG)
				path := filepath.Join("testdata", tc.name+"-"+c.ID+".svg")
				if *update {
					if err := os.WriteFile(path, c.SVG, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if !bytes.Equal(c.SVG, want) {
					t.Errorf("%s differs from %s (run go test -update and review the diff)", c.ID, path)
				}
			}
		})
	}
}

// marks reads every element carrying data-value as label → value, by
// series.
func marks(t *testing.T, svg []byte) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	series := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		attrs := map[string]string{}
		for _, a := range se.Attr {
			attrs[a.Name.Local] = a.Value
		}
		if s, ok := attrs["data-series"]; ok {
			series = s
		}
		if v, ok := attrs["data-value"]; ok {
			if out[series] == nil {
				out[series] = map[string]string{}
			}
			out[series][attrs["data-label"]] = v
		}
	}
}

func TestChartsCarryTheExactFigures(t *testing.T) {
	charts := Render(sampleBook())
	byID := map[string]Chart{}
	for _, c := range charts {
		byID[c.ID] = c
	}
	for _, tc := range []struct {
		name, chart, series, label, want string
	}{
		{"applications of a day are a count", ChartApplications, "applications", "2026-11-17", "134"},
		{"approvals of a day are a count", ChartApplications, "approved", "2026-11-20", "131"},
		{"the approval rate is in basis points of decisions", ChartApplications, "approval-rate", "2026-11-16", "8421"},
		{"disbursed amounts are exact minor units", ChartMoney, "disbursed", "2026-11-20", "98600000"},
		{"repaid amounts keep their odd minor units", ChartMoney, "repaid", "2026-11-17", "70125050"},
		{"a quiet day is a zero bar, not a missing one", ChartMoney, "repaid", "2026-11-22", "0"},
		{"a bucket's bar is its outstanding", ChartOverdue, "outstanding", "8-30", "55800000"},
		{"what is not overdue is outstanding less overdue", ChartOverdue, "outstanding", "current", "1034600000"},
		{"a rule's bar is its count", ChartDecisions, "decisions", "BVN in the internal Blacklist", "19"},
		{"the hostile rule's name reads back intact", ChartDecisions, "decisions", `<script>alert("x")</script> & friends`, "9"},
		{"rules past the top eight are summed", ChartDecisions, "decisions", "Other rules", "3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := marks(t, byID[tc.chart].SVG)[tc.series][tc.label]
			if !ok || got != tc.want {
				t.Fatalf("%s/%s[%s] = %q (present %v), want %q", tc.chart, tc.series, tc.label, got, ok, tc.want)
			}
		})
	}
	t.Run("a day without decisions has no approval-rate point", func(t *testing.T) {
		if v, ok := marks(t, byID[ChartApplications].SVG)["approval-rate"]["2026-11-18"]; ok {
			t.Fatalf("rate point %q on a day without decisions", v)
		}
	})
	t.Run("every figure has a title people can read", func(t *testing.T) {
		for _, c := range charts {
			n := strings.Count(string(c.SVG), "data-value=")
			if titles := strings.Count(string(c.SVG), "<title>"); titles != n {
				t.Errorf("%s: %d marks but %d titles", c.ID, n, titles)
			}
		}
	})
}

func TestEmptyPeriodsSaySo(t *testing.T) {
	want := map[string]string{
		ChartApplications: "No applications in this period",
		ChartMoney:        "Nothing disbursed or repaid in this period",
		ChartOverdue:      "No open loans",
		ChartDecisions:    "No decisions in this period",
	}
	for _, c := range Render(emptyBook()) {
		t.Run(c.ID+" says "+want[c.ID], func(t *testing.T) {
			if !bytes.Contains(c.SVG, []byte(want[c.ID])) || bytes.Contains(c.SVG, []byte("data-value")) {
				t.Fatalf("empty %s chart:\n%s", c.ID, c.SVG)
			}
		})
	}
	t.Run("a nil book renders as empty", func(t *testing.T) {
		for _, c := range Render(nil) {
			wellFormed(t, c.SVG)
		}
	})
}

func TestTextIsEscaped(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain text is unchanged", "Whitelist approve", "Whitelist approve"},
		{"a script tag is inert", `<script>alert(1)</script>`, `&lt;script&gt;alert(1)&lt;/script&gt;`},
		{"quotes cannot end an attribute", `a"b'c`, `a&#34;b&#39;c`},
		{"ampersands are entities", "R&D", "R&amp;D"},
		{"control characters are replaced", "a\x00b\x1bc", "a\uFFFDb\uFFFDc"},
		{"line breaks become spaces", "a\nb\tc", "a b c"},
		{"invalid UTF-8 is replaced", "a\xffb", "a\uFFFDb"},
		{"non-Latin text is kept", "Правило №5 — 規則", "Правило №5 — 規則"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := esc(tc.in); got != tc.want {
				t.Fatalf("esc(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	t.Run("a rule named with a script tag comes out escaped in every chart", func(t *testing.T) {
		for _, c := range Render(sampleBook()) {
			if bytes.Contains(c.SVG, []byte("<script")) {
				t.Fatalf("%s contains a raw <script", c.ID)
			}
		}
	})
}

func TestNiceScale(t *testing.T) {
	for _, tc := range []struct {
		name  string
		max   int64
		step  int64
		lines int
	}{
		{"nothing gets a unit scale", 0, 1, 4},
		{"a negative maximum gets a unit scale", -5, 1, 4},
		{"one fits in unit steps", 1, 1, 4},
		{"134 rounds up to steps of 50", 134, 50, 4},
		{"an exact fit is kept", 200, 50, 4},
		{"just above a fit takes five lines rather than doubling", 201, 50, 5},
		{"money in kobo gets round naira", 98_600_000, 25_000_000, 4},
		{"two and a half is a nice step", 103_460_000, 25_000_000, 5},
		{"7 in steps of 2", 7, 2, 4},
		{"huge values do not overflow", math.MaxInt64, 2_500_000_000_000_000_000, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			step, lines := niceScale(tc.max)
			if step != tc.step || lines != tc.lines {
				t.Fatalf("niceScale(%d) = %d, %d; want %d, %d", tc.max, step, lines, tc.step, tc.lines)
			}
			if s := newScale(tc.max, 200, 240); s.top < tc.max || s.step <= 0 {
				t.Fatalf("scale %+v does not hold %d", s, tc.max)
			}
		})
	}
}

func TestPixelsArePositionsOfExactRatios(t *testing.T) {
	for _, tc := range []struct {
		name        string
		v, top      int64
		length, out int
	}{
		{"zero is the baseline", 0, 100, 200, 0},
		{"the top is the full length", 100, 100, 200, 200},
		{"half is half", 50, 100, 200, 100},
		{"a third rounds half up", 1, 3, 200, 67},
		{"above the top is clamped", 150, 100, 200, 200},
		{"negative is clamped to zero", -1, 100, 200, 0},
		{"an empty scale draws nothing", 5, 0, 200, 0},
		{"the largest amounts do not overflow", math.MaxInt64 - 1, math.MaxInt64, 200, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := px(tc.v, tc.top, tc.length); got != tc.out {
				t.Fatalf("px(%d, %d, %d) = %d, want %d", tc.v, tc.top, tc.length, got, tc.out)
			}
		})
	}
}

func TestFormatting(t *testing.T) {
	for _, tc := range []struct{ name, got, want string }{
		{"money prints major units with separators", FormatMoney(123_456_789), "1,234,567.89"},
		{"small money keeps leading zeros", FormatMoney(5), "0.05"},
		{"zero money", FormatMoney(0), "0.00"},
		{"negative money", FormatMoney(-100_000), "-1,000.00"},
		{"the smallest money does not overflow", FormatMoney(ledger.Money(math.MinInt64)), "-92,233,720,368,547,758.08"},
		{"counts have separators", FormatCount(1_000_000), "1,000,000"},
		{"short counts have none", FormatCount(999), "999"},
		{"rates print one decimal", formatPercent(8421), "84.2 %"},
		{"rates round half up", formatPercent(8425), "84.3 %"},
		{"a full rate", formatPercent(10000), "100.0 %"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Fatalf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

func TestQueryPeriods(t *testing.T) {
	nov := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	t.Run("the last 30 days end today", func(t *testing.T) {
		q := LastDays(time.Date(2026, 11, 23, 15, 0, 0, 0, lagos), 30)
		if q.Days() != 30 || q.From.Format(time.DateOnly) != "2026-10-25" {
			t.Fatalf("LastDays = %v..%v (%d days)", q.From, q.To, q.Days())
		}
	})
	for _, tc := range []struct {
		name string
		q    Query
		ok   bool
	}{
		{"one day is a period", Query{From: nov(1), To: nov(1)}, true},
		{"a year is a period", Query{From: nov(1), To: nov(1).AddDate(1, 0, -1)}, true},
		{"a period may not end before it starts", Query{From: nov(2), To: nov(1)}, false},
		{"a period may not exceed the cap", Query{From: nov(1), To: nov(1).AddDate(2, 0, 0)}, false},
		{"a period needs both dates", Query{From: nov(1)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.q.Validate(); (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v, want ok %v", err, tc.ok)
			}
		})
	}
	t.Run("days follow the zone's clock changes", func(t *testing.T) {
		berlin, err := time.LoadLocation("Europe/Berlin")
		if err != nil {
			t.Skip("no zone data:", err)
		}
		bs, err := Query{From: time.Date(2026, 3, 28, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC)}.Bounds(berlin)
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) != 3 || bs[1].Sub(bs[0]) != 24*time.Hour || bs[2].Sub(bs[1]) != 23*time.Hour {
			t.Fatalf("bounds %v", bs)
		}
	})
	t.Run("the dates are read as written, whatever their zone", func(t *testing.T) {
		late := time.Date(2026, 11, 1, 23, 30, 0, 0, time.FixedZone("X", -10*3600))
		bs, err := Query{From: late, To: late}.Bounds(lagos)
		if err != nil || bs[0].Format(time.DateOnly) != "2026-11-01" {
			t.Fatalf("bounds %v, %v", bs, err)
		}
	})
	t.Run("buckets cover every day past due", func(t *testing.T) {
		for dpd, want := range map[int]int{0: 0, 1: 0, 7: 0, 8: 1, 30: 1, 31: 2, 60: 2, 61: 3, 10000: 3} {
			if got := BucketOf(dpd); got != want {
				t.Errorf("BucketOf(%d) = %d, want %d", dpd, got, want)
			}
		}
	})
}

func wellFormed(t testing.TB, svg []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
	}
}

var rawMarkup = regexp.MustCompile(`<(script|foreignObject|iframe|a)\b`)

// FuzzRenderIsWellFormed renders books with hostile rule names and
// extreme figures: the output must always be well-formed XML without
// injected elements, and must not panic.
func FuzzRenderIsWellFormed(f *testing.F) {
	f.Add(`<script>alert(1)</script>`, int64(3), int64(100), int64(5))
	f.Add("a\x00\xff\"'&", int64(math.MaxInt64), int64(math.MinInt64), int64(-1))
	f.Add("]]><foreignObject>", int64(0), int64(0), int64(0))
	f.Fuzz(func(t *testing.T, rule string, count, amount, dpdLoans int64) {
		b := sampleBook()
		b.DecisionMix = append(b.DecisionMix, RuleCount{Rule: rule, Decision: rule, Count: count})
		b.Days[1].Disbursed, b.Days[2].Applications, b.Days[3].Approved = ledger.Money(amount), count, dpdLoans
		b.OverdueBuckets[3].Outstanding, b.OverdueBuckets[2].Loans = ledger.Money(amount), dpdLoans
		b.OverdueBuckets[0].Label = rule
		for _, c := range Render(b) {
			wellFormed(t, c.SVG)
			if rawMarkup.Match(c.SVG) {
				t.Fatalf("%s: injected markup:\n%s", c.ID, c.SVG)
			}
		}
	})
}
