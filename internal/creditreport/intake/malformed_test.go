package intake

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"creditpocket/internal/errs"
)

// bombPDF is minimalPDF whose page content is a Flate stream of a few
// hundred kilobytes that inflates to n bytes of spaces.
func bombPDF(t *testing.T, n int) string {
	t.Helper()
	var z bytes.Buffer
	w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if _, err := io.Copy(w, io.LimitReader(spaces{}, int64(n))); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
		"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Contents 4 0 R>>endobj\n" +
		fmt.Sprintf("4 0 obj<</Length %d/Filter/FlateDecode>>stream\n", z.Len()) + z.String() + "\nendstream endobj\n" +
		"trailer<</Root 1 0 R>>\n%%EOF\n"
}

type spaces struct{}

func (spaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// TestEveryMalformedFileIsRefusedNamingTheFile sends the uploads a
// careless or hostile client sends: each is a 4xx on "file", never an
// internal error.
func TestEveryMalformedFileIsRefusedNamingTheFile(t *testing.T) {
	pdf := string(fixture(t))
	cut := func(ct string, body []byte) (string, []byte) { return ct, body[:len(body)*2/3] }
	for _, tt := range []struct {
		name   string
		parts  []string
		length int64 // -1: not declared (chunked)
		mangle func(string, []byte) (string, []byte)
		code   errs.Code
	}{
		{name: "an empty file", parts: []string{"file", ""}, code: errs.Invalid},
		{name: "a file of 30 MB and one byte, its length not declared", parts: []string{"file", strings.Repeat("x", MaxFile+1)}, length: -1, code: errs.TooLarge},
		{name: "a body cut off inside the file", parts: []string{"file", pdf}, mangle: cut, code: errs.Invalid},
		{name: "a file that is text, not a PDF", parts: []string{"file", "hello, this is not a PDF at all"}, code: errs.Invalid},
		{name: "a PDF header and nothing else", parts: []string{"file", "%PDF-1.7\n"}, code: errs.Invalid},
		{name: "a decompression bomb", parts: []string{"file", bombPDF(t, 1<<30)}, code: errs.Invalid},
	} {
		t.Run(tt.name+" is refused as "+string(tt.code)+" on file", func(t *testing.T) {
			ct, body := form(t, tt.parts...)
			if tt.mangle != nil {
				ct, body = tt.mangle(ct, body)
			}
			length := int64(len(body))
			if tt.length != 0 {
				length = tt.length
			}
			_, err := (&Service{}).Read(context.Background(), ct, length, bytes.NewReader(body))
			var e *errs.Error
			if !errors.As(err, &e) || e.Code != tt.code || e.Field != "file" || e.Message == "" {
				t.Fatalf("= %v; want %s on file", err, tt.code)
			}
		})
	}
}
