package identity

import (
	"bytes"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// wrap inserts sep every n characters, as MIME encoders do.
func wrap(s string, n int, sep string) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n])
		b.WriteString(sep)
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

func TestDecodeBase64File(t *testing.T) {
	png := pngBytes(t, 16, 16)
	jpg := jpegBytes(t, 16, 16)
	std := base64.StdEncoding.EncodeToString(png)
	const limit = 1 << 20
	images := []Kind{JPEG, PNG}

	tests := []struct {
		name     string
		in       string
		max      int
		allowed  []Kind
		want     []byte
		wantKind Kind
		wantErr  error
	}{
		{"standard padded base64", std, limit, images, png, PNG, nil},
		{"standard unpadded base64", base64.RawStdEncoding.EncodeToString(png), limit, images, png, PNG, nil},
		{"URL-safe padded base64", base64.URLEncoding.EncodeToString(png), limit, images, png, PNG, nil},
		{"URL-safe unpadded base64", base64.RawURLEncoding.EncodeToString(png), limit, images, png, PNG, nil},
		{"MIME line breaks every 76 characters", wrap(std, 76, "\r\n"), limit, images, png, PNG, nil},
		{"spaces, tabs and a trailing newline", " " + wrap(std, 10, " \t") + "\n", limit, images, png, PNG, nil},
		{"a matching data URL", "data:image/png;base64," + std, limit, images, png, PNG, nil},
		{"a data URL in capitals", "DATA:IMAGE/PNG;BASE64," + std, limit, images, png, PNG, nil},
		{"a data URL with a parameter", "data:image/png;name=front.png;base64," + std, limit, images, png, PNG, nil},
		{"the non-standard image/jpg type", "data:image/jpg;base64," + base64.StdEncoding.EncodeToString(jpg), limit, images, jpg, JPEG, nil},
		{"a text exactly at the limit", std, len(std), images, png, PNG, nil},
		{"a PNG under a JPEG data URL", "data:image/jpeg;base64," + std, limit, images, nil, PNG, ErrDeclaredType},
		{"non-image content under an image data URL", "data:image/png;base64," + base64.StdEncoding.EncodeToString([]byte("hello, world")), limit, images, nil, "", ErrDeclaredType},
		{"a declared PDF where only images are allowed", "data:application/pdf;base64," + std, limit, images, nil, PDF, ErrFileType},
		{"a GIF data URL", "data:image/gif;base64,R0lGODlh", limit, images, nil, "", ErrUnknownType},
		{"a data URL without ;base64", "data:image/png," + std, limit, images, nil, "", ErrDataURL},
		{"a data URL without a comma", "data:image/png;base64" + std, limit, images, nil, "", ErrDataURL},
		{"a data URL without a type", "data:;base64," + std, limit, images, nil, "", ErrDataURL},
		{"a data URL with nothing after it", "data:image/png;base64,", limit, images, nil, "", ErrEmpty},
		{"one character over the limit", std, len(std) - 1, images, nil, "", ErrTooLarge},
		{"the limit is checked before the content", strings.Repeat("*", 100), 99, images, nil, "", ErrTooLarge},
		{"a zero limit refuses everything", std, 0, images, nil, "", ErrTooLarge},
		{"an invalid character", std[:40] + "*" + std[41:], limit, images, nil, "", ErrBase64},
		{"both alphabets in one text", "+/" + base64.URLEncoding.EncodeToString(png)[2:] + "-_", limit, images, nil, "", ErrBase64},
		{"padding in the middle", std[:8] + "==" + std[8:], limit, images, nil, "", ErrBase64},
		{"three padding characters", strings.TrimRight(std, "=") + "===", limit, images, nil, "", ErrBase64},
		{"a length that cannot be base64", "QUFBQUFBQ", limit, images, nil, "", ErrBase64},
		{"empty input", "", limit, images, nil, "", ErrEmpty},
		{"only whitespace", " \r\n\t", limit, images, nil, "", ErrEmpty},
		{"text that is not a file", base64.StdEncoding.EncodeToString([]byte("just some text")), limit, images, nil, "", ErrUnknownType},
		{"a truncated PNG", base64.StdEncoding.EncodeToString(png[:len(png)-30]), limit, images, nil, PNG, ErrBadImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, kind, err := DecodeBase64File(tt.in, tt.max, tt.allowed...)
			if !errors.Is(err, tt.wantErr) || kind != tt.wantKind {
				t.Fatalf("DecodeBase64File = %q, %v; want %q, %v", kind, err, tt.wantKind, tt.wantErr)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("decoded %d bytes, want %d bytes", len(got), len(tt.want))
			}
		})
	}
}

