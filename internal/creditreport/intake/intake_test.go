package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"os"
	"strings"
	"testing"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/membudget"
)

// minimalPDF is a valid one-page PDF that says "hello": not a credit report.
const minimalPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n" +
	"4 0 obj<</Length 37>>stream\nBT /F1 12 Tf 20 100 Td (hello) Tj ET\nendstream endobj\n" +
	"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

func fixture(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/fixtures/typical-gopdf-1.pdf")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// form builds a multipart body of parts (name, value); a part named file
// is sent as a file.
func form(t *testing.T, parts ...string) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for i := 0; i < len(parts); i += 2 {
		var w io.Writer
		var err error
		if parts[i] == "file" {
			w, err = mw.CreateFormFile("file", "report.pdf")
		} else {
			w, err = mw.CreateFormField(parts[i])
		}
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, parts[i+1])
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), b.Bytes()
}

func TestAReportIsReadAndNormalizedOnRequest(t *testing.T) {
	s := &Service{}
	ct, body := form(t, "file", string(fixture(t)))
	rep, err := s.Read(context.Background(), ct, int64(len(body)), bytes.NewReader(body))
	if err != nil || rep == nil {
		t.Fatalf("= %v, %v", rep, err)
	}
	for _, tt := range []struct {
		name      string
		normalize string
		wantRaw   bool
	}{
		{"as printed by default", "0", true},
		{"typed with normalize=1", "1", false},
	} {
		t.Run("the report's JSON is "+tt.name, func(t *testing.T) {
			ct, body := form(t, "file", string(fixture(t)), "normalize", tt.normalize)
			got, err := s.ReadJSON(context.Background(), ct, -1, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if _, raw := got.(json.RawMessage); raw != tt.wantRaw {
				t.Fatalf("result is a %T", got)
			}
		})
	}
}

func TestEveryBadUploadIsAnInvalidFieldNamingTheRule(t *testing.T) {
	pdf := string(fixture(t))
	for _, tt := range []struct {
		name         string
		contentType  string // "" builds the form from parts
		length       int64
		parts        []string
		code         errs.Code
		field        string
		unrecognised bool
	}{
		{name: "a body that is not multipart", contentType: "application/json", parts: []string{"file", pdf}, code: errs.Invalid, field: "file"},
		{name: "a body declared over the cap", length: maxBody + 1, parts: []string{"file", pdf}, code: errs.TooLarge, field: "file"},
		{name: "no file", parts: []string{"normalize", "1"}, code: errs.Invalid, field: "file"},
		{name: "two files", parts: []string{"file", pdf, "file", pdf}, code: errs.Invalid, field: "file"},
		{name: "a bad auto_classify", parts: []string{"file", pdf, "auto_classify", "yes"}, code: errs.Invalid, field: "auto_classify"},
		{name: "an unknown part", parts: []string{"file", pdf, "callback", "x"}, code: errs.Invalid, field: "callback"},
		{name: "a file that is not a PDF", parts: []string{"file", "\xff\xd8\xff\xe0 a jpeg"}, code: errs.Invalid, field: "file"},
		{name: "a truncated PDF", parts: []string{"file", pdf[:len(pdf)/3]}, code: errs.Invalid, field: "file"},
		{name: "a PDF that is not a credit report", parts: []string{"file", minimalPDF}, code: errs.Invalid, field: "file", unrecognised: true},
	} {
		t.Run(tt.name+" is refused as "+string(tt.code)+" on "+tt.field, func(t *testing.T) {
			ct, body := form(t, tt.parts...)
			if tt.contentType != "" {
				ct = tt.contentType
			}
			length := tt.length
			if length == 0 {
				length = int64(len(body))
			}
			_, err := (&Service{}).Read(context.Background(), ct, length, bytes.NewReader(body))
			var e *errs.Error
			if !errors.As(err, &e) || e.Code != tt.code || e.Field != tt.field || e.Message == "" {
				t.Fatalf("= %v; want %s on %s", err, tt.code, tt.field)
			}
			var u interface{ Unrecognised() bool }
			if got := errors.As(err, &u) && u.Unrecognised(); got != tt.unrecognised {
				t.Fatalf("unrecognised = %v; want %v (%v)", got, tt.unrecognised, err)
			}
		})
	}
}

func TestABodyOverTheCapIsRefusedWhileRead(t *testing.T) {
	c := &capped{r: strings.NewReader(strings.Repeat("x", 11)), n: 10}
	if _, err := io.ReadAll(c); !errors.Is(err, errOverCap) {
		t.Fatalf("reading 11 bytes capped at 10: %v", err)
	}
	c = &capped{r: strings.NewReader(strings.Repeat("x", 10)), n: 10}
	if b, err := io.ReadAll(c); err != nil || len(b) != 10 {
		t.Fatalf("reading 10 bytes capped at 10: %d, %v", len(b), err)
	}
}

func TestAFullMemoryBudgetIsBusyNotTheFilesFault(t *testing.T) {
	mem := membudget.New(1<<20, 10*time.Millisecond)
	hog := mem.Lease(context.Background())
	if err := hog.Grow(1 << 20); err != nil {
		t.Fatal(err)
	}
	defer hog.Close()
	lease := mem.Lease(context.Background())
	defer lease.Close()
	ctx := membudget.WithLease(context.Background(), lease)
	ct, body := form(t, "file", string(fixture(t)))
	if _, err := (&Service{}).Read(ctx, ct, -1, bytes.NewReader(body)); err != ErrBusy {
		t.Fatalf("= %v; want ErrBusy", err)
	}
}
