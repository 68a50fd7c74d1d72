package pdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"sort"
	"strings"
)

// pdfBuilder writes small PDF files for tests, keeping track of object
// offsets so that the cross-reference data can be right — or wrong on purpose.
type pdfBuilder struct {
	buf  bytes.Buffer
	offs map[int]int
}

func newPDF() *pdfBuilder {
	b := &pdfBuilder{offs: map[int]int{}}
	b.buf.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	return b
}

func (b *pdfBuilder) obj(num int, body string) *pdfBuilder {
	b.offs[num] = b.buf.Len()
	fmt.Fprintf(&b.buf, "%d 0 obj\n%s\nendobj\n", num, body)
	return b
}

func (b *pdfBuilder) stream(num int, dict string, data []byte) *pdfBuilder {
	return b.obj(num, fmt.Sprintf("<<%s /Length %d>>\nstream\n%s\nendstream", dict, len(data), data))
}

func deflate(data []byte) []byte {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	_, _ = w.Write(data)
	_ = w.Close()
	return z.Bytes()
}

// xref appends a classic xref table covering every object written so far,
// and a trailer; it returns the file bytes.
func (b *pdfBuilder) xref(trailer string) []byte {
	off := b.buf.Len()
	nums := b.nums()
	size := nums[len(nums)-1] + 1
	fmt.Fprintf(&b.buf, "xref\n0 %d\n0000000000 65535 f \n", size)
	for n := 1; n < size; n++ {
		if o, ok := b.offs[n]; ok {
			fmt.Fprintf(&b.buf, "%010d 00000 n \n", o)
		} else {
			b.buf.WriteString("0000000000 65535 f \n")
		}
	}
	fmt.Fprintf(&b.buf, "trailer\n<</Size %d %s>>\nstartxref\n%d\n%%%%EOF\n", size, trailer, off)
	return bytes.Clone(b.buf.Bytes())
}

func (b *pdfBuilder) nums() []int {
	var nums []int
	for n := range b.offs {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	return nums
}

// simplePage writes objects 1–5: catalog, page tree, one 200×200 page with the
// given content, and Helvetica as /F1.
func simplePage(content string) *pdfBuilder {
	return newPDF().
		obj(1, "<</Type /Catalog /Pages 2 0 R>>").
		obj(2, "<</Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 200 200]>>").
		obj(3, "<</Type /Page /Parent 2 0 R /Resources <</Font <</F1 5 0 R>>>> /Contents 4 0 R>>").
		stream(4, "", []byte(content)).
		obj(5, "<</Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding>>")
}

// objStmPDF writes the simplePage document with objects 1, 2, 3 and 5 inside
// an object stream (object 6) and an xref stream (object 7) with PNG
// predictors, the way modern producers write files.
func objStmPDF(content string) []byte {
	b := newPDF()
	objs := []struct {
		num  int
		body string
	}{
		{1, "<</Type /Catalog /Pages 2 0 R>>"},
		{2, "<</Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 200 200]>>"},
		{3, "<</Type /Page /Parent 2 0 R /Resources <</Font <</F1 5 0 R>>>> /Contents 4 0 R>>"},
		{5, "<</Type /Font /Subtype /Type1 /BaseFont /Helvetica>>"},
	}
	var header, body strings.Builder
	for _, o := range objs {
		fmt.Fprintf(&header, "%d %d ", o.num, body.Len())
		body.WriteString(o.body + "\n")
	}
	data := header.String() + body.String()
	b.stream(4, "/Filter /FlateDecode", deflate([]byte(content)))
	b.stream(6, fmt.Sprintf("/Type /ObjStm /N %d /First %d /Filter /FlateDecode", len(objs), header.Len()), deflate([]byte(data)))
	// Xref stream rows: type (1 byte), field 2 (2 bytes), field 3 (1 byte),
	// PNG "Up" predictor with 4 columns.
	xrefOff := b.buf.Len()
	rows := [][4]byte{{0, 0, 0, 0}}
	for n := 1; n <= 7; n++ {
		switch {
		case n == 4 || n == 6:
			o := b.offs[n]
			rows = append(rows, [4]byte{1, byte(o >> 8), byte(o), 0})
		case n == 7:
			rows = append(rows, [4]byte{1, byte(xrefOff >> 8), byte(xrefOff), 0})
		default:
			idx := 0
			for i, o := range objs {
				if o.num == n {
					idx = i
				}
			}
			rows = append(rows, [4]byte{2, 0, 6, byte(idx)})
		}
	}
	var raw []byte
	prev := [4]byte{}
	for _, r := range rows {
		raw = append(raw, 2) // Up
		for i := range r {
			raw = append(raw, r[i]-prev[i])
		}
		prev = r
	}
	b.stream(7, "/Type /XRef /Size 8 /W [1 2 1] /Root 1 0 R /Filter /FlateDecode /DecodeParms <</Predictor 12 /Columns 4>>", deflate(raw))
	b.offs[7] = xrefOff
	fmt.Fprintf(&b.buf, "startxref\n%d\n%%%%EOF\n", xrefOff)
	return bytes.Clone(b.buf.Bytes())
}
