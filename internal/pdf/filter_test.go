package pdf

import (
	"bytes"
	"encoding/ascii85"
	"errors"
	"testing"
)

func TestFilters(t *testing.T) {
	text := []byte("BT /F1 12 Tf (个人信用报告) Tj ET")
	a85 := make([]byte, ascii85.MaxEncodedLen(len(text)))
	a85 = append(a85[:ascii85.Encode(a85, text)], "~>"...)

	// PNG-predicted rows of 3 columns: None, Sub, Up, Average, Paeth.
	rows := [][]byte{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {10, 11, 12}, {13, 14, 15}}
	var png []byte
	png = append(png, 0, 1, 2, 3)
	png = append(png, 1, 4, 5-4, 6-5)
	png = append(png, 2, 7-4, 8-5, 9-6)
	png = append(png, 3, 10-7/2, 11-(10+8)/2, 12-(11+9)/2)
	png = append(png, 4, 13-10, 14-13, 15-14) // Paeth predicts up, then left
	var wantPNG []byte
	for _, r := range rows {
		wantPNG = append(wantPNG, r...)
	}

	tests := []struct {
		name   string
		filter name
		params dict
		in     []byte
		want   []byte
	}{
		{"FlateDecode inflates zlib data", "FlateDecode", nil, deflate(text), text},
		{"FlateDecode accepts raw deflate without a zlib header", "FlateDecode", nil, deflate(text)[2:], text},
		{"FlateDecode undoes PNG predictors", "FlateDecode", dict{"Predictor": int64(12), "Columns": int64(3)}, deflate(png), wantPNG},
		{"FlateDecode undoes the TIFF predictor", "FlateDecode", dict{"Predictor": int64(2), "Columns": int64(3)}, deflate([]byte{1, 1, 1, 4, 1, 1}), []byte{1, 2, 3, 4, 5, 6}},
		{"ASCIIHexDecode ignores whitespace and pads an odd digit", "ASCIIHexDecode", nil, []byte("48 65 6c6C 6>"), []byte("Hell`")},
		{"ASCII85Decode decodes groups, z and a partial tail", "ASCII85Decode", nil, a85, text},
		{"ASCII85Decode expands z to four zeros", "A85", nil, []byte("z~>"), []byte{0, 0, 0, 0}},
		{"RunLengthDecode copies literals and repeats runs", "RunLengthDecode", nil, []byte{2, 'a', 'b', 'c', 254, 'x', 128}, []byte("abcxxx")},
		// The example from PDF 32000-1 §7.4.4.2.
		{"LZWDecode decodes the specification example", "LZWDecode", nil, []byte{0x80, 0x0B, 0x60, 0x50, 0x22, 0x0C, 0x0C, 0x85, 0x01}, []byte("-----A---B")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDocument(nil, DefaultLimits())
			got, err := d.applyFilter(tt.filter, tt.params, bytes.Clone(tt.in), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFilterErrors(t *testing.T) {
	tests := []struct {
		name   string
		filter name
		in     []byte
		want   error
	}{
		{"an image filter is unsupported", "DCTDecode", []byte{0xff, 0xd8}, ErrUnsupported},
		{"an unknown filter is unsupported", "BogusDecode", nil, ErrUnsupported},
		{"a flate bomb exceeds the limit", "FlateDecode", deflate(make([]byte, 10_000)), ErrLimit},
		{"a run-length bomb exceeds the limit", "RunLengthDecode", bytes.Repeat([]byte{129, 'x'}, 100), ErrLimit},
		{"bad hex digits are malformed", "ASCIIHexDecode", []byte("4G>"), ErrMalformed},
		{"bad ASCII85 characters are malformed", "ASCII85Decode", []byte("ab{~>"), ErrMalformed},
		{"a crypt filter other than Identity means encryption", "Crypt", nil, ErrEncrypted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDocument(nil, DefaultLimits())
			p := dict{}
			if tt.filter == "Crypt" {
				p["Name"] = name("StdCF")
			}
			_, err := d.applyFilter(tt.filter, p, tt.in, 1000)
			if !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestDecodeChargesTheDocumentTotal(t *testing.T) {
	d := newDocument(nil, Limits{MaxTotalBytes: 1500, MaxStreamBytes: 1000})
	s := &stream{dict: dict{"Filter": name("FlateDecode")}, raw: deflate(make([]byte, 800)), num: 4}
	if _, err := d.decode(s); err != nil {
		t.Fatalf("first decode: %v", err)
	}
	_, err := d.decode(s)
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("second decode error = %v, want ErrLimit (total exhausted)", err)
	}
}
