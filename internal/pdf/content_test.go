package pdf

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// helvetica and cjk are font resources for content tests; cjk is a Type0
// Identity-H font whose codes 1–3 are 个, 人 and a space, with /W widths.
var (
	helvetica = dict{"Type": name("Font"), "Subtype": name("Type1"), "BaseFont": name("Helvetica")}
	cjk       = dict{
		"Type": name("Font"), "Subtype": name("Type0"), "Encoding": name("Identity-H"),
		"DescendantFonts": array{dict{"Subtype": name("CIDFontType2"), "DW": int64(1000), "W": array{int64(2), array{int64(500), int64(250)}}}},
		"ToUnicode":       &stream{raw: []byte("1 begincodespacerange <0000> <FFFF> endcodespacerange 1 beginbfrange <0001> <0003> [<4E2A> <4EBA> <0020>] endbfrange")},
	}
	vertical = func() dict {
		v := dict{}
		for k, x := range cjk {
			v[k] = x
		}
		v["Encoding"] = name("Identity-V")
		return v
	}()
	// Predefined CJK CMaps without ToUnicode, as iText and older producers write.
	ucs2 = dict{"Subtype": name("Type0"), "Encoding": name("UniGB-UCS2-H"), "DescendantFonts": array{dict{"Subtype": name("CIDFontType0")}}}
	gbk  = dict{"Subtype": name("Type0"), "Encoding": name("GBK-EUC-H"), "DescendantFonts": array{dict{"Subtype": name("CIDFontType0")}}}

	type3 = dict{"Subtype": name("Type3"), "FontMatrix": array{0.01, int64(0), int64(0), 0.01, int64(0), int64(0)},
		"FirstChar": int64(1), "Widths": array{int64(50)}, "Encoding": dict{"Differences": array{int64(1), name("uni4E2A")}}}

	testResources = dict{"Font": dict{"F1": helvetica, "F2": cjk, "F3": ucs2, "F4": gbk, "F5": vertical, "F6": type3}}
)

func runContent(t *testing.T, content string) *Page {
	t.Helper()
	d := newDocument(nil, DefaultLimits())
	p := &Page{}
	if err := newInterp(d, p).run([]byte(content), testResources, identity, 0); err != nil {
		t.Fatalf("run(%q): %v", content, err)
	}
	return p
}

func glyphsString(gs []Glyph) string {
	var b strings.Builder
	for _, g := range gs {
		fmt.Fprintf(&b, "%s@%.3g,%.3g ", g.Text, g.X, g.Y)
	}
	return strings.TrimSpace(b.String())
}

