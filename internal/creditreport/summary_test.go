package creditreport

import (
	"os"
	"testing"
)

func TestSummarizeReadsTheSummaryTables(t *testing.T) {
	raw, err := os.ReadFile("testdata/fixtures/typical-gopdf-1.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Unmarshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	got := Summarize(r)
	if got.SerialNo != "2024111494238350405831" || got.IDNumber != "110959196209187439" || got.Accounts != 8 ||
		got.OverdueAccounts < 1 || got.LongestOverdueMonths < 1 {
		t.Fatalf("summary = %+v", got)
	}
	for in, want := range map[string]int{"12": 12, "1,024": 1024, "--": 0, "": 0, "x": 0, " 3 ": 3, "99999999999": 0} {
		if c := count(in); c != want {
			t.Errorf("count(%q) = %d, want %d", in, c, want)
		}
	}
}
