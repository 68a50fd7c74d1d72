package pdf

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// meter is a memory hook that counts what is held and refuses past cap.
type meter struct {
	held, peak, cap int64
}

var errFull = errors.New("memory hook: full")

func (m *meter) charge(n int64) error {
	if n > 0 && m.held+n > m.cap {
		return errFull
	}
	m.held += n
	m.peak = max(m.peak, m.held)
	return nil
}

func TestMemoryHook(t *testing.T) {
	bomb := simplePage("").stream(4, "/Filter /FlateDecode", deflate(bytes.Repeat([]byte{' '}, 24<<20))).xref("/Root 1 0 R")
	text := simplePage("BT /F1 12 Tf 10 20 Td (" + strings.Repeat("A", 200_000) + ") Tj ET")
	textPDF := text.stream(4, "/Filter /FlateDecode", deflate([]byte("BT /F1 12 Tf 10 20 Td ("+strings.Repeat("A", 200_000)+") Tj ET"))).xref("/Root 1 0 R")
	for _, tc := range []struct {
		name     string
		file     []byte
		cap      int64
		wantErr  error
		minPeak  int64
		maxPeak  int64
		keepsAll bool
	}{
		{"a stream inflating to 24 MiB is charged as it grows", bomb, 1 << 30, nil, 24 << 20, 64 << 20, false},
		{"a stream inflating past the hook's room stops with the hook's error", bomb, 8 << 20, errFull, 0, 8 << 20, false},
		{"the glyphs of a page are charged", textPDF, 1 << 30, nil, 200_000 * glyphBytes, 1 << 30, true},
		{"glyphs past the hook's room stop the page with the hook's error", textPDF, 2 << 20, errFull, 0, 2 << 20, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &meter{cap: tc.cap}
			doc, err := Open(bytes.NewReader(tc.file), int64(len(tc.file)), Limits{Memory: m.charge})
			if err != nil {
				t.Fatal(err)
			}
			opened := m.held
			p, err := doc.Page(1)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Page(1) error = %v, want %v", err, tc.wantErr)
			}
			if m.peak < tc.minPeak || m.peak > tc.maxPeak {
				t.Fatalf("peak %d, want %d–%d", m.peak, tc.minPeak, tc.maxPeak)
			}
			var kept int64
			if p != nil {
				kept = p.Bytes()
			}
			if m.held != opened+kept {
				t.Fatalf("after the page %d held, want the document's %d and the glyphs' %d: decoded bytes were not given back", m.held, opened, kept)
			}
			if tc.keepsAll && kept < int64(len(p.Glyphs))*glyphBytes {
				t.Fatalf("glyphs charged %d for %d glyphs", kept, len(p.Glyphs))
			}
		})
	}
}

func TestAPageShowsAtMostMaxGlyphsPerPage(t *testing.T) {
	content := "BT /F1 12 Tf 10 20 Td (" + strings.Repeat("A", 1000) + ") Tj ET"
	file := simplePage(content).xref("/Root 1 0 R")
	doc, err := Open(bytes.NewReader(file), int64(len(file)), Limits{MaxGlyphsPerPage: 999})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := doc.Page(1); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "glyphs per page") {
		t.Fatalf("Page(1) error = %v; want the glyph limit", err)
	}
}

func TestAPredictorCannotMakeARowLargerThanTheData(t *testing.T) {
	// 32 colours × 16 bits × 2^20 columns would be a 64 MiB row.
	p := dict{"Predictor": int64(12), "Colors": int64(32), "BitsPerComponent": int64(16), "Columns": int64(1 << 20)}
	allocs := testing.AllocsPerRun(1, func() { _, _ = predict([]byte{0, 1, 2, 3}, p) })
	if allocs > 2 {
		t.Fatalf("%v allocations", allocs)
	}
}
