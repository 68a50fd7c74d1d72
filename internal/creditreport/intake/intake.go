// Package intake takes in an uploaded credit-report PDF: it receives the
// multipart upload onto disk within its size cap, parses it within a time
// limit and the request's memory lease, and turns every way a file can fail
// into one error kind of the errs vocabulary (errs.Invalid on the field
// "file", with the rule it broke). The partner credit-report API and the
// borrower's (or an operator's) attach-report path both read reports
// through it, so neither knows the PDF reader or the parser's errors.
package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"os"
	"time"

	"creditpocket/internal/creditreport"
	"creditpocket/internal/creditreport/parse"
	"creditpocket/internal/errs"
	"creditpocket/internal/membudget"
	"creditpocket/internal/pdf"
)

// MaxFile is the largest report file taken (the seed: ≤ 30 MB).
const MaxFile = 30 << 20

// maxBody is the largest multipart body: the file and room for the other
// parts and the framing.
const maxBody = MaxFile + 1<<20

// DefaultTimeout bounds one parse, whatever the file.
const DefaultTimeout = 30 * time.Second

// advance is reserved for a report's parse beyond its file: what a real
// report needs besides the buffers the PDF reader charges (its parsed
// objects, fonts, layout and the report: the fixtures' parses peak under
// 8 MiB of heap in all). A document that needs more (a decompression bomb)
// grows its lease as it decodes and is the first refused when the budget
// is full.
const advance = 8 << 20

// ErrBusy is the answer to an upload the memory budget refused: the
// server is busy with other large requests, and the same file may be sent
// again in a few seconds.
var ErrBusy = errs.E(errs.Unavailable, "the server is busy with other large requests: retry in a few seconds")

// Error is a file that is not a readable credit report. It is an
// errs.Invalid on the field "file" (errors.As finds the *errs.Error, and
// errs.Message gives "file: " and the rule). Err is the reader's or the
// parser's cause.
type Error struct {
	Rule string
	Err  error
	// unrecognised: the file was read but not recognised as a report.
	unrecognised bool
}

func (e *Error) Error() string { return "file: " + e.Rule }

// Unrecognised tells a file that was read but not recognised as a credit
// report (not one, no text layer, a layout the parser does not know, too
// slow) from one that is not a readable PDF at all: the partner API answers
// them DETECTION_FAILED and INVALID_ARGUMENT.
func (e *Error) Unrecognised() bool { return e.unrecognised }

// Unwrap gives the vocabulary's error and the cause.
func (e *Error) Unwrap() []error {
	return []error{&errs.Error{Code: errs.Invalid, Field: "file", Message: e.Rule}, e.Err}
}

// upload is a received report file, kept in a temporary file until close.
type upload struct {
	file *os.File
	size int64
	// options are the parser's options the upload asked for
	// (auto_classify).
	options parse.Options
	// normalize asks for typed values in the report's JSON (normalize=1).
	normalize bool
}

// close removes the upload's temporary file.
func (u *upload) close() error {
	err := u.file.Close()
	if rmErr := os.Remove(u.file.Name()); err == nil {
		err = rmErr
	}
	return err
}

var errTooLarge = &errs.Error{Code: errs.TooLarge, Field: "file", Message: "must be at most 30 MB"}

// receive streams a multipart/form-data body's "file" part into a
// temporary file (never more than MaxFile, never whole in memory) and reads
// the options auto_classify and normalize (0 or 1). length is the body's
// declared length (-1 when unknown); a body declared or found over the cap
// is refused without reading on. Any other part is refused, naming it.
func receive(contentType string, length int64, body io.Reader) (*upload, error) {
	if length > maxBody {
		return nil, errTooLarge
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, errs.InvalidField("file", "is required: send multipart/form-data with the PDF as the part \"file\"")
	}
	u := &upload{options: parse.Options{AutoClassify: true}}
	if err := u.receive(multipart.NewReader(&capped{r: body, n: maxBody}, params["boundary"])); err != nil {
		if u.file != nil {
			_ = u.close()
		}
		return nil, err
	}
	return u, nil
}

func (u *upload) receive(mr *multipart.Reader) error {
	for {
		part, err := mr.NextPart()
		switch {
		case errors.Is(err, io.EOF):
			if u.file == nil {
				return errs.Required("file")
			}
			_, err := u.file.Seek(0, io.SeekStart)
			return err
		case errors.Is(err, errOverCap):
			return errTooLarge
		case err != nil:
			return errs.InvalidField("body", "must be well-formed multipart data")
		}
		switch name := part.FormName(); name {
		case "file":
			if u.file != nil {
				return errs.InvalidField("file", "send exactly one file")
			}
			if u.file, err = os.CreateTemp("", "creditpocket-report-*.pdf"); err != nil {
				return fmt.Errorf("intake: %w", err)
			}
			u.size, err = io.Copy(u.file, io.LimitReader(part, MaxFile+1))
			switch {
			case errors.Is(err, errOverCap) || u.size > MaxFile:
				return errTooLarge
			case err != nil:
				return errs.InvalidField("file", "upload was cut short")
			}
		case "auto_classify", "normalize":
			v, _ := io.ReadAll(io.LimitReader(part, 8))
			if string(v) != "0" && string(v) != "1" {
				return errs.InvalidField(name, "must be 0 or 1")
			}
			if name == "auto_classify" {
				u.options.AutoClassify = string(v) == "1"
			} else {
				u.normalize = string(v) == "1"
			}
		default:
			return errs.InvalidField(name, "is not a known field")
		}
	}
}

