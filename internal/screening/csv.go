package screening

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Caps on hostile or broken input.
const (
	maxEntries    = 1_000_000
	maxFieldBytes = 1024
	maxAliases    = 200
)

// columns are the header names LoadCSV requires, in any order.
var columns = []string{"id", "name", "aliases", "country", "program"}

// LineError reports a problem in one line of a watch-list CSV file.
type LineError struct {
	Line int // 1-based line number in the file
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// LoadCSV reads a watch list in CSV form (RFC 4180, UTF-8, an optional
// byte-order mark). The first row is a header naming exactly these
// columns, in any order, case-insensitively:
//
//	id       the list's identifier for the entry; required, unique
//	name     the primary name; required
//	aliases  other names, separated by ";" (may be empty)
//	country  country as published (may be empty)
//	program  sanctions programme or listing reason (may be empty)
//
// Surrounding spaces are trimmed from every field. Errors name the line.
// At most 1,000,000 entries, 1024 bytes per field and 200 aliases per
// entry are accepted.
func LoadCSV(r io.Reader) (*List, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\uFEFF" {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("watch list: missing header row")
	}
	if err != nil {
		return nil, fmt.Errorf("watch list: %w", err)
	}
	col, err := headerIndex(header)
	if err != nil {
		return nil, fmt.Errorf("watch list: %w", &LineError{Line: 1, Err: err})
	}

	l := &List{}
	seen := make(map[string]int) // id → line
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("watch list: %w", err) // *csv.ParseError names the line
		}
		line, _ := cr.FieldPos(0)
		if len(l.entries) == maxEntries {
			return nil, fmt.Errorf("watch list: %w", &LineError{Line: line, Err: fmt.Errorf("more than %d entries", maxEntries)})
		}
		e, err := parseEntry(rec, col)
		if err != nil {
			return nil, fmt.Errorf("watch list: %w", &LineError{Line: line, Err: err})
		}
		if first, dup := seen[e.ID]; dup {
			return nil, fmt.Errorf("watch list: %w", &LineError{Line: line, Err: fmt.Errorf("id %q already used on line %d", e.ID, first)})
		}
		seen[e.ID] = line
		if err := l.add(e); err != nil {
			return nil, fmt.Errorf("watch list: %w", &LineError{Line: line, Err: err})
		}
	}
	return l, nil
}

// headerIndex maps each required column to its position.
func headerIndex(header []string) (map[string]int, error) {
	col := make(map[string]int, len(columns))
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(columns, h) {
			return nil, fmt.Errorf("unknown column %q (want %s)", h, strings.Join(columns, ","))
		}
		if _, dup := col[h]; dup {
			return nil, fmt.Errorf("column %q appears twice", h)
		}
		col[h] = i
	}
	for _, c := range columns {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("missing column %q (want %s)", c, strings.Join(columns, ","))
		}
	}
	return col, nil
}

func parseEntry(rec []string, col map[string]int) (Entry, error) {
	for i, f := range rec {
		if len(f) > maxFieldBytes {
			return Entry{}, fmt.Errorf("field %d is longer than %d bytes", i+1, maxFieldBytes)
		}
	}
	field := func(name string) string { return strings.TrimSpace(rec[col[name]]) }
	e := Entry{
		ID:      field("id"),
		Name:    field("name"),
		Country: field("country"),
		Program: field("program"),
	}
	switch {
	case e.ID == "":
		return Entry{}, errors.New("id must not be empty")
	case e.Name == "":
		return Entry{}, errors.New("name must not be empty")
	}
	for _, a := range strings.Split(field("aliases"), ";") {
		if a = strings.TrimSpace(a); a != "" {
			e.Aliases = append(e.Aliases, a)
		}
	}
	if len(e.Aliases) > maxAliases {
		return Entry{}, fmt.Errorf("more than %d aliases", maxAliases)
	}
	return e, nil
}

// add appends e and its prepared names. A name that normalises to nothing
// (only punctuation) could never match and would hide a data error.
func (l *List) add(e Entry) error {
	idx := len(l.entries)
	for i, n := range append([]string{e.Name}, e.Aliases...) {
		rs := []rune(normalize(n))
		if len(rs) == 0 {
			if i == 0 {
				return fmt.Errorf("name %q has no letters or digits", n)
			}
			return fmt.Errorf("alias %q has no letters or digits", n)
		}
		h, _ := histogram(rs)
		l.names = append(l.names, preparedName{entry: idx, orig: n, runes: rs})
		l.filters = append(l.filters, nameFilter{length: len(rs), hist: h})
	}
	l.entries = append(l.entries, e)
	return nil
}
