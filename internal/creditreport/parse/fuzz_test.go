package parse

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"os"
	"testing"

	"creditpocket/internal/pdf"
)

// tightOptions keep a fuzzed input cheap.
var tightOptions = Options{
	MaxFileSize: 4 << 20,
	MaxPages:    40,
	PDF:         pdf.Limits{MaxObjects: 1 << 14, MaxStreamBytes: 4 << 20, MaxTotalBytes: 16 << 20, MaxDepth: 32, MaxOpsPerPage: 200_000},
}

// FuzzParse runs arbitrary bytes through the PDF reader and the parser: an
// error is fine, a panic or a hang is not.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"thin-gopdf-1", "thin-chromium", "thin-libreoffice"} {
		data, err := os.ReadFile(fixtureDir + "/" + name + ".pdf")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = NewReader(bytes.NewReader(data), int64(len(data)), tightOptions).Read(context.Background())
	})
}

// FuzzLayout feeds the layout stages and the walker a page built from the
// input: records of glyphs and ruling lines, so the fuzzer reaches table
// building, merging and the section walker without a valid PDF around them.
func FuzzLayout(f *testing.F) {
	f.Add(pageBytes(
		glyphRec("一", 40, 800), glyphRec("个", 50, 800), glyphRec("人", 60, 800),
		segRec(40, 700, 300, 700), segRec(40, 680, 300, 680), segRec(40, 680, 40, 700), segRec(300, 680, 300, 700), segRec(150, 680, 150, 700),
		glyphRec("性", 50, 690), glyphRec("别", 58, 690),
	))
	labels := []string{"账", "户", "1", "截", "至", "年", "月", "日", "（", "）", "二", "信", "息", "概", "要", "—"}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := &pdf.Page{Number: 1, Width: 595, Height: 842}
		for len(data) >= 9 && len(p.Glyphs)+len(p.Lines) < 4000 {
			kind := data[0]
			a := float64(binary.LittleEndian.Uint16(data[1:])) / 64
			b := float64(binary.LittleEndian.Uint16(data[3:])) / 64
			c := float64(binary.LittleEndian.Uint16(data[5:])) / 64
			d := float64(binary.LittleEndian.Uint16(data[7:])) / 64
			data = data[9:]
			switch kind % 3 {
			case 0:
				p.Glyphs = append(p.Glyphs, pdf.Glyph{Text: labels[int(c)%len(labels)], X: a, Y: b, W: math.Mod(d, 20), Size: 1 + math.Mod(d, 40)})
			case 1:
				p.Lines = append(p.Lines, pdf.Segment{X0: min(a, c), Y0: b, X1: max(a, c), Y1: b})
			case 2:
				p.Lines = append(p.Lines, pdf.Segment{X0: a, Y0: min(b, d), X1: a, Y1: max(b, d)})
			}
		}
		items, err := layoutPage(p)
		if err != nil {
			return
		}
		pages := stripFurniture([][]item{items, items})
		_, _ = walk(joinPages(pages))
	})
}

func pageBytes(recs ...[]byte) []byte { return bytes.Join(recs, nil) }

func glyphRec(text string, x, y float64) []byte {
	idx := map[string]float64{"一": 0, "个": 1, "人": 2}[text]
	return rec(0, x, y, idx, 8)
}

func segRec(x0, y0, x1, y1 float64) []byte {
	if y0 == y1 {
		return rec(1, x0, y0, x1, 0)
	}
	return rec(2, x0, y0, 0, y1)
}

func rec(kind byte, a, b, c, d float64) []byte {
	out := []byte{kind}
	for _, v := range []float64{a, b, c, d} {
		out = binary.LittleEndian.AppendUint16(out, uint16(v*64))
	}
	return out
}
