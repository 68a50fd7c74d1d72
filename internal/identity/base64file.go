package identity

import (
	"fmt"
	"slices"
	"strings"
)

// DecodeBase64File validates and decodes a document sent by an API client
// as base64 text, and checks the decoded file with CheckFile.
//
// Accepted: an optional data URL prefix ("data:image/png;base64,"; the
// declared type must agree with the content), the standard or the URL-safe
// alphabet (not both in one document), with or without "=" padding, and
// spaces, tabs and line breaks anywhere in the text.
//
// maxEncoded caps len(s), the base64 text as received including any
// prefix and whitespace; it is checked before any work is done, so an
// oversized document costs nothing to refuse. Decoding makes two passes
// over s and allocates one buffer of exactly the decoded size.
func DecodeBase64File(s string, maxEncoded int, allowed ...Kind) ([]byte, Kind, error) {
	if len(s) > maxEncoded {
		return nil, "", fmt.Errorf("%w: at most %d characters of base64 text, got %d", ErrTooLarge, maxEncoded, len(s))
	}
	declared, start, err := parseDataURL(s)
	if err != nil {
		return nil, "", err
	}
	if declared != "" && !slices.Contains(allowed, declared) {
		return nil, declared, fmt.Errorf("%w: declared %s, want %s", ErrFileType, declared, kindList(allowed))
	}
	size, err := base64DecodedLen(s, start)
	if err != nil {
		return nil, "", err
	}
	out := make([]byte, size)
	decodeBase64(out, s[start:])

	if declared != "" {
		if got := Sniff(out); got != declared {
			if got == "" {
				return nil, "", fmt.Errorf("%w: declared %s, content is not a known type", ErrDeclaredType, declared)
			}
			return nil, got, fmt.Errorf("%w: declared %s, content is %s", ErrDeclaredType, declared, got)
		}
	}
	kind, err := CheckFile(out, allowed...)
	if err != nil {
		return nil, kind, err
	}
	return out, kind, nil
}

// maxDataURLHeader bounds the search for the comma ending a data URL
// header; real ones are under 40 bytes.
const maxDataURLHeader = 128

// parseDataURL recognises an optional "data:<mediatype>[;param…];base64,"
// prefix and returns the kind it declares and where the base64 text starts.
func parseDataURL(s string) (declared Kind, start int, err error) {
	lead := len(s) - len(strings.TrimLeft(s, " \t\r\n"))
	if len(s)-lead < 5 || !strings.EqualFold(s[lead:lead+5], "data:") {
		return "", 0, nil
	}
	header := s[lead+5 : min(len(s), lead+5+maxDataURLHeader)]
	comma := strings.IndexByte(header, ',')
	if comma < 0 {
		return "", 0, ErrDataURL
	}
	params := strings.Split(header[:comma], ";")
	if len(params) < 2 || !strings.EqualFold(strings.TrimSpace(params[len(params)-1]), "base64") {
		return "", 0, ErrDataURL
	}
	switch mt := strings.ToLower(strings.TrimSpace(params[0])); mt {
	case "image/jpeg", "image/jpg", "image/pjpeg":
		declared = JPEG
	case "image/png":
		declared = PNG
	case "application/pdf":
		declared = PDF
	case "":
		return "", 0, ErrDataURL
	default:
		return "", 0, fmt.Errorf("%w: declared %q", ErrUnknownType, mt)
	}
	return declared, lead + 5 + comma + 1, nil
}

// b64Value maps a character of either alphabet to its six-bit value;
// every other byte maps to b64None.
const b64None = 0xFF

var b64Value = func() (t [256]byte) {
	for i := range t {
		t[i] = b64None
	}
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(std); i++ {
		t[std[i]] = byte(i)
	}
	t['-'], t['_'] = 62, 63
	return t
}()

// Character classes for validation. Classes OR together, so one test on
// a block of eight characters tells whether any needs a closer look.
const (
	clsSymbol  = 0 // in both alphabets
	clsStd     = 1 // '+' or '/'
	clsURL     = 2 // '-' or '_'
	clsSpace   = 4 // skipped
	clsPad     = 8 // '='
	clsInvalid = 16
)

