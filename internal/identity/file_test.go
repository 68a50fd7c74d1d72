package identity

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"testing"
)

// testImage is a deterministic noisy picture, so that encoders cannot
// compress it away.
func testImage(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(rng.Uint32())
	}
	return img
}

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func jpegBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = color.Gray{Y: byte(i * 7)}.Y
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngChunk builds one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	return b.Bytes()
}

// pngHeaderOnly is a PNG whose IHDR claims w×h pixels and that has no
// image data: enough for DecodeConfig, which is all CheckFile runs.
func pngHeaderOnly(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	out := append([]byte{}, pngMagic...)
	out = append(out, pngChunk("IHDR", ihdr)...)
	return append(out, pngChunk("IEND", nil)...)
}

const minimalPDF = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		want Kind
	}{
		{"JPEG magic", []byte{0xFF, 0xD8, 0xFF, 0xE0}, JPEG},
		{"PNG magic", pngMagic, PNG},
		{"PDF magic", []byte("%PDF-1.7"), PDF},
		{"GIF is not ours", []byte("GIF89a"), ""},
		{"a PNG signature cut short", pngMagic[:7], ""},
		{"text that says PDF later", []byte(" %PDF-1.4"), ""},
		{"empty", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sniff(tt.head); got != tt.want {
				t.Errorf("Sniff = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckFile(t *testing.T) {
	goodPNG := pngBytes(t, 40, 30)
	goodJPEG := jpegBytes(t, 40, 30)
	all := []Kind{JPEG, PNG, PDF}
	images := []Kind{JPEG, PNG}

	// A JPEG with a comment segment holding a PDF header right after SOI:
	// image viewers show the picture, PDF viewers open a document.
	comment := []byte("%PDF-1.4 hidden document")
	polyJPEG := append([]byte{0xFF, 0xD8, 0xFF, 0xFE, 0, byte(len(comment) + 2)}, comment...)
	polyJPEG = append(polyJPEG, goodJPEG[2:]...)

	// A PNG with a text chunk holding a PDF header.
	polyPNG := append([]byte{}, goodPNG[:33]...) // signature + IHDR
	polyPNG = append(polyPNG, pngChunk("tEXt", []byte("Comment\x00%PDF-1.4"))...)
	polyPNG = append(polyPNG, goodPNG[33:]...)

	tests := []struct {
		name     string
		data     []byte
		allowed  []Kind
		wantKind Kind
		wantErr  error
	}{
		{"a PNG passes", goodPNG, all, PNG, nil},
		{"a JPEG passes", goodJPEG, all, JPEG, nil},
		{"a PDF passes", []byte(minimalPDF), all, PDF, nil},
		{"a PDF with trailing newlines after %%EOF passes", []byte(minimalPDF + "\r\n\r\n"), all, PDF, nil},
		{"a JPEG with a phone maker's trailer after EOI passes", append(append([]byte{}, goodJPEG...), []byte("SEFHxxxxSEFT")...), all, JPEG, nil},
		{"a 1×1 PNG passes", pngHeaderOnly(1, 1), all, PNG, nil},
		{"a 20000×20000 PNG header passes", pngHeaderOnly(20000, 20000), all, PNG, nil},
		{"a PDF where only images are allowed fails", []byte(minimalPDF), images, PDF, ErrFileType},
		{"nothing allowed fails", goodPNG, nil, PNG, ErrFileType},
		{"a GIF is unknown", []byte("GIF89a\x01\x00\x01\x00"), all, "", ErrUnknownType},
		{"empty input fails", nil, all, "", ErrEmpty},
		{"a PNG 20001 pixels wide fails", pngHeaderOnly(20001, 1), all, PNG, ErrImageSize},
		{"a PNG claiming 2^31-1 pixels fails", pngHeaderOnly(1<<31-1, 1<<31-1), all, PNG, ErrBadImage},
		{"a PNG of zero width fails", pngHeaderOnly(0, 10), all, PNG, ErrBadImage},
		{"a PNG cut off before IEND fails", goodPNG[:len(goodPNG)-20], all, PNG, ErrBadImage},
		{"a PNG signature alone fails", pngMagic, all, PNG, ErrBadImage},
		{"a PNG with data appended after IEND fails", append(append([]byte{}, goodPNG...), "PK\x03\x04"...), all, PNG, ErrBadImage},
		{"a JPEG cut in half fails", goodJPEG[:len(goodJPEG)/2], all, JPEG, ErrBadImage},
		{"a JPEG magic with garbage fails", []byte{0xFF, 0xD8, 0xFF, 0x00, 0x01, 0x02}, all, JPEG, ErrBadImage},
		{"a JPEG carrying a PDF header fails", polyJPEG, all, JPEG, ErrPolyglot},
		{"a PNG carrying a PDF header fails", polyPNG, all, PNG, ErrPolyglot},
		{"a PDF without %%EOF fails", []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"), all, PDF, ErrBadPDF},
		{"a PDF whose %%EOF is far from the end fails", append([]byte(minimalPDF), bytes.Repeat([]byte{' '}, 2000)...), all, PDF, ErrBadPDF},
		{"a bare PDF magic fails", []byte("%PDF-"), all, PDF, ErrBadPDF},
		{"a PDF magic without a version fails", []byte("%PDF-x\n%%EOF"), all, PDF, ErrBadPDF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, err := CheckFile(tt.data, tt.allowed...)
			if !errors.Is(err, tt.wantErr) || kind != tt.wantKind {
				t.Errorf("CheckFile = %q, %v; want %q, %v", kind, err, tt.wantKind, tt.wantErr)
			}
		})
	}
}

func FuzzCheckFile(f *testing.F) {
	f.Add(pngBytes(f, 2, 2))
	f.Add(jpegBytes(f, 8, 8))
	f.Add([]byte(minimalPDF))
	f.Add(pngHeaderOnly(30000, 1))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		kind, err := CheckFile(data, JPEG, PNG, PDF)
		if err == nil && kind != Sniff(data) {
			t.Fatalf("CheckFile kind %q but Sniff says %q", kind, Sniff(data))
		}
	})
}
