package screening

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The sample list's entries are fictional; programme names say SAMPLE.
func loadSample(t testing.TB) *List {
	t.Helper()
	f, err := os.Open("testdata/sample_watchlist.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := LoadCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestJaroWinklerReferenceValues(t *testing.T) {
	// Published values (Winkler 1990; Wikipedia's worked examples),
	// rounded to three decimals.
	tests := []struct {
		a, b string
		want float64
	}{
		{"MARTHA", "MARHTA", 0.961},
		{"DWAYNE", "DUANE", 0.840},
		{"DIXON", "DICKSONX", 0.813},
		{"JELLYFISH", "SMELLYFISH", 0.896},
	}
	for _, tt := range tests {
		t.Run(tt.a+" against "+tt.b, func(t *testing.T) {
			got := JaroWinkler(tt.a, tt.b)
			if math.Abs(got-tt.want) > 0.0005 {
				t.Errorf("JaroWinkler(%q, %q) = %.4f, want %.3f", tt.a, tt.b, got, tt.want)
			}
			if back := JaroWinkler(tt.b, tt.a); back != got {
				t.Errorf("not symmetric: %.6f one way, %.6f the other", got, back)
			}
		})
	}
}

func TestJaroWinklerEdgeCases(t *testing.T) {
	long := strings.Repeat("abcdefghij", 10) // beyond the stack buffer
	tests := []struct {
		name string
		a, b string
		want float64
	}{
		{"identical strings score 1", "ngozi", "ngozi", 1},
		{"two empty strings are identical", "", "", 1},
		{"an empty string against a name scores 0", "", "ngozi", 0},
		{"no characters in common scores 0", "abc", "xyz", 0},
		{"single identical characters score 1", "a", "a", 1},
		{"case is not folded here", "a", "A", 0},
		{"non-Latin text compares by code point", "иван", "иван", 1},
		{"long identical strings score 1", long, long, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := JaroWinkler(tt.a, tt.b); got != tt.want {
				t.Errorf("JaroWinkler(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"tokens are sorted so name order does not matter", "Pan GAO", "gao pan"},
		{"surname-first with a comma gives the same", "GAO, Pan", "gao pan"},
		{"tone marks are removed", "Gāo Pán", "gao pan"},
		{"Spanish accents are removed", "José María Núñez", "jose maria nunez"},
		{"an apostrophe joins", "Sean O'Connor", "oconnor sean"},
		{"a typographic apostrophe joins", "Sean O’Connor", "oconnor sean"},
		{"a hyphen separates", "Al-Zahra", "al zahra"},
		{"initials with periods join", "J. M. Núñez", "j m nunez"},
		{"sharp s folds to ss", "Straße", "strasse"},
		{"Polish and Nordic letters become Latin", "Łukasz Ødegård", "lukasz odegard"},
		{"Cyrillic is kept and case-folded", "Иван СИДОРОВ", "иван сидоров"},
		{"runs of spaces collapse", "  Li\t\tWei  ", "li wei"},
		{"only punctuation is empty", " -.,' ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := normalize(tt.in); got != tt.want {
				t.Errorf("normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestScreen(t *testing.T) {
	l := loadSample(t)
	tests := []struct {
		name        string
		first, last string
		threshold   float64
		wantIDs     []string // best first
		wantMatched string   // of the first hit
	}{
		{"the listed name in the listed order", "Pan", "GAO", 0.9, []string{"WL-0001"}, "GAO Pan"},
		{"the listed name given first name first", "pan", "gao", 0.9, []string{"WL-0001"}, "GAO Pan"},
		{"a name typed without diacritics", "Jose Maria", "Nunez", 0.95, []string{"WL-0003"}, "José María Núñez"},
		{"a name matching only an alias reports the alias", "Emeka", "Obi", 0.95, []string{"WL-0004"}, "Emeka Obi"},
		{"a misspelling is caught at a lower threshold", "Adebayo", "Ogunleyi", 0.9, []string{"WL-0002"}, "Adebayo Ogunleye"},
		{"a transliteration variant is caught", "Muhammad", "Khalil", 0.88, []string{"WL-0011"}, "Muhammad Khaleel"},
		{"a clean customer has no hits", "Amaka", "Nwosu", 0.9, nil, ""},
		{"a high threshold lets only the exact name through", "Pan", "Gao", 1, []string{"WL-0001"}, "GAO Pan"},
		{"empty names have no hits", "", "  ", 0.5, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := l.Screen(tt.first, tt.last, tt.threshold)
			var ids []string
			for _, h := range hits {
				ids = append(ids, h.Entry.ID)
				if h.Score < tt.threshold || h.Score > 1 {
					t.Errorf("hit %s scored %v against threshold %v", h.Entry.ID, h.Score, tt.threshold)
				}
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Fatalf("Screen(%q, %q, %v) = %v, want %v", tt.first, tt.last, tt.threshold, describe(hits), tt.wantIDs)
			}
			if len(hits) > 0 && hits[0].Matched != tt.wantMatched {
				t.Errorf("matched %q, want %q", hits[0].Matched, tt.wantMatched)
			}
		})
	}
}

func TestScreenOrdersBestFirstAndListsEachEntryOnce(t *testing.T) {
	l := loadSample(t)
	hits := l.Screen("Ngozi", "Eze", 0.5)
	if len(hits) < 2 {
		t.Fatalf("want several hits at a low threshold, got %v", describe(hits))
	}
	seen := map[string]bool{}
	for i, h := range hits {
		if seen[h.Entry.ID] {
			t.Errorf("entry %s listed twice", h.Entry.ID)
		}
		seen[h.Entry.ID] = true
		if i > 0 && (h.Score > hits[i-1].Score || h.Score == hits[i-1].Score && h.Entry.ID < hits[i-1].Entry.ID) {
			t.Errorf("hit %d (%s %.3f) is out of order", i, h.Entry.ID, h.Score)
		}
	}
	if hits[0].Entry.ID != "WL-0009" || hits[0].Score != 1 {
		t.Errorf("best hit %s %.3f, want WL-0009 scoring 1", hits[0].Entry.ID, hits[0].Score)
	}
}

// TestScreenPrefilterLosesNothing compares Screen with a brute-force scan
// of every name, so the length/character-count prefilter can only ever
// skip names that could not have reached the threshold.
func TestScreenPrefilterLosesNothing(t *testing.T) {
	l := syntheticList(t, 500)
	rng := rand.New(rand.NewPCG(3, 5))
	total := 0
	for q := 0; q < 100; q++ {
		first, last := syntheticName(rng)
		threshold := 0.75 + rng.Float64()*0.2
		query := []rune(normalize(first + " " + last))
		want := map[string]float64{}
		for _, n := range l.names {
			if s := jaroWinkler(query, n.runes); s >= threshold && s > want[l.entries[n.entry].ID] {
				want[l.entries[n.entry].ID] = s
			}
		}
		hits := l.Screen(first, last, threshold)
		total += len(hits)
		if len(hits) != len(want) {
			t.Fatalf("%s %s at %.3f: %d hits, brute force finds %d", first, last, threshold, len(hits), len(want))
		}
		for _, h := range hits {
			if want[h.Entry.ID] != h.Score {
				t.Fatalf("%s %s: %s scored %v, brute force %v", first, last, h.Entry.ID, h.Score, want[h.Entry.ID])
			}
		}
	}
	if total == 0 {
		t.Fatal("no query had any hit; the comparison proves nothing")
	}
	t.Logf("%d hits over 100 queries agree with brute force", total)
}

func TestScreenIsSafeForConcurrentUse(t *testing.T) {
	l := loadSample(t)
	want := describe(l.Screen("Pan", "Gao", 0.8))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if got := describe(l.Screen("Pan", "Gao", 0.8)); got != want {
					t.Errorf("concurrent Screen = %s, want %s", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestLoadCSV(t *testing.T) {
	l := loadSample(t)
	if l.Len() != 12 {
		t.Fatalf("Len = %d, want 12", l.Len())
	}
	hits := l.Screen("Ngozi", "Eze", 1)
	if len(hits) != 1 {
		t.Fatalf("want WL-0009, got %v", describe(hits))
	}
	e := hits[0].Entry
	if !slices.Equal(e.Aliases, []string{`Ngozi "Nina" Eze`}) || e.Country != "NG" || e.Program != "SAMPLE-AML" {
		t.Errorf("entry loaded as %+v", e)
	}

	t.Run("a byte-order mark and a reordered, capitalised header are accepted", func(t *testing.T) {
		l, err := LoadCSV(strings.NewReader("\uFEFFName,ID,Program,Country,Aliases\nGao Pan,X1,P,CN, a ; ;b \n"))
		if err != nil {
			t.Fatal(err)
		}
		h := l.Screen("Gao", "Pan", 1)
		if len(h) != 1 || h[0].Entry.ID != "X1" || !slices.Equal(h[0].Entry.Aliases, []string{"a", "b"}) {
			t.Errorf("got %+v", h)
		}
	})
	t.Run("a header-only file is an empty list", func(t *testing.T) {
		l, err := LoadCSV(strings.NewReader("id,name,aliases,country,program\n"))
		if err != nil || l.Len() != 0 || l.Screen("a", "b", 0) != nil {
			t.Errorf("got %v, %v", l, err)
		}
	})
}

func TestLoadCSVErrors(t *testing.T) {
	const header = "id,name,aliases,country,program\n"
	tests := []struct {
		name     string
		in       string
		wantLine int    // 0 when the error is not a LineError
		wantText string // part of the message
	}{
		{"an empty file has no header", "", 0, "missing header row"},
		{"an unknown column is refused", "id,name,alias,country,program\n", 1, `unknown column "alias"`},
		{"a missing column is refused", "id,name,aliases,country\n", 1, `missing column "program"`},
		{"a repeated column is refused", "id,name,aliases,country,program,id\n", 1, `column "id" appears twice`},
		{"an empty id names its line", header + "A1,Ann,,,\n,Bob,,,\n", 3, "id must not be empty"},
		{"an empty name names its line", header + "A1, ,,,\n", 2, "name must not be empty"},
		{"a repeated id names both lines", header + "A1,Ann,,,\nA2,Bob,,,\nA1,Cy,,,\n", 4, `id "A1" already used on line 2`},
		{"a name without letters is refused", header + "A1,--,,,\n", 2, "has no letters or digits"},
		{"an alias without letters is refused", header + "A1,Ann,Bo;...,,\n", 2, `alias "..." has no letters or digits`},
		{"an oversized field is refused", header + "A1," + strings.Repeat("n", 2000) + ",,,\n", 2, "longer than 1024 bytes"},
		{"a short row is a CSV error with its line", header + "A1,Ann,,\n", 0, "line 2"},
		{"a stray quote is a CSV error with its line", header + "A1,An\"n,,,\n", 0, "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCSV(strings.NewReader(tt.in))
			if err == nil {
				t.Fatal("LoadCSV succeeded")
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not mention %q", err, tt.wantText)
			}
			var le *LineError
			if errors.As(err, &le) != (tt.wantLine != 0) || (le != nil && le.Line != tt.wantLine) {
				t.Errorf("error %q: line error %+v, want line %d", err, le, tt.wantLine)
			}
		})
	}
}

func FuzzLoadCSV(f *testing.F) {
	data, err := os.ReadFile("testdata/sample_watchlist.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Add("id,name,aliases,country,program\nA,\"B\"\"\",;;,,\n")
	f.Fuzz(func(t *testing.T, in string) {
		l, err := LoadCSV(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, e := range l.entries {
			if len([]rune(normalize(e.Name))) > maxQueryRunes {
				continue // the query would be cut
			}
			if hits := l.Screen(e.Name, "", 1); len(hits) == 0 {
				t.Fatalf("entry %q does not match its own name", e.Name)
			}
		}
	})
}

// syllables build deterministic, plausible names for large lists.
var syllables = []string{"a", "ba", "chi", "de", "eze", "fa", "gao", "ha", "ike", "jo", "ka", "li", "ma", "na", "nwa", "o", "pan", "ra", "sa", "tu", "u", "wei", "ya", "zhu", "lu", "mi", "ko", "se", "ade", "olu"}

func syntheticName(rng *rand.Rand) (first, last string) {
	word := func() string {
		var b strings.Builder
		for range 2 + rng.IntN(3) {
			b.WriteString(syllables[rng.IntN(len(syllables))])
		}
		s := b.String()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return word(), word()
}

func syntheticList(t testing.TB, n int) *List {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 1))
	var b strings.Builder
	b.WriteString("id,name,aliases,country,program\n")
	for i := range n {
		f, l := syntheticName(rng)
		af, al := syntheticName(rng)
		fmt.Fprintf(&b, "E%05d,%s %s,%s %s;%s %s,NG,SYNTH\n", i, l, f, f, l, af, al)
	}
	list, err := LoadCSV(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func describe(hits []Hit) string {
	var parts []string
	for _, h := range hits {
		parts = append(parts, fmt.Sprintf("%s(%q %.3f)", h.Entry.ID, h.Matched, h.Score))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// BenchmarkScreen screens one name against a 10,000-entry list with three
// names per entry (30,000 comparisons before the prefilter).
func BenchmarkScreen(b *testing.B) {
	l := syntheticList(b, 10_000)
	for _, threshold := range []float64{0.85, 0.92} {
		b.Run(fmt.Sprintf("threshold=%.2f", threshold), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				l.Screen("Chukwuemeka", "Adeyemi", threshold)
			}
		})
	}
}

func TestScreenCutsAbsurdlyLongQueries(t *testing.T) {
	l := syntheticList(t, 1000)
	long := strings.Repeat("Gao Pan ", 5_000)
	if hits := l.Screen(long, long, 0.1); len(hits) == 0 {
		t.Error("a long query found nothing even at a threshold of 0.1")
	}
}

func TestCommonBoundIsTheSumOfSmallerCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for range 1000 {
		var a, b []rune
		for range rng.IntN(300) {
			a = append(a, rune(rng.IntN(200)))
		}
		for range rng.IntN(300) {
			b = append(b, rune(rng.IntN(200)))
		}
		ha, exactA := histogram(a)
		hb, _ := histogram(b)
		var ca, cb [32]int
		for _, r := range a {
			ca[r&31]++
		}
		for _, r := range b {
			cb[r&31]++
		}
		want := 0
		for i := range ca {
			want += min(ca[i], cb[i], histMax)
		}
		if got := commonBound(&ha, &hb); got != want {
			t.Fatalf("commonBound = %d, want %d", got, want)
		}
		if exactA != (slices.Max(append(ca[:], 0)) <= histMax) {
			t.Fatalf("exact = %v with counts %v", exactA, ca)
		}
	}
}

func TestJaroShortAndLongAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for range 2000 {
		a := make([]rune, rng.IntN(65))
		b := make([]rune, rng.IntN(65))
		for i := range a {
			a[i] = 'a' + rune(rng.IntN(6))
		}
		for i := range b {
			b[i] = 'a' + rune(rng.IntN(6))
		}
		if len(a) == 0 || len(b) == 0 {
			continue
		}
		if s, l := jaroShort(a, b), jaroLong(a, b); s != l {
			t.Fatalf("jaro(%q, %q): short %v, long %v", string(a), string(b), s, l)
		}
	}
}