func TestTextPositioning(t *testing.T) {
	// Helvetica widths: H 722, e 556, A 667, B 667, space 278.
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"Tj advances by glyph widths", "BT /F1 10 Tf 10 20 Td (He) Tj ET", "H@10,20 e@17.2,20"},
		{"TJ numbers move left by thousandths of the font size", "BT /F1 10 Tf [(A) -1000 (B)] TJ ET", "A@0,0 B@16.7,0"},
		{"Tc adds to every glyph and Tw to spaces", "BT /F1 10 Tf 1 Tc 2 Tw (A B) Tj ET", "A@0,0  @7.67,0 B@13.4,0"},
		{"Tz scales advances horizontally", "BT /F1 10 Tf 50 Tz (AB) Tj ET", "A@0,0 B@3.33,0"},
		{"Ts raises the baseline", "BT /F1 10 Tf 5 Ts (A) Tj ET", "A@0,5"},
		{"cm scales and moves user space", "2 0 0 2 10 10 cm BT /F1 10 Tf (AB) Tj ET", "A@10,10 B@23.3,10"},
		{"Tm sets the text matrix", "BT /F1 10 Tf 1 0 0 1 50 60 Tm (A) Tj ET", "A@50,60"},
		{"TD sets the leading used by T* and '", "BT /F1 10 Tf 0 100 Td (A) Tj 0 -12 TD (B) Tj T* (A) Tj (B) ' ET", "A@0,100 B@0,88 A@0,76 B@0,64"},
		{`" sets word and character spacing`, "BT /F1 10 Tf 14 TL 0 100 Td 3 1 (A B) \" ET", "A@0,86  @7.67,86 B@14.4,86"},
		{"Q restores the matrix and font size", "q 1 0 0 1 100 0 cm BT /F1 20 Tf ET Q BT /F1 10 Tf (A) Tj ET", "A@0,0"},
		{"Td accumulates from the line start", "BT /F1 10 Tf 10 10 Td (AB) Tj 5 5 Td (A) Tj ET", "A@10,10 B@16.7,10 A@15,15"},
		{"Type0 codes use /W and DW widths", "BT /F2 10 Tf <000100020003> Tj (\x00\x01) Tj ET", "个@0,0 人@10,0  @15,0 个@17.5,0"},
		{"a UCS2 CMap gives Unicode codes", "BT /F3 10 Tf <4E2A4EBA> Tj ET", "个@0,0 人@10,0"},
		{"a GBK CMap mixes one- and two-byte codes", "BT /F4 10 Tf <B8F6C8CB41> Tj (A) Tj ET", "个@0,0 人@10,0 A@20,0 A@25,0"},
		{"Identity-V advances downwards", "BT /F5 10 Tf 0 100 Td <00010002> Tj ET", "个@0,100 人@0,90"},
		{"Type3 widths are scaled by the FontMatrix", "BT /F6 10 Tf <0101> Tj ET", "个@0,0 个@5,0"},
		{"inline images are skipped", "BI /W 1 /H 1 /BPC 8 /CS /G ID \x00EI\xff\nEI BT /F1 10 Tf (A) Tj ET", "A@0,0"},
		{"marked content with a property dictionary is ignored", "/P <</MCID 0 /Alt (x>>y)>> BDC BT /F1 10 Tf (A) Tj ET EMC", "A@0,0"},
		{"an unknown font falls back instead of failing", "BT /F9 10 Tf (A) Tj ET", "A@0,0"},
		{"text before any Tf still comes out", "BT (A) Tj ET", "A@0,0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := glyphsString(runContent(t, tt.content).Glyphs); got != tt.want {
				t.Errorf("glyphs = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestGlyphWidthAndSize(t *testing.T) {
	p := runContent(t, "BT /F1 10 Tf 2 0 0 3 0 0 Tm (H) Tj ET")
	g := p.Glyphs[0]
	if math.Abs(g.W-14.44) > 1e-9 || g.Size != 30 {
		t.Errorf("W, Size = %v, %v; want 14.44 (0.722×10×2), 30 (10×3)", g.W, g.Size)
	}
}

func TestRulingLines(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    []Segment
	}{
		{"a stroked horizontal line", "10 10 m 100 10 l S", []Segment{{10, 10, 100, 10}}},
		{"a line drawn right to left is normalized", "100 10 m 10 10 l S", []Segment{{10, 10, 100, 10}}},
		{"a stroked rectangle gives four edges", "10 10 90 40 re S", []Segment{{10, 10, 100, 10}, {100, 10, 100, 50}, {10, 50, 100, 50}, {10, 10, 10, 50}}},
		{"a thin filled rectangle gives its centre line", "10 10 90 1 re f", []Segment{{10, 10.5, 100, 10.5}}},
		{"a thin filled path rectangle counts too", "10 10 m 11 10 l 11 90 l 10 90 l h f", []Segment{{10.5, 10, 10.5, 90}}},
		{"a large filled rectangle is shading, not a line", "10 10 90 40 re f", nil},
		{"diagonals and curves are not ruling lines", "0 0 m 50 50 l S 0 0 m 10 10 20 20 30 0 c S", nil},
		{"closing a path adds only axis-aligned edges", "10 10 m 100 10 l 100 50 l s", []Segment{{10, 10, 100, 10}, {100, 10, 100, 50}}},
		{"a clipping path ended by n is discarded", "0 0 500 500 re W n 10 10 m 100 10 l S", []Segment{{10, 10, 100, 10}}},
		{"paths are transformed by the CTM", "2 0 0 2 5 5 cm 0 0 m 10 0 l S", []Segment{{5, 5, 25, 5}}},
		{"a rectangle both filled and stroked gives its edges", "10 10 20 20 re B", []Segment{{10, 10, 30, 10}, {30, 10, 30, 30}, {10, 30, 30, 30}, {10, 10, 10, 30}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runContent(t, tt.content).Lines
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("lines = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFormXObjects(t *testing.T) {
	form := func(num int, matrix, content string) string {
		return fmt.Sprintf("%d 0 obj\n<</Type /XObject /Subtype /Form /BBox [0 0 100 100] /Matrix %s /Resources <</Font <</F1 5 0 R>> /XObject <</Fx 6 0 R /Fy 7 0 R>>>> /Length %d>>\nstream\n%s\nendstream\nendobj\n", num, matrix, len(content), content)
	}
	build := func(formContent string) []byte {
		b := newPDF().
			obj(1, "<</Type /Catalog /Pages 2 0 R>>").
			obj(2, "<</Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 200 200]>>").
			obj(3, "<</Type /Page /Parent 2 0 R /Resources <</XObject <</Fx 6 0 R>>>> /Contents 4 0 R>>").
			stream(4, "", []byte("q 1 0 0 1 0 50 cm /Fx Do Q /Fx Do")).
			obj(5, "<</Type /Font /Subtype /Type1 /BaseFont /Helvetica>>")
		b.offs[6] = b.buf.Len()
		b.buf.WriteString(form(6, "[1 0 0 1 100 0]", formContent))
		b.offs[7] = b.buf.Len()
		b.buf.WriteString(form(7, "[1 0 0 1 0 0]", "/Fx Do"))
		return b.xref("/Root 1 0 R")
	}

	t.Run("a form draws with its own matrix and resources, in the caller's CTM", func(t *testing.T) {
		doc, err := open(t, build("BT /F1 10 Tf (A) Tj ET 0 0 m 10 0 l S"), DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		p, err := doc.Page(1)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := glyphsString(p.Glyphs), "A@100,50 A@100,0"; got != want {
			t.Errorf("glyphs = %q, want %q", got, want)
		}
		if got, want := fmt.Sprint(p.Lines), "[{100 50 110 50} {100 0 110 0}]"; got != want {
			t.Errorf("lines = %s, want %s", got, want)
		}
	})
	t.Run("forms that invoke each other stop at the depth limit", func(t *testing.T) {
		doc, err := open(t, build("/Fy Do"), Limits{MaxDepth: 8})
		if err != nil {
			t.Fatal(err)
		}
		_, err = doc.Page(1)
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "Form XObject nesting") {
			t.Errorf("error = %v, want a Form XObject nesting limit", err)
		}
	})
}

func TestPageText(t *testing.T) {
	p := &Page{Glyphs: []Glyph{
		{Text: "B", X: 20, Y: 100, W: 5, Size: 10},
		{Text: "A", X: 10, Y: 100.5, W: 5, Size: 10},
		{Text: " ", X: 15, Y: 100, W: 3, Size: 10},
		{Text: "C", X: 10, Y: 80, W: 5, Size: 10},
		{Text: "D", X: 15, Y: 80, W: 5, Size: 10},
	}}
	if got, want := p.Text(), "A B\nCD\n"; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
}