func TestDecodeBase64FileErrorsNameTheOffset(t *testing.T) {
	_, _, err := DecodeBase64File("data:image/png;base64,AAAA*AAA", 100, PNG)
	if err == nil || !strings.Contains(err.Error(), "offset 26") {
		t.Errorf("error %v does not name offset 26 of the input", err)
	}
}

// TestBase64DecoderMatchesEncodingBase64 compares the decoder with the
// standard library on random data in every alphabet/padding combination,
// with and without whitespace.
func TestBase64DecoderMatchesEncodingBase64(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	encodings := []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding}
	for n := 0; n < 300; n++ {
		data := make([]byte, rng.IntN(200)+1)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		for _, enc := range encodings {
			text := enc.EncodeToString(data)
			if n%2 == 1 {
				text = wrap(text, rng.IntN(9)+1, "\n ")
			}
			size, err := base64DecodedLen(text, 0)
			if err != nil {
				t.Fatalf("%q: %v", text, err)
			}
			got := make([]byte, size)
			decodeBase64(got, text)
			if !bytes.Equal(got, data) {
				t.Fatalf("decoding %q gave %x, want %x", text, got, data)
			}
		}
	}
}

// TestDecodeBase64FileAllocatesOnlyTheOutput holds the memory promise:
// decoding a large document allocates about one decoded-size buffer.
func TestDecodeBase64FileAllocatesOnlyTheOutput(t *testing.T) {
	img := pngBytes(t, 300, 300)
	text := "data:image/png;base64," + wrap(base64.StdEncoding.EncodeToString(img), 76, "\n")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const runs = 5
	for range runs {
		if _, _, err := DecodeBase64File(text, len(text), PNG); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	perRun := (after.TotalAlloc - before.TotalAlloc) / runs
	if limit := uint64(len(img)) + 16<<10; perRun > limit {
		t.Errorf("allocated %d bytes per decode of a %d-byte file, want at most %d", perRun, len(img), limit)
	}
}

func FuzzDecodeBase64File(f *testing.F) {
	png := pngBytes(f, 4, 4)
	f.Add(base64.StdEncoding.EncodeToString(png))
	f.Add("data:image/png;base64," + base64.RawURLEncoding.EncodeToString(png))
	f.Add("data:image/jpeg;base64," + wrap(base64.StdEncoding.EncodeToString(jpegBytes(f, 8, 8)), 8, "\r\n"))
	f.Add("data:application/pdf;base64," + base64.StdEncoding.EncodeToString([]byte(minimalPDF)))
	f.Add("AA==AA")
	f.Add("data:")
	f.Fuzz(func(t *testing.T, s string) {
		got, kind, err := DecodeBase64File(s, 1<<16, JPEG, PNG, PDF)
		if err != nil {
			return
		}
		// Whatever is accepted must be what encoding/base64 decodes from
		// the same text once the prefix, whitespace and padding are gone
		// and the alphabet is made standard.
		_, start, _ := parseDataURL(s)
		clean := strings.Map(func(r rune) rune {
			switch r {
			case ' ', '\t', '\r', '\n', '=':
				return -1
			case '-':
				return '+'
			case '_':
				return '/'
			}
			return r
		}, s[start:])
		want, werr := base64.RawStdEncoding.DecodeString(clean)
		if werr != nil || !bytes.Equal(got, want) {
			t.Fatalf("decoded %x, encoding/base64 gives %x (%v)", got, want, werr)
		}
		if k, err := CheckFile(got, JPEG, PNG, PDF); err != nil || k != kind {
			t.Fatalf("accepted content fails CheckFile: %q, %v", k, err)
		}
	})
}

// BenchmarkDecodeBase64File measures the KYC API's hot path: a 1.5 MB
// photo sent as a data URL (about 2 MB of base64 text). The API validates
// four of these per request within a 25 ms p99 budget.
func BenchmarkDecodeBase64File(b *testing.B) {
	img := pngBytes(b, 640, 600) // incompressible noise: ≈1.5 MB
	plain := "data:image/png;base64," + base64.StdEncoding.EncodeToString(img)
	cases := []struct {
		name string
		text string
	}{
		{"data-url", plain},
		{"mime-wrapped", wrap(plain, 76, "\r\n")},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(img)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := DecodeBase64File(c.text, len(c.text), JPEG, PNG); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
