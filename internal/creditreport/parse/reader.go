package parse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unsafe"

	cr "creditpocket/internal/creditreport"
	"creditpocket/internal/pdf"
)

// Sentinel errors, wrapped in *Error.
var (
	// ErrNotCreditReport: AutoClassify found neither the title 个人信用报告
	// nor a 报告编号 on the first page.
	ErrNotCreditReport = errors.New("not a personal credit report")
	// ErrNoText: the PDF has pages but no text, typically a scan.
	ErrNoText = errors.New("no text in the PDF (image-only or scanned report?)")
	// ErrTooLarge: the file or its page count exceeds Options.
	ErrTooLarge = errors.New("report too large")
)

// Options bound the work one report may cost and select checks.
type Options struct {
	MaxFileSize int64 // bytes; 0 means 32 MiB
	MaxPages    int   // 0 means 200
	// PDF caps the PDF reader beyond file size and pages; zero fields take
	// pdf.DefaultLimits.
	PDF pdf.Limits
	// AutoClassify refuses a PDF that is not a credit report with
	// ErrNotCreditReport instead of returning an empty Report.
	AutoClassify bool
}

func (o Options) withDefaults() Options {
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = 32 << 20
	}
	if o.MaxPages <= 0 {
		o.MaxPages = 200
	}
	return o
}

// Error says where parsing failed: the page, and when known the section
// and account block.
type Error struct {
	Page    int    // 1-based; 0 when not tied to a page
	Section string // e.g. 三（二）非循环贷账户
	Account string // e.g. 账户3
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("creditreport parse: ")
	var where []string
	if e.Page > 0 {
		where = append(where, fmt.Sprintf("page %d", e.Page))
	}
	if s := strings.TrimSpace(e.Section + " " + e.Account); s != "" {
		where = append(where, s)
	}
	if len(where) > 0 {
		b.WriteString(strings.Join(where, ", "))
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Reader parses one credit-report PDF.
type Reader struct {
	r    io.ReaderAt
	size int64
	opt  Options
}

// NewReader returns a Reader of the size bytes of r.
func NewReader(r io.ReaderAt, size int64, opt Options) *Reader {
	return &Reader{r: r, size: size, opt: opt.withDefaults()}
}

// File parses the PDF at path.
func File(path string, opt Options) (*cr.Report, error) {
	return FileContext(context.Background(), path, opt)
}

// FileContext is File with a context that can stop the parse between pages.
func FileContext(ctx context.Context, path string, opt Options) (*cr.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &Error{Err: err}
	}
	return NewReader(f, st.Size(), opt).Read(ctx)
}

// Read parses the report. It never panics; a malformed PDF, an encrypted
// one (pdf.ErrEncrypted), a scan without text (ErrNoText) or a PDF over the
// limits (ErrTooLarge, pdf.ErrLimit) is an *Error. A bug, here or in the
// PDF reader, is an *Error wrapping a *pdf.PanicError (errors.Is
// pdf.ErrInternal): the caller's fault, not the file's, to be logged with
// its stack and never shown to whoever sent the file. An error of
// Options.PDF.Memory is returned wrapped.
func (rd *Reader) Read(ctx context.Context) (rep *cr.Report, err error) {
	defer func() {
		if v := recover(); v != nil {
			rep, err = nil, &Error{Err: pdf.NewPanicError(v)}
		}
	}()
	if rd.size > rd.opt.MaxFileSize {
		return nil, &Error{Err: fmt.Errorf("%w: file is %d bytes, limit %d", ErrTooLarge, rd.size, rd.opt.MaxFileSize)}
	}
	lim := rd.opt.PDF
	lim.MaxFileSize = rd.opt.MaxFileSize
	if lim.MaxPages <= 0 || lim.MaxPages > rd.opt.MaxPages {
		lim.MaxPages = rd.opt.MaxPages
	}
	doc, err := pdf.Open(rd.r, rd.size, lim)
	if err != nil {
		if errors.Is(err, pdf.ErrLimit) {
			err = fmt.Errorf("%w: %w", ErrTooLarge, err)
		}
		return nil, &Error{Err: err}
	}
	n := doc.NumPages()
	if n == 0 {
		return nil, &Error{Err: ErrNoText}
	}
	pages := make([][]item, 0, n)
	glyphs := 0
	for i := 1; i <= n; i++ {
		if err := ctx.Err(); err != nil {
			return nil, &Error{Page: i, Err: err}
		}
		p, err := doc.Page(i)
		if err != nil {
			return nil, &Error{Page: i, Err: err}
		}
		glyphs += len(p.Glyphs)
		items, err := layoutPage(p)
		if err != nil {
			return nil, &Error{Page: i, Err: err}
		}
		testHookPage(i)
		// The items of every page are kept until the report is walked; the
		// page's glyphs are done with.
		if m := rd.opt.PDF.Memory; m != nil {
			_ = m(-p.Bytes())
			if err := m(int64(len(items)) * itemBytes); err != nil {
				return nil, &Error{Page: i, Err: err}
			}
		}
		pages = append(pages, items)
	}
	if glyphs == 0 {
		return nil, &Error{Err: ErrNoText}
	}
	items := joinPages(stripFurniture(pages))
	if rd.opt.AutoClassify && !looksLikeReport(pages[0]) {
		return nil, &Error{Page: 1, Err: ErrNotCreditReport}
	}
	return walk(items)
}

// itemBytes is what one layout item costs, with its share of the report
// built from it.
const itemBytes = 2 * int64(unsafe.Sizeof(item{}))

// testHookPage runs after each page is laid out; tests make it panic to
// see a bug answered as one.
var testHookPage = func(page int) {}

// looksLikeReport checks the first page for the title or a report number.
func looksLikeReport(first []item) bool {
	for _, it := range first {
		n := norm(it.text)
		if strings.Contains(n, "个人信用报告") || reportNo.MatchString(n) {
			return true
		}
	}
	return false
}
