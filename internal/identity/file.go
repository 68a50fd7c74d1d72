package identity

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"slices"
)

// Kind is a document format we accept from clients.
type Kind string

// The formats KYC documents arrive in.
const (
	JPEG Kind = "jpeg"
	PNG  Kind = "png"
	PDF  Kind = "pdf"
)

var (
	jpegMagic = []byte{0xFF, 0xD8, 0xFF}
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
	pdfMagic  = []byte("%PDF-")
	// pngIEND is the whole final chunk of every PNG: zero length, type
	// IEND and its fixed CRC.
	pngIEND = []byte{0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82}
	jpegEOI = []byte{0xFF, 0xD9}
	pdfEOF  = []byte("%%EOF")
)

const (
	maxImageSide = 20000
	// pdfTrailerWindow is how close to the end %%EOF must be: Acrobat
	// only looks for it in the last 1024 bytes.
	pdfTrailerWindow = 1024
	// pdfHeaderWindow is how far in a PDF reader looks for %PDF-; a JPEG
	// or PNG carrying it that early also opens as a PDF.
	pdfHeaderWindow = 1024
)

// Sniff names the format of a file from its first bytes (magic numbers
// only, nothing else is trusted); it returns "" when the format is not one
// of ours. Eight bytes are enough.
func Sniff(head []byte) Kind {
	switch {
	case bytes.HasPrefix(head, jpegMagic):
		return JPEG
	case bytes.HasPrefix(head, pngMagic):
		return PNG
	case bytes.HasPrefix(head, pdfMagic):
		return PDF
	}
	return ""
}

// CheckFile sniffs data, insists the kind is one of allowed, and checks
// that the file is plausibly whole and sane without fully decoding it:
//
//   - JPEG and PNG headers must decode (image.DecodeConfig) to a width and
//     height of 1..20000 pixels each;
//   - a PNG must end with its IEND chunk, which catches truncated uploads
//     and data appended after the image; a JPEG must contain an
//     end-of-image marker (phones such as Samsung's append metadata after
//     it, so it need not be last);
//   - a PDF must start with %PDF- and have %%EOF within its last 1024 bytes;
//   - an image must not carry a %PDF- header in its first 1024 bytes, the
//     classic image/PDF polyglot that opens as a different document in a
//     PDF viewer than in an image viewer.
func CheckFile(data []byte, allowed ...Kind) (Kind, error) {
	if len(data) == 0 {
		return "", ErrEmpty
	}
	kind := Sniff(data)
	if kind == "" {
		return "", ErrUnknownType
	}
	if !slices.Contains(allowed, kind) {
		return kind, fmt.Errorf("%w: got %s, want %s", ErrFileType, kind, kindList(allowed))
	}
	switch kind {
	case JPEG, PNG:
		return kind, checkImage(kind, data)
	default:
		return kind, checkPDF(data)
	}
}

func checkImage(kind Kind, data []byte) error {
	var (
		cfg image.Config
		err error
	)
	if kind == PNG {
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	} else {
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	}
	if err != nil {
		return ErrBadImage
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > maxImageSide || cfg.Height > maxImageSide {
		return fmt.Errorf("%w: got %dx%d", ErrImageSize, cfg.Width, cfg.Height)
	}
	if kind == PNG && !bytes.HasSuffix(data, pngIEND) {
		return ErrBadImage
	}
	if kind == JPEG && !bytes.Contains(data[len(jpegMagic):], jpegEOI) {
		return ErrBadImage
	}
	if bytes.Contains(data[:min(len(data), pdfHeaderWindow)], pdfMagic) {
		return ErrPolyglot
	}
	return nil
}

func checkPDF(data []byte) error {
	// A version digit must follow the magic: "%PDF-1.7", "%PDF-2.0".
	if len(data) < len(pdfMagic)+1 || data[len(pdfMagic)] < '1' || data[len(pdfMagic)] > '9' {
		return ErrBadPDF
	}
	tail := data[max(0, len(data)-pdfTrailerWindow):]
	if !bytes.Contains(tail, pdfEOF) {
		return ErrBadPDF
	}
	return nil
}

func kindList(kinds []Kind) string {
	if len(kinds) == 0 {
		return "none"
	}
	var b bytes.Buffer
	for i, k := range kinds {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(k))
	}
	return b.String()
}
