package reportscore

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScore(t *testing.T) {
	const expected = `{"a":"1","b":{"c":"x","d":""},"list":[{"v":"p"},{"v":"q"}],"empty":[]}`
	tests := []struct {
		name                  string
		got                   string
		matched, nexp, ngot   int
		precision, recall, f1 float64
		diffs                 []string
	}{
		{"an identical document scores one", expected, 4, 4, 4, 1, 1, 1, nil},
		{"key order and white space do not matter", `{"list":[{"v":" p "},{"v":"q"}],"b":{"c":"x"},"a":"1"}`, 4, 4, 4, 1, 1, 1, nil},
		{"a wrong value costs precision and recall", `{"a":"2","b":{"c":"x"},"list":[{"v":"p"},{"v":"q"}]}`, 3, 4, 4, 0.75, 0.75, 0.75, []string{"a"}},
		{"a missing field costs recall only", `{"a":"1","b":{"c":"x"},"list":[{"v":"p"}]}`, 3, 4, 3, 1, 0.75, 6.0 / 7, []string{"list[1].v"}},
		{"an extra field costs precision only", `{"a":"1","b":{"c":"x","d":"y"},"list":[{"v":"p"},{"v":"q"}]}`, 4, 4, 5, 0.8, 1, 8.0 / 9, []string{"b.d"}},
		{"arrays align by index", `{"a":"1","b":{"c":"x"},"list":[{"v":"q"},{"v":"p"}]}`, 2, 4, 4, 0.5, 0.5, 0.5, []string{"list[0].v", "list[1].v"}},
		{"numbers compare by their text", `{"a":1,"b":{"c":"x"},"list":[{"v":"p"},{"v":"q"}]}`, 4, 4, 4, 1, 1, 1, nil},
		{"null and empty values count nowhere", `{"a":"1","b":{"c":"x","d":null},"list":[{"v":"p"},{"v":"q"}],"empty":null}`, 4, 4, 4, 1, 1, 1, nil},
		{"an empty extraction scores zero", `{}`, 0, 4, 0, 1, 0, 0, []string{"a", "b.c", "list[0].v", "list[1].v"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Score([]byte(expected), []byte(tt.got))
			if err != nil {
				t.Fatal(err)
			}
			if r.Matched != tt.matched || r.Expected != tt.nexp || r.Got != tt.ngot {
				t.Errorf("matched/expected/got = %d/%d/%d, want %d/%d/%d", r.Matched, r.Expected, r.Got, tt.matched, tt.nexp, tt.ngot)
			}
			for _, c := range []struct {
				name      string
				got, want float64
			}{{"precision", r.Precision, tt.precision}, {"recall", r.Recall, tt.recall}, {"F1", r.F1, tt.f1}} {
				if math.Abs(c.got-c.want) > 1e-9 {
					t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
				}
			}
			var paths []string
			for _, d := range r.Diffs {
				paths = append(paths, d.Path)
			}
			if strings.Join(paths, ",") != strings.Join(tt.diffs, ",") {
				t.Errorf("diffs = %v, want %v", paths, tt.diffs)
			}
		})
	}
}

func TestScoreRejectsBadInput(t *testing.T) {
	for name, doc := range map[string]string{
		"an empty input":        ``,
		"a top-level array":     `[1,2]`,
		"truncated JSON":        `{"a":{"b":"1"`,
		"trailing data":         `{"a":"1"}{"b":"2"}`,
		"absurdly deep nesting": `{"a":` + strings.Repeat(`[`, 100) + strings.Repeat(`]`, 100) + `}`,
	} {
		t.Run(name+" is an error", func(t *testing.T) {
			if _, err := Score([]byte(`{"a":"1"}`), []byte(doc)); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestResultFormat(t *testing.T) {
	r, err := Score([]byte(`{"a":"1","b":"2","c":"3"}`), []byte(`{"a":"9","d":"4"}`))
	if err != nil {
		t.Fatal(err)
	}
	out := r.Format(2)
	for _, want := range []string{"P=0.0000 R=0.0000 F1=0.0000", `differ  a: want "1", got "9"`, `missing b: want "2"`, "… 2 more"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func FuzzScore(f *testing.F) {
	f.Add([]byte(`{"a":"1","b":[{"c":"2"}]}`), []byte(`{"a":"1"}`))
	f.Add([]byte(`{}`), []byte(`{"x":[[[]]]}`))
	f.Fuzz(func(t *testing.T, expected, got []byte) {
		r, err := Score(expected, got)
		if err != nil {
			return
		}
		if r.Matched > r.Expected || r.Matched > r.Got || r.F1 < 0 || r.F1 > 1 {
			t.Fatalf("inconsistent result %+v", r)
		}
	})
}

// TestScoreOnAFixture runs the scorer on a real fixture: against itself it
// is perfect, against an empty extraction it finds nothing.
func TestScoreOnAFixture(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "internal", "creditreport", "testdata", "fixtures", "typical-gopdf-1.json"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Score(data, data)
	if err != nil || r.F1 != 1 || r.Expected < 500 {
		t.Errorf("self score %+v, %v", r, err)
	}
	r, err = Score(data, []byte(`{}`))
	if err != nil || r.Recall != 0 || len(r.Diffs) != r.Expected {
		t.Errorf("empty score P=%v R=%v diffs=%d, %v", r.Precision, r.Recall, len(r.Diffs), err)
	}
}
