package store

import "testing"

func TestFirstWordSkipsBlanksAndCommentsAndAllocatesNothing(t *testing.T) {
	for q, want := range map[string]string{
		"SELECT 1":                           "SELECT",
		"  \n\tinsert INTO x VALUES (1)":     "insert",
		"-- why\n-- and why\nUPDATE t SET a": "UPDATE",
		"(SELECT 1) UNION (SELECT 2)":        "SELECT",
		"commit":                             "commit",
		"-- only a comment":                  "",
		"":                                   "",
	} {
		if got := firstWord(q); got != want {
			t.Errorf("firstWord(%q) = %q, want %q", q, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = firstWord("SELECT id FROM loans") }); n != 0 {
		t.Fatalf("firstWord allocates %v times per statement", n)
	}
}
