// Package reportscore compares a credit-report JSON produced by an extractor with
// the expected JSON of a fixture, field by field.
//
// Every non-empty leaf (a string, number or boolean) is one field, named by
// its path ("creditTransInfoDetail.creditAccount[3].accountState.value").
// Array elements are aligned by index, so a missed or extra account shifts
// and counts against every field after it: that is deliberate, because
// the contract's arrays are ordered as printed. Empty strings, null, and
// empty arrays or objects are "no value" and count neither way. Values
// compare exactly after trimming surrounding white space.
//
// Precision is matched fields over fields the extractor produced, recall is
// matched fields over expected fields, F1 their harmonic mean.
//
// It is test-and-tool code, used by the parser's and the report API's
// tests and by cmd/crscore; no product package imports it.
package reportscore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Caps on hostile input: real reports have a few thousand leaves at a
// depth below ten.
const (
	maxDepth  = 64
	maxLeaves = 1 << 20
)

// Diff is one field that is missing, extra or different.
type Diff struct {
	Path string
	Want string // "" when the extractor produced a field not expected
	Got  string // "" when the extractor missed the field
}

// Result is the outcome of one comparison.
type Result struct {
	Expected  int // non-empty expected fields
	Got       int // non-empty fields produced
	Matched   int // fields equal in both
	Precision float64
	Recall    float64
	F1        float64
	Diffs     []Diff // in the order of the expected document, extras last
}

// Score compares got against expected. Both must be JSON objects.
func Score(expected, got []byte) (Result, error) {
	want, wantOrder, err := leaves(expected)
	if err != nil {
		return Result{}, fmt.Errorf("reportscore: expected JSON: %w", err)
	}
	have, haveOrder, err := leaves(got)
	if err != nil {
		return Result{}, fmt.Errorf("reportscore: extracted JSON: %w", err)
	}
	r := Result{Expected: len(want), Got: len(have)}
	for _, p := range wantOrder {
		g, ok := have[p]
		switch {
		case !ok:
			r.Diffs = append(r.Diffs, Diff{Path: p, Want: want[p]})
		case g == want[p]:
			r.Matched++
		default:
			r.Diffs = append(r.Diffs, Diff{Path: p, Want: want[p], Got: g})
		}
	}
	for _, p := range haveOrder {
		if _, ok := want[p]; !ok {
			r.Diffs = append(r.Diffs, Diff{Path: p, Got: have[p]})
		}
	}
	r.Precision = ratio(r.Matched, r.Got)
	r.Recall = ratio(r.Matched, r.Expected)
	if r.Precision+r.Recall > 0 {
		r.F1 = 2 * r.Precision * r.Recall / (r.Precision + r.Recall)
	}
	return r, nil
}

// ratio is matched/total, with nothing-to-find-and-nothing-found counted as
// perfect so an empty section does not score zero.
func ratio(matched, total int) float64 {
	if total == 0 {
		return 1
	}
	return float64(matched) / float64(total)
}

// String prints the scores and the first 20 differences.
func (r Result) String() string { return r.Format(20) }

// Format prints the scores and the first n differences.
func (r Result) Format(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "P=%.4f R=%.4f F1=%.4f (matched %d, expected %d, got %d, %d differences)\n",
		r.Precision, r.Recall, r.F1, r.Matched, r.Expected, r.Got, len(r.Diffs))
	for i, d := range r.Diffs {
		if i == n {
			fmt.Fprintf(&b, "  … %d more\n", len(r.Diffs)-n)
			break
		}
		switch {
		case d.Got == "":
			fmt.Fprintf(&b, "  missing %s: want %q\n", d.Path, d.Want)
		case d.Want == "":
			fmt.Fprintf(&b, "  extra   %s: got %q\n", d.Path, d.Got)
		default:
			fmt.Fprintf(&b, "  differ  %s: want %q, got %q\n", d.Path, d.Want, d.Got)
		}
	}
	return b.String()
}

// frame is one open object or array while walking the token stream.
type frame struct {
	path    string
	isArray bool
	index   int    // next element index of an array
	key     string // pending key of an object
	wantKey bool   // an object expects a key next
}

// leaves flattens a JSON object into path → value for every non-empty
// scalar, keeping document order. It walks tokens rather than decoding into
// maps so the order of the diffs follows the document.
func leaves(data []byte) (map[string]string, []string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	values := map[string]string{}
	var order []string
	var stack []*frame
	first := true
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("offset %d: %w", dec.InputOffset(), err)
		}
		if first {
			if d, ok := tok.(json.Delim); !ok || d != '{' {
				return nil, nil, errors.New("not a JSON object")
			}
			first = false
			stack = append(stack, &frame{wantKey: true})
			continue
		}
		if len(stack) == 0 {
			return nil, nil, fmt.Errorf("offset %d: data after the top-level object", dec.InputOffset())
		}
		top := stack[len(stack)-1]
		if !top.isArray && top.wantKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				continue
			}
			top.key, top.wantKey = tok.(string), false
			continue
		}
		var path string
		if top.isArray {
			if d, ok := tok.(json.Delim); ok && d == ']' {
				stack = stack[:len(stack)-1]
				continue
			}
			path = top.path + "[" + strconv.Itoa(top.index) + "]"
			top.index++
		} else {
			path = top.key
			if top.path != "" {
				path = top.path + "." + top.key
			}
			top.wantKey = true
		}
		switch v := tok.(type) {
		case json.Delim:
			if len(stack) >= maxDepth {
				return nil, nil, fmt.Errorf("offset %d: nested deeper than %d", dec.InputOffset(), maxDepth)
			}
			stack = append(stack, &frame{path: path, isArray: v == '[', wantKey: v == '{'})
		case nil:
		default:
			s := strings.TrimSpace(fmt.Sprint(v))
			if s == "" {
				continue
			}
			if _, dup := values[path]; !dup {
				order = append(order, path)
			}
			values[path] = s
			if len(values) > maxLeaves {
				return nil, nil, fmt.Errorf("more than %d fields", maxLeaves)
			}
		}
	}
	if first {
		return nil, nil, errors.New("empty input")
	}
	if len(stack) != 0 {
		return nil, nil, errors.New("unterminated JSON")
	}
	return values, order, nil
}