// errOverCap is what capped reads past its cap.
var errOverCap = errors.New("intake: body over its cap")

// capped reads at most n bytes of r; reading past them is errOverCap.
type capped struct {
	r io.Reader
	n int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.n < 0 {
		return 0, errOverCap
	}
	if int64(len(p)) > c.n+1 {
		p = p[:c.n+1]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	if c.n < 0 {
		return n, errOverCap
	}
	return n, err
}

// Parser reads a report from a file of size bytes.
type Parser func(ctx context.Context, f io.ReaderAt, size int64, opts parse.Options) (*creditreport.Report, error)

// Service parses received reports. The zero value is ready to use.
type Service struct {
	// Timeout bounds one parse; zero means DefaultTimeout.
	Timeout time.Duration
	// Parser reads the file; nil is the layout parser. Tests put a fault
	// in it.
	Parser Parser
}

func readReport(ctx context.Context, f io.ReaderAt, size int64, opts parse.Options) (*creditreport.Report, error) {
	return parse.NewReader(f, size, opts).Read(ctx)
}

// Read takes in an uploaded report, a multipart/form-data body of
// contentType and declared length (-1 when unknown), and parses it. Bad
// uploads are *errs.Error values naming the part; a file's fault is an
// *Error, a full budget ErrBusy; anything else, a bug in the reader
// included, is an internal error (not an *errs.Error) to log.
func (s *Service) Read(ctx context.Context, contentType string, length int64, body io.Reader) (*creditreport.Report, error) {
	u, err := receive(contentType, length, body)
	if err != nil {
		return nil, err
	}
	defer u.close()
	return s.parse(ctx, u)
}

// parse reads an upload within the timeout, charging what the parser holds
// to ctx's memory lease (membudget.FromContext).
func (s *Service) parse(ctx context.Context, u *upload) (*creditreport.Report, error) {
	timeout, read := s.Timeout, s.Parser
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if read == nil {
		read = readReport
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	lease := membudget.FromContext(ctx)
	if err := lease.Reserve(2*u.size + advance); err != nil {
		return nil, failure(lease, err)
	}
	opts := u.options
	opts.PDF.Memory = charge(lease)
	rep, err := read(ctx, u.file, u.size, opts)
	if err != nil {
		return nil, failure(lease, err)
	}
	return rep, nil
}

// ReadJSON is Read, giving the report to encode as JSON: the seed's
// strings as printed (a json.RawMessage), or typed values when the upload
// asked to normalize (normalize=1).
func (s *Service) ReadJSON(ctx context.Context, contentType string, length int64, body io.Reader) (any, error) {
	u, err := receive(contentType, length, body)
	if err != nil {
		return nil, err
	}
	defer u.close()
	rep, err := s.parse(ctx, u)
	if err != nil {
		return nil, err
	}
	raw, err := creditreport.Marshal(rep)
	if err != nil {
		return nil, fmt.Errorf("intake: report JSON: %w", err)
	}
	if !u.normalize {
		return json.RawMessage(raw), nil
	}
	typed, err := creditreport.NormalizeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("intake: normalize the report: %w", err)
	}
	return typed, nil
}

// charge is the PDF reader's memory hook for the lease. A file whose
// decoding would need more than the whole budget is refused as one over
// the reader's caps (the file's fault), not as a busy server, which would
// only invite the same upload again.
func charge(lease *membudget.Lease) func(int64) error {
	if lease == nil {
		return nil
	}
	return func(n int64) error {
		err := lease.Charge(n)
		if errors.Is(err, membudget.ErrTooLarge) {
			return pdf.LimitError("memory needed to decode the file", lease.Budget().Size())
		}
		return err
	}
}

// failure sorts a parse's error. A bug is checked first: the parser wraps
// it like a located parse error, and it is never the file's fault.
func failure(lease *membudget.Lease, err error) error {
	var located *parse.Error
	switch {
	case errors.Is(err, pdf.ErrInternal):
		return err // logged with its stack, answered "internal error"
	case errors.Is(err, membudget.ErrBusy) || lease.Refused():
		return ErrBusy
	case errors.Is(err, parse.ErrNotCreditReport):
		return &Error{Rule: "is not a PBOC credit report (institution edition); send auto_classify=0 to try anyway", Err: err, unrecognised: true}
	case errors.Is(err, parse.ErrNoText):
		return &Error{Rule: "has no text layer (a scanned image); send the text-based PDF as downloaded", Err: err, unrecognised: true}
	case errors.Is(err, pdf.ErrEncrypted):
		return &Error{Rule: "is encrypted; send the report without a password", Err: err}
	case errors.Is(err, pdf.ErrNotPDF), errors.Is(err, pdf.ErrMalformed), errors.Is(err, pdf.ErrUnsupported):
		return &Error{Rule: "could not be read: " + err.Error(), Err: err}
	case errors.Is(err, pdf.ErrLimit), errors.Is(err, parse.ErrTooLarge):
		return &Error{Rule: "exceeds a processing limit: " + err.Error(), Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Rule: "took too long to read", Err: err, unrecognised: true}
	case errors.As(err, &located):
		return &Error{Rule: "could not be read as a credit report: " + err.Error(), Err: err, unrecognised: true}
	}
	return err
}