var b64Class = func() (t [256]byte) {
	for i := range t {
		t[i] = clsInvalid
		if b64Value[i] != b64None {
			t[i] = clsSymbol
		}
	}
	t['+'], t['/'] = clsStd, clsStd
	t['-'], t['_'] = clsURL, clsURL
	t[' '], t['\t'], t['\r'], t['\n'] = clsSpace, clsSpace, clsSpace, clsSpace
	t['='] = clsPad
	return t
}()

// base64DecodedLen validates s[start:] as base64 and returns its decoded
// length. Errors give the byte offset in s, which is what a client
// debugging its encoder needs.
func base64DecodedLen(s string, start int) (int, error) {
	var symbols, pads int
	var seen byte // union of the symbol classes met
	for i := start; i < len(s); {
		// Fast path: eight plain symbols, the bulk of any document.
		if pads == 0 && i+8 <= len(s) {
			b := s[i : i+8]
			f := b64Class[b[0]] | b64Class[b[1]] | b64Class[b[2]] | b64Class[b[3]] |
				b64Class[b[4]] | b64Class[b[5]] | b64Class[b[6]] | b64Class[b[7]]
			if f <= clsStd|clsURL {
				seen |= f
				symbols += 8
				i += 8
				continue
			}
		}
		switch f := b64Class[s[i]]; f {
		case clsSymbol, clsStd, clsURL:
			if pads > 0 {
				return 0, fmt.Errorf("%w: data after padding at offset %d", ErrBase64, i)
			}
			seen |= f
			symbols++
		case clsSpace:
		case clsPad:
			pads++
		default:
			return 0, fmt.Errorf("%w: unexpected character at offset %d", ErrBase64, i)
		}
		i++
	}
	switch {
	case symbols == 0:
		return 0, ErrEmpty
	case seen == clsStd|clsURL:
		return 0, fmt.Errorf("%w: mixes the standard and URL-safe alphabets", ErrBase64)
	case symbols%4 == 1:
		return 0, fmt.Errorf("%w: truncated (length %d is not possible)", ErrBase64, symbols)
	case pads > 0 && (symbols+pads)%4 != 0:
		return 0, fmt.Errorf("%w: wrong amount of padding", ErrBase64)
	}
	return symbols/4*3 + [4]int{0, 0, 1, 2}[symbols%4], nil
}

// decodeBase64 decodes text already validated by base64DecodedLen into
// dst, which has exactly the decoded length.
func decodeBase64(dst []byte, text string) {
	var acc uint64
	var n, j int
	for i := 0; i < len(text); {
		// Fast path: eight symbols into six bytes, which is nearly all of
		// a document even when it is wrapped into lines.
		if n == 0 && i+8 <= len(text) && j+6 <= len(dst) {
			b := text[i : i+8]
			v0, v1, v2, v3 := b64Value[b[0]], b64Value[b[1]], b64Value[b[2]], b64Value[b[3]]
			v4, v5, v6, v7 := b64Value[b[4]], b64Value[b[5]], b64Value[b[6]], b64Value[b[7]]
			if v0|v1|v2|v3|v4|v5|v6|v7 < 64 {
				x := uint64(v0)<<42 | uint64(v1)<<36 | uint64(v2)<<30 | uint64(v3)<<24 |
					uint64(v4)<<18 | uint64(v5)<<12 | uint64(v6)<<6 | uint64(v7)
				d := dst[j : j+6 : j+6]
				d[0], d[1], d[2], d[3], d[4], d[5] = byte(x>>40), byte(x>>32), byte(x>>24), byte(x>>16), byte(x>>8), byte(x)
				i, j = i+8, j+6
				continue
			}
		}
		v := b64Value[text[i]]
		i++
		if v == b64None { // whitespace or padding
			continue
		}
		acc = acc<<6 | uint64(v)
		n++
		if n == 4 {
			dst[j], dst[j+1], dst[j+2] = byte(acc>>16), byte(acc>>8), byte(acc)
			j += 3
			acc, n = 0, 0
		}
	}
	// A final partial quantum carries one or two bytes; its spare low
	// bits are ignored, as encoding/base64 does in non-strict mode.
	switch n {
	case 2:
		dst[j] = byte(acc >> 4)
	case 3:
		dst[j], dst[j+1] = byte(acc>>10), byte(acc>>2)
	}
}
