// Package eventtest holds the test events of the risk engine: a valid Loan
// event of the contract, and a way to break it one field at a time. The
// event package's tests and the engine's use it.
package eventtest

import (
	_ "embed"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

//go:embed loan_event.json
var loanEvent []byte

// Now is the clock of the tests: five minutes after the fixture's event.
var Now = time.Date(2026, 11, 20, 10, 20, 0, 0, time.FixedZone("WAT", 3600))

// Fixture returns the valid Loan event of loan_event.json.
func Fixture() []byte { return slices.Clone(loanEvent) }

// Deleted marks a field to remove in Mutate.
var Deleted = &struct{}{}

// Mutate returns the fixture with the value at a dotted path replaced
// (array elements by index: "contact.1.relationship"), or removed when
// value is Deleted.
func Mutate(t testing.TB, path string, value any) []byte {
	t.Helper()
	return MutateJSON(t, loanEvent, path, value)
}

// MutateJSON is Mutate applied to any JSON object.
func MutateJSON(t testing.TB, body []byte, path string, value any) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	keys := strings.Split(path, ".")
	var node any = doc
	for _, k := range keys[:len(keys)-1] {
		node = child(t, node, k)
	}
	last := keys[len(keys)-1]
	switch n := node.(type) {
	case map[string]any:
		if value == Deleted {
			delete(n, last)
		} else {
			n[last] = value
		}
	case []any:
		i, _ := strconv.Atoi(last)
		n[i] = value
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func child(t testing.TB, node any, key string) any {
	t.Helper()
	switch n := node.(type) {
	case map[string]any:
		if n[key] == nil {
			n[key] = map[string]any{}
		}
		return n[key]
	case []any:
		i, err := strconv.Atoi(key)
		if err != nil || i >= len(n) {
			t.Fatalf("bad path element %q", key)
		}
		return n[i]
	}
	t.Fatalf("cannot descend into %T at %q", node, key)
	return nil
}
