// Package kyctest builds KYC request bodies and document images for tests
// of the kyc package and of its adapters (store, HTTP, end to end), and
// holds the conformance suite every kyc.Store runs (Exercise).
package kyctest

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"maps"
	"math/rand/v2"
	"sync"
)

// PNG returns a w×h PNG of noise from seed: noise does not compress, so
// the file's size is about 3·w·h bytes, and different seeds give
// different files.
func PNG(w, h int, seed uint64) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(seed, 0x6b7963))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), 0xFF
	}
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// JPEG returns a small grey JPEG.
func JPEG() []byte {
	img := image.NewGray(image.Rect(0, 0, 16, 16))
	for i := range img.Pix {
		img.Pix[i] = color.Gray{Y: byte(i)}.Y
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// GIF is a small GIF, a format the API refuses.
var GIF = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// PDF is a minimal well-formed PDF.
var PDF = []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")

// B64 is standard base64.
func B64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// Small images, one per document field, all different.
var smallDocs = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"front_doc": B64(PNG(24, 16, 1)),
		"back_doc":  B64(PNG(24, 16, 2)),
		"mix_doc":   B64(PNG(24, 16, 3)),
		"sign_img":  B64(PNG(24, 8, 4)),
	}
})

// Body is a valid request for tradeNo, as the contract's example but with
// real images: the seed's applicant, a passport, no proof of address.
func Body(tradeNo string) map[string]any {
	docs := smallDocs()
	return map[string]any{
		"mc_trade_no": tradeNo,
		"base_info": map[string]any{
			"email": "example@gmail.com", "first_name": "pan", "last_name": "gao",
			"mobile": "1888888888", "mobile_code": "86", "user_ip": "40.77.166.66",
		},
		"kyc_info": map[string]any{
			"address": "maizidianjie28hao", "back_doc": docs["back_doc"], "birthday": "1990-01-01",
			"city": "beijing", "country_id": "CN", "doc_no": 12345678, "doc_type": 1,
			"emergency_contact": "John", "front_doc": docs["front_doc"], "gender": 1,
			"mix_doc": docs["mix_doc"], "nationality_id": "CN", "sign_img": docs["sign_img"],
			"state": "beijing", "zip_code": "100100",
		},
	}
}

// Clone deep-copies a body so a test can change one field.
func Clone(body map[string]any) map[string]any {
	out := maps.Clone(body)
	for _, k := range []string{"base_info", "kyc_info"} {
		if m, ok := body[k].(map[string]any); ok {
			out[k] = maps.Clone(m)
		}
	}
	return out
}

// Big returns base64 texts of about 1.5 MB each (PNGs of about 1.1 MB),
// n of them, all different; computed once per process.
func Big(n int) []string {
	bigOnce.Do(func() {
		for i := range 5 {
			bigDocs = append(bigDocs, B64(PNG(605, 605, uint64(100+i))))
		}
	})
	return bigDocs[:n]
}

var (
	bigOnce sync.Once
	bigDocs []string
)
