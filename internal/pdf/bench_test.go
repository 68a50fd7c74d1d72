package pdf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkOpen30Pages measures the whole job the layout parser pays for:
// open a 30-page Chinese report and extract every page.
func BenchmarkOpen30Pages(b *testing.B) {
	benchmarkExtract(b, "gopdf-report-30.pdf")
}

func BenchmarkOpenLibreOffice(b *testing.B) { benchmarkExtract(b, "libreoffice-report.pdf") }

func BenchmarkOpenChromium(b *testing.B) { benchmarkExtract(b, "chromium-report.pdf") }

func benchmarkExtract(b *testing.B, file string) {
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		doc, err := Open(bytes.NewReader(data), int64(len(data)), DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		for n := 1; n <= doc.NumPages(); n++ {
			if _, err := doc.Page(n); err != nil {
				b.Fatal(err)
			}
		}
	}
}
