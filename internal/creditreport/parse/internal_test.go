package parse

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"creditpocket/internal/pdf"
)

func TestABugIsAnInternalErrorNotTheFilesFault(t *testing.T) {
	path := filepath.Join(fixtureDir, "typical-gopdf-1.pdf")
	t.Run("a panic while parsing is a *pdf.PanicError with its stack", func(t *testing.T) {
		testHookPage = func(int) { panic("runtime error: index out of range [7] with length 3") }
		t.Cleanup(func() { testHookPage = func(int) {} })
		_, err := FileContext(context.Background(), path, Options{AutoClassify: true})
		var pe *pdf.PanicError
		if !errors.Is(err, pdf.ErrInternal) || !errors.As(err, &pe) || len(pe.Stack()) == 0 {
			t.Fatalf("err = %v; want a pdf.ErrInternal carrying the stack", err)
		}
		if errors.Is(err, pdf.ErrMalformed) || errors.Is(err, ErrNotCreditReport) {
			t.Fatalf("err = %v is a client's mistake", err)
		}
	})
	t.Run("a panic in the memory hook inside the PDF reader is one too", func(t *testing.T) {
		boom := func(int64) error { panic("hook bug") }
		_, err := FileContext(context.Background(), path, Options{PDF: pdf.Limits{Memory: boom}})
		if !errors.Is(err, pdf.ErrInternal) || !strings.Contains(err.Error(), "hook bug") {
			t.Fatalf("err = %v; want pdf.ErrInternal", err)
		}
	})
	t.Run("a refusing memory hook ends the parse with its error", func(t *testing.T) {
		full := errors.New("full")
		var held int64
		hook := func(n int64) error {
			if n > 0 && held+n > 64<<10 {
				return full
			}
			held += n
			return nil
		}
		if _, err := FileContext(context.Background(), path, Options{PDF: pdf.Limits{Memory: hook}}); !errors.Is(err, full) {
			t.Fatalf("err = %v; want the hook's", err)
		}
	})
}
