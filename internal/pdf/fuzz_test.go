package pdf

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Run the fuzz targets with a short minimization time: seeds are real files
// of 30–110 KB, and minimizing an interesting input that large otherwise
// stalls the fuzzer for minutes:
//
//	go test ./internal/pdf -run '^$' -fuzz FuzzOpen -fuzztime 60s -fuzzminimizetime 20x

// fuzzLimits are tight so that each fuzz input runs in milliseconds.
var fuzzLimits = Limits{
	MaxFileSize:    1 << 20,
	MaxObjects:     10_000,
	MaxStreamBytes: 1 << 20,
	MaxTotalBytes:  4 << 20,
	MaxDepth:       32,
	MaxPages:       50,
	MaxOpsPerPage:  50_000,
}

func addSeeds(f *testing.F) {
	for _, file := range fixtures {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	const content = "BT /F1 12 Tf 10 20 Td (Hello) Tj ET 0 0 m 10 0 l S"
	f.Add(simplePage(content).xref("/Root 1 0 R"))
	f.Add(objStmPDF(content))
}

// checkErr fails on errors that are not located or that hide a recovered panic.
func checkErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var ie *PanicError
	if errors.As(err, &ie) {
		t.Fatalf("panic: %v\n%s", ie.Value, ie.Stack())
	}
	var located *Error
	if !errors.As(err, &located) {
		t.Fatalf("error is not a *pdf.Error: %v", err)
	}
}

func FuzzOpen(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		// The memory hook's books must balance: never more given back
		// than charged, and after every page only the document's own
		// charges and the pages' glyphs are held.
		var held int64
		lim := fuzzLimits
		lim.Memory = func(n int64) error {
			if held += n; held < 0 {
				t.Fatalf("memory hook: %d bytes more given back than charged", -held)
			}
			return nil
		}
		doc, err := Open(bytes.NewReader(data), int64(len(data)), lim)
		checkErr(t, err)
		if err != nil {
			return
		}
		_ = doc.Info()
		for n := 1; n <= doc.NumPages(); n++ {
			p, err := doc.Page(n)
			checkErr(t, err)
			if p != nil {
				held -= p.Bytes()
			}
		}
		if held > 2*int64(len(data))+2*lim.MaxTotalBytes { // buffers are charged by capacity
			t.Fatalf("memory hook: %d bytes still held for a %d-byte file", held, len(data))
		}
	})
}

func FuzzContentStream(f *testing.F) {
	for _, s := range []string{
		"BT /F1 12 Tf 10 20 Td (Hello) Tj [(A) -250 (B)] TJ 0 -14 TD (x) ' 1 2 (y) \" ET",
		"BT /F2 9 Tf 2 0 0 2 5 5 Tm <000100020003> Tj 120 Tz 3 Ts T* ET",
		"q 1 0 0 1 10 10 cm 0 0 100 0.5 re f 0 0 m 100 0 l 100 50 l h S Q n",
		"/P <</MCID 3>> BDC BI /W 2 /H 2 ID \x00\x01 EI EMC",
	} {
		f.Add([]byte(s))
	}
	// The first page's content from every producer.
	for _, file := range fixtures {
		doc := openFixture(f, file)
		for i := range doc.pages {
			if content, err := doc.pageContent(&doc.pages[i]); err == nil && len(content) > 0 {
				f.Add(content)
				break
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := newDocument(nil, fuzzLimits)
		err := newInterp(d, &Page{}).run(data, testResources, identity, 0)
		if err != nil && !errors.Is(err, ErrLimit) {
			t.Fatalf("unexpected error: %v", err)
		}
	})
}

func FuzzCMap(f *testing.F) {
	f.Add([]byte(toUnicodeCMap))
	f.Add([]byte("1 begincidrange <0100> <01FF> 1000 endcidrange"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cm := parseCMap(data)
		for _, k := range []codeKey{{0x01, 1}, {0x8141, 2}, {0xFFFF, 2}} {
			cm.lookupUnicode(k)
			cm.lookupCID(k)
		}
		if len(data) > 0 {
			cm.nextCode(data)
		}
	})
}

func FuzzFilters(f *testing.F) {
	f.Add(uint8(0), deflate([]byte("hello hello hello")))
	f.Add(uint8(1), []byte{0x80, 0x0B, 0x60, 0x50, 0x22, 0x0C, 0x0C, 0x85, 0x01})
	f.Add(uint8(2), []byte("87cURD]i,\"Ebo80~>"))
	f.Add(uint8(3), []byte("48656c6c6f>"))
	f.Add(uint8(4), []byte{2, 'a', 'b', 'c', 254, 'x', 128})
	filters := []name{"FlateDecode", "LZWDecode", "ASCII85Decode", "ASCIIHexDecode", "RunLengthDecode"}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		d := newDocument(nil, fuzzLimits)
		params := dict{"Predictor": int64(10 + which%5), "Columns": int64(1 + which%7)}
		out, err := d.applyFilter(filters[int(which)%len(filters)], params, data, 1<<16)
		if err == nil && len(out) > 1<<16 {
			t.Fatalf("output of %d bytes exceeds the limit", len(out))
		}
	})
}
