package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func open(t testing.TB, data []byte, lim Limits) (*Document, error) {
	t.Helper()
	return Open(bytes.NewReader(data), int64(len(data)), lim)
}

// pageText opens data and returns the text of every page.
func pageText(t testing.TB, data []byte) string {
	t.Helper()
	doc, err := open(t, data, DefaultLimits())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	var b strings.Builder
	for n := 1; n <= doc.NumPages(); n++ {
		p, err := doc.Page(n)
		if err != nil {
			t.Fatalf("Page(%d): %v", n, err)
		}
		b.WriteString(p.Text())
	}
	return b.String()
}

func TestOpenReadsEveryFileStructure(t *testing.T) {
	const content = "BT /F1 12 Tf 10 20 Td (Hello) Tj ET"
	classic := simplePage(content).xref("/Root 1 0 R")

	// An incremental update replacing the content stream.
	upd := simplePage(content)
	first := upd.xref("/Root 1 0 R")
	prevXref := bytes.LastIndex(first, []byte("xref\n"))
	upd2 := &pdfBuilder{offs: map[int]int{}}
	upd2.buf.Write(first)
	upd2.stream(4, "", []byte("BT /F1 12 Tf 10 20 Td (World) Tj ET"))
	off := upd2.buf.Len()
	fmt.Fprintf(&upd2.buf, "xref\n4 1\n%010d 00000 n \ntrailer\n<</Size 6 /Root 1 0 R /Prev %d>>\nstartxref\n%d\n%%%%EOF\n", upd2.offs[4], prevXref, off)
	updated := upd2.buf.Bytes()

	// Wrong offsets everywhere: every entry points 7 bytes too far.
	shifted := bytes.Clone(classic)
	for _, n := range []int{1, 2, 3, 4, 5} {
		o := fmt.Sprintf("%010d 00000 n", simplePage(content).offs[n])
		shifted = bytes.Replace(shifted, []byte(o), []byte(fmt.Sprintf("%010d 00000 n", simplePage(content).offs[n]+7)), 1)
	}

	// No xref at all.
	noXref := classic[:bytes.Index(classic, []byte("xref\n"))]

	// A /Prev that points back to the same section.
	cyclic := bytes.Replace(classic, []byte("/Root 1 0 R"), []byte(fmt.Sprintf("/Root 1 0 R /Prev %d", bytes.LastIndex(classic, []byte("xref\n")))), 1)

	// A stream whose /Length is absurd.
	badLength := bytes.Replace(classic, []byte(fmt.Sprintf("/Length %d", len(content))), []byte("/Length 999999999"), 1)

	// Junk before the header shifts every offset; CRLF line ends.
	crlf := bytes.ReplaceAll(simplePage(content).xref("/Root 1 0 R"), []byte("\n"), []byte("\r\n"))

	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"a classic xref table", classic, "Hello\n"},
		{"an xref stream with object streams and PNG predictors", objStmPDF(content), "Hello\n"},
		{"an incremental update shadows the older content", updated, "World\n"},
		{"wrong xref offsets are repaired by a scan", shifted, "Hello\n"},
		{"a missing xref is rebuilt by a scan", noXref, "Hello\n"},
		{"a cyclic /Prev chain stops", cyclic, "Hello\n"},
		{"a wrong /Length falls back to endstream", badLength, "Hello\n"},
		{"CRLF line ends and broken offsets are tolerated", crlf, "Hello\n"},
		{"junk before the header is skipped", append([]byte("garbage\n"), classic...), "Hello\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pageText(t, tt.data); got != tt.want {
				t.Errorf("text = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHostileInputFailsWithLocatedErrors(t *testing.T) {
	const content = "BT /F1 12 Tf 10 20 Td (Hello) Tj ET"
	tight := Limits{MaxStreamBytes: 1 << 20, MaxTotalBytes: 4 << 20, MaxOpsPerPage: 10_000, MaxDepth: 32}

	deep := strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000)
	bombPDF := newPDF().
		obj(1, "<</Type /Catalog /Pages 2 0 R>>").
		obj(2, "<</Type /Pages /Kids [3 0 R] /Count 1>>").
		obj(3, "<</Type /Page /Parent 2 0 R /Contents 4 0 R>>").
		stream(4, "/Filter /FlateDecode", deflate(make([]byte, 16<<20))).
		xref("/Root 1 0 R")
	endless := simplePage(strings.Repeat("0 0 m ", 20_000)).xref("/Root 1 0 R")
	refCycle := newPDF().
		obj(1, "<</Type /Catalog /Pages 2 0 R>>").
		obj(2, "<</Type /Pages /Kids [3 0 R] /Count 1>>").
		obj(3, "<</Type /Page /Parent 2 0 R /Contents 6 0 R>>").
		obj(6, "7 0 R").
		obj(7, "6 0 R").
		xref("/Root 1 0 R")
	treeCycle := newPDF().
		obj(1, "<</Type /Catalog /Pages 2 0 R>>").
		obj(2, "<</Type /Pages /Kids [2 0 R] /Count 1>>").
		xref("/Root 1 0 R")
	// Files crafted to make a naive reader quadratic: objects that all run to
	// the end of the file, streams that all search for one endstream, and a
	// file of nothing but trailer keywords.
	var overlapping, streams, trailers bytes.Buffer
	overlapping.WriteString("%PDF-1.4\n")
	streams.WriteString("%PDF-1.4\n")
	trailers.WriteString("%PDF-1.4\n")
	for i := 1; overlapping.Len() < 1<<20; i++ {
		fmt.Fprintf(&overlapping, "%d 0 obj (", i)
		fmt.Fprintf(&streams, "%d 0 obj <</Length 99999999>> stream\n", i)
		trailers.WriteString("trailer (")
	}
	streams.WriteString("endstream")
	hugeXref := []byte("%PDF-1.4\nxref\n0 99999999\n0000000000 65535 f \ntrailer\n<</Size 99999999>>\nstartxref\n9\n%%EOF\n")

	tests := []struct {
		name    string
		data    []byte
		lim     Limits
		atOpen  bool // the error comes from Open rather than Page
		wantErr error
		wantMsg string
	}{
		{"a JPEG is not a PDF", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"), tight, true, ErrNotPDF, "read header at offset 0"},
		{"an empty file is not a PDF", nil, tight, true, ErrNotPDF, ""},
		{"an encrypted file is refused", simplePage(content).obj(9, "<</Filter /Standard /V 2 /R 3>>").xref("/Root 1 0 R /Encrypt 9 0 R"), tight, true, ErrEncrypted, "encrypted"},
		{"a truncated file has no page tree", simplePage(content).xref("/Root 1 0 R")[:60], tight, true, ErrMalformed, ""},
		{"a 10,000-deep Info dictionary is ignored", simplePage(content).obj(9, deep).xref("/Root 1 0 R /Info 9 0 R"), tight, false, nil, ""},
		{"a deeply nested catalog hits the depth limit", newPDF().obj(1, "<</Type /Catalog /Pages 2 0 R /X "+deep+">>").xref("/Root 1 0 R"), tight, true, ErrLimit, "nesting depth exceeds limit of 32"},
		{"a flate bomb hits the stream limit", bombPDF, tight, false, ErrLimit, "page 1: object 4: decode FlateDecode at offset"},
		{"an endless content stream hits the operator limit", endless, tight, false, ErrLimit, "page 1: object 3: content at offset"},
		{"a reference cycle is cut by the depth limit", refCycle, tight, false, ErrLimit, "reference chain exceeds limit"},
		{"a page tree cycle is reported", treeCycle, tight, true, errCycle, "object 2: read page tree"},
		{"a huge object count hits the object limit", hugeXref, Limits{MaxObjects: 1000}, true, ErrLimit, "exceeds limit of 1000"},
		{"overlapping objects hit the parse budget", overlapping.Bytes(), Limits{}, true, ErrLimit, "bytes parsed exceeds limit"},
		{"streams without endstream are found in one pass", streams.Bytes(), Limits{}, true, ErrMalformed, "no document catalog"},
		{"a file of trailer keywords is rejected quickly", trailers.Bytes(), Limits{}, true, ErrMalformed, "no document catalog"},
		{"a huge file hits the size limit", simplePage(content).xref("/Root 1 0 R"), Limits{MaxFileSize: 100}, true, ErrLimit, "file size exceeds limit of 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := open(t, tt.data, tt.lim)
			if !tt.atOpen {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				for n := 1; n <= doc.NumPages() && err == nil; n++ {
					_, err = doc.Page(n)
				}
				_ = doc.Info()
			}
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			var located *Error
			if !errors.As(err, &located) {
				t.Fatalf("error %v is not a *pdf.Error", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tt.wantMsg)
			}
		})
	}
}

