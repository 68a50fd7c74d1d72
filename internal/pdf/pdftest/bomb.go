// Package pdftest makes hostile PDF files for tests and load scripts.
package pdftest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strconv"
	"strings"
)

// FlateBomb is a small PDF (about 32 KB a page) whose pages each inflate
// to 32 MiB of blanks — just under the reader's per-stream cap, so every
// page is legal alone and the document reaches the reader's total cap on
// decoded bytes.
func FlateBomb(pages int) []byte {
	var z bytes.Buffer
	w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	chunk := bytes.Repeat([]byte{' '}, 1<<20)
	for range 32 {
		_, _ = w.Write(chunk)
	}
	_ = w.Close()
	var b bytes.Buffer
	var offs []int
	obj := func(body string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), body)
	}
	b.WriteString("%PDF-1.7\n")
	kids := make([]string, pages)
	for i := range kids {
		kids[i] = fmt.Sprintf("%d 0 R", 3+2*i)
	}
	obj("<</Type /Catalog /Pages 2 0 R>>")
	obj("<</Type /Pages /Kids [" + strings.Join(kids, " ") + "] /Count " + strconv.Itoa(pages) + " /MediaBox [0 0 595 842]>>")
	for i := range pages {
		obj(fmt.Sprintf("<</Type /Page /Parent 2 0 R /Contents %d 0 R>>", 4+2*i))
		obj(fmt.Sprintf("<</Length %d /Filter /FlateDecode>>\nstream\n%s\nendstream", z.Len(), z.Bytes()))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d /Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}
