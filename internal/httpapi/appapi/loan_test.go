package appapi

import (
	"bytes"
	"image"
	"image/png"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"

	"creditpocket/internal/errs"
)

func photo() []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 2, 2)))
	return b.Bytes()
}

// form builds a multipart application body.
func form(fields map[string]string, files ...[]byte) (string, []byte) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	for _, f := range files {
		fw, _ := w.CreateFormFile("files", "p.png")
		_, _ = fw.Write(f)
	}
	_ = w.Close()
	return w.FormDataContentType(), b.Bytes()
}

func TestReadApplication(t *testing.T) {
	six := [][]byte{photo(), photo(), photo(), photo(), photo(), photo()}
	cases := []struct {
		name   string
		fields map[string]string
		files  [][]byte
		ct     string
		code   errs.Code
		field  string
	}{
		{"a product and a photo are read", map[string]string{"id": "301", "applyTerminal": "2"}, [][]byte{photo()}, "", "", ""},
		{"a missing product id is named", map[string]string{"applyTerminal": "1"}, nil, "", errs.Invalid, "id"},
		{"a non-numeric terminal is named", map[string]string{"id": "301", "applyTerminal": "android"}, nil, "", errs.Invalid, "applyTerminal"},
		{"an unknown field is named", map[string]string{"id": "301", "admin": "1"}, nil, "", errs.Invalid, "admin"},
		{"a text file posing as a photo is refused", map[string]string{"id": "301"}, [][]byte{[]byte("hello")}, "", errs.Invalid, "files"},
		{"too many photos are refused", map[string]string{"id": "301"}, six, "", errs.TooLarge, "files"},
		{"a photo over its cap is refused", map[string]string{"id": "301"}, [][]byte{append(photo(), make([]byte, maxPhotoBytes)...)}, "", errs.TooLarge, "files"},
		{"JSON instead of multipart is refused", nil, nil, "application/json", errs.Invalid, "Content-Type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ct, body := form(c.fields, c.files...)
			if c.ct != "" {
				ct = c.ct
			}
			r := httptest.NewRequest("POST", "/loan/record/apply", bytes.NewReader(body))
			r.Header.Set("Content-Type", ct)
			in, err := readApplication(r)
			if c.code == "" {
				if err != nil || in.ProductID != "301" || in.ApplyTerminal != 2 || len(in.Photos) != 1 {
					t.Fatalf("got %+v, %v", in, err)
				}
				return
			}
			var e *errs.Error
			if !errs.Is(err, c.code) || !strings.HasPrefix(errs.Message(err), c.field) {
				t.Fatalf("err = %v (%T %v), want %s on %s", err, err, e, c.code, c.field)
			}
		})
	}
}

func FuzzReadApplication(f *testing.F) {
	ct, body := form(map[string]string{"id": "301"}, photo())
	f.Add(ct, body)
	f.Add("multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n1\r\n--x--\r\n"))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		r := httptest.NewRequest("POST", "/loan/record/apply", bytes.NewReader(body))
		r.Header.Set("Content-Type", ct)
		in, err := readApplication(r)
		if err != nil {
			if errs.ErrorCode(err) == errs.Internal {
				t.Fatalf("hostile input gave an internal error: %v", err)
			}
			return
		}
		if in.ProductID == "" || len(in.Photos) > maxPhotos {
			t.Fatalf("accepted %+v", in)
		}
	})
}