func TestImageOnlyPageHasNoGlyphs(t *testing.T) {
	data := newPDF().
		obj(1, "<</Type /Catalog /Pages 2 0 R>>").
		obj(2, "<</Type /Pages /Kids [3 0 R] /Count 1>>").
		obj(3, "<</Type /Page /Parent 2 0 R /MediaBox [0 0 300 400] /Resources <</XObject <</Im1 5 0 R>>>> /Contents 4 0 R>>").
		stream(4, "", []byte("q 300 0 0 400 0 0 cm /Im1 Do Q")).
		stream(5, "/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode", []byte("\xff\xd8\xff\xd9")).
		xref("/Root 1 0 R")
	doc, err := open(t, data, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	p, err := doc.Page(1)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Glyphs) != 0 || p.Width != 300 || p.Height != 400 {
		t.Errorf("page = %d glyphs, %gx%g; want 0 glyphs, 300x400", len(p.Glyphs), p.Width, p.Height)
	}
}

func TestPageOutOfRange(t *testing.T) {
	doc, err := open(t, simplePage("").xref("/Root 1 0 R"), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 2, -1} {
		if _, err := doc.Page(n); !errors.Is(err, ErrPageRange) {
			t.Errorf("Page(%d) error = %v, want ErrPageRange", n, err)
		}
	}
}

func TestInfoDecodesTextStrings(t *testing.T) {
	data := simplePage("").
		obj(9, "<</Title <FEFF4E2A4EBA> /Producer (LibreOffice \\(7.4\\)) /Author (Caf\\351)>>").
		xref("/Root 1 0 R /Info 9 0 R")
	doc, err := open(t, data, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	info := doc.Info()
	want := map[string]string{"Title": "个人", "Producer": "LibreOffice (7.4)", "Author": "Café"}
	for k, v := range want {
		if info[k] != v {
			t.Errorf("Info()[%q] = %q, want %q", k, info[k], v)
		}
	}
}

func TestErrorMessageReadsWell(t *testing.T) {
	err := &Error{Page: 3, Object: 12, Offset: 345, Op: "decode FlateDecode", Err: limitErr("decompressed stream size", 1024)}
	want := "pdf: page 3: object 12: decode FlateDecode at offset 345: decompressed stream size exceeds limit of 1024"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	if !errors.Is(err, ErrLimit) {
		t.Error("errors.Is(err, ErrLimit) = false")
	}
}
