package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"creditpocket/internal/account"
	"creditpocket/internal/creditreport"
	"creditpocket/internal/creditreport/parse"
	"creditpocket/internal/errs"
	"creditpocket/internal/partner"
	"creditpocket/internal/pdf"
)

// MaxReportFile is the credit-report API's file limit (the seed: ≤ 30 MB).
const MaxReportFile = 30 << 20

// reportTimeout bounds one parse, whatever the file.
const reportTimeout = 30 * time.Second

func (s *Server) reportRoutes() []route {
	if s.Partners == nil {
		return nil
	}
	return []route{{
		method: "POST", path: "/ocr/v2/pdf_credit_report_org", tag: "Partner: credit report",
		summary: "Structure a PBOC second-generation credit report PDF (institution edition) into the seed's JSON. " +
			"Partner scope ocr. Answers {\"status\":\"OK\",\"result\":{…}} or {\"status\":CODE,\"reason\":…} with the seed's codes: " +
			"INVALID_ARGUMENT 400, DETECTION_FAILED 400, UNAUTHORIZED 401, KEY_EXPIRED 401, NO_PERMISSION 403, OUT_OF_QUOTA 403, " +
			"RATE_LIMIT_EXCEEDED 403, INTERNAL_ERROR 500, UNAVAILABLE 503 (the server's memory budget is full: retry after Retry-After seconds). " +
			"The file is parsed in memory-bounded streaming fashion and not kept.",
		query: partnerCredentialFields,
		multipart: []field{
			{name: "file", typ: "string", required: true, desc: "The PDF (text-based, not scanned), at most 30 MB"},
			{name: "auto_classify", typ: "integer", desc: "1 (default): refuse a PDF that is not a credit report; 0: try anyway"},
			{name: "normalize", typ: "integer", desc: "1: typed values (amounts as integers in fen, ISO dates, null instead of --); 0 (default): strings as printed"},
		},
		response: "OCR result",
		format:   `{"status":"OK","result":{…the report…}} or {"status":"INVALID_ARGUMENT","reason":"…"}`,
		handle:   s.budgeted(0, 0, s.creditReport), // the upload streams to disk; the parser charges what it holds
	}}
}

// ocrAnswer is the credit-report API's response shape.
type ocrAnswer struct {
	Status string `json:"status"`
	Result any    `json:"result,omitempty"`
	Reason string `json:"reason,omitempty"`
}

func (s *Server) ocrFail(w http.ResponseWriter, status int, code, reason string) {
	writeJSON(w, status, ocrAnswer{Status: code, Reason: reason})
}

func (s *Server) creditReport(w http.ResponseWriter, r *http.Request) {
	if _, err := s.partnerAuth(r, partner.ScopeOCR); err != nil {
		status, code := partnerFailure(err)
		reason := err.Error()
		if code == "INTERNAL_ERROR" {
			logger(r.Context(), s.log).Error("partner auth", "err", err)
			reason = "internal error"
		}
		s.ocrFail(w, status, code, reason)
		return
	}
	if r.ContentLength > MaxReportFile+1<<20 {
		s.ocrFail(w, http.StatusBadRequest, "INVALID_ARGUMENT", "file: must be at most 30 MB")
		return
	}
	f, opts, normalize, err := s.receiveReport(w, r)
	if err != nil {
		s.ocrFail(w, http.StatusBadRequest, "INVALID_ARGUMENT", err.Error())
		return
	}
	defer os.Remove(f.Name())
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		s.ocrFail(w, http.StatusInternalServerError, "INTERNAL_ERROR", "internal error")
		return
	}
	rep, err := readReport(r.Context(), f, st.Size(), opts)
	if err != nil {
		s.reportFailure(w, r, err)
		return
	}
	raw, err := creditreport.Marshal(rep)
	var result any = json.RawMessage(raw)
	if err == nil && normalize {
		result, err = creditreport.NormalizeJSON(raw)
	}
	if err != nil {
		s.reportFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ocrAnswer{Status: "OK", Result: result})
}

// receiveReport streams the multipart "file" part into a temporary file
// (never more than the limit, never whole in memory) and reads the options.
func (s *Server) receiveReport(w http.ResponseWriter, r *http.Request) (*os.File, parse.Options, bool, error) {
	opts := parse.Options{AutoClassify: true}
	normalize := false
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, opts, false, errors.New("param is missing or the value is empty: file (send multipart/form-data)")
	}
	body := http.MaxBytesReader(w, r.Body, MaxReportFile+1<<20)
	mr := multipart.NewReader(body, params["boundary"])
	var file *os.File
	fail := func(err error) (*os.File, parse.Options, bool, error) {
		if file != nil {
			file.Close()
			os.Remove(file.Name())
		}
		return nil, opts, false, err
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fail(errors.New("file: must be at most 30 MB"))
		}
		if err != nil {
			return fail(fmt.Errorf("body: malformed multipart data"))
		}
		switch part.FormName() {
		case "file":
			if file != nil {
				return fail(errors.New("file: send exactly one file"))
			}
			if file, err = os.CreateTemp("", "creditpocket-report-*.pdf"); err != nil {
				return fail(err)
			}
			n, err := io.Copy(file, io.LimitReader(part, MaxReportFile+1))
			if errors.As(err, &tooBig) || n > MaxReportFile {
				return fail(errors.New("file: must be at most 30 MB"))
			}
			if err != nil {
				return fail(fmt.Errorf("file: upload was cut short"))
			}
		case "auto_classify", "normalize":
			v, _ := io.ReadAll(io.LimitReader(part, 8))
			switch string(v) {
			case "0", "1":
			default:
				return fail(fmt.Errorf("%s: must be 0 or 1", part.FormName()))
			}
			if part.FormName() == "auto_classify" {
				opts.AutoClassify = string(v) == "1"
			} else {
				normalize = string(v) == "1"
			}
		default:
			return fail(fmt.Errorf("%s: is not a known field", part.FormName()))
		}
	}
	if file == nil {
		return fail(errors.New("param is missing or the value is empty: file"))
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return fail(err)
	}
	return file, opts, normalize, nil
}

// readReport parses an uploaded report within reportTimeout, charging
// what the parser holds to the request's memory lease. Tests replace it to
// reach the parser with a fault.
var readReport = func(ctx context.Context, f io.ReaderAt, size int64, opts parse.Options) (*creditreport.Report, error) {
	ctx, cancel := context.WithTimeout(ctx, reportTimeout)
	defer cancel()
	if err := reserveReport(ctx, size); err != nil {
		return nil, err
	}
	opts.PDF.Memory = chargeMemory(ctx)
	return parse.NewReader(f, size, opts).Read(ctx)
}

// reportFailure maps parser errors to the seed's statuses. A bug is
// checked first: the parser wraps it like a located parse error, and it is
// never the file's fault.
func (s *Server) reportFailure(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, pdf.ErrInternal):
		logInternal(logger(r.Context(), s.log), r, err)
		s.ocrFail(w, http.StatusInternalServerError, "INTERNAL_ERROR", "internal error")
	case memoryBusy(r, err):
		s.ocrFail(w, http.StatusServiceUnavailable, "UNAVAILABLE", "the server is busy with other large requests: retry in a few seconds")
	case errors.Is(err, parse.ErrNotCreditReport):
		s.ocrFail(w, http.StatusBadRequest, "DETECTION_FAILED", "file is not a PBOC credit report (institution edition); send auto_classify=0 to try anyway")
	case errors.Is(err, parse.ErrNoText):
		s.ocrFail(w, http.StatusBadRequest, "DETECTION_FAILED", "file has no text layer (scanned image); a text-based PDF is required")
	case errors.Is(err, pdf.ErrEncrypted):
		s.ocrFail(w, http.StatusBadRequest, "INVALID_ARGUMENT", "file: is encrypted; send the report without a password")
	case errors.Is(err, pdf.ErrNotPDF), errors.Is(err, pdf.ErrMalformed), errors.Is(err, pdf.ErrUnsupported):
		s.ocrFail(w, http.StatusBadRequest, "INVALID_ARGUMENT", "file: "+err.Error())
	case errors.Is(err, pdf.ErrLimit), errors.Is(err, parse.ErrTooLarge):
		s.ocrFail(w, http.StatusBadRequest, "INVALID_ARGUMENT", "file: exceeds a processing limit: "+err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		s.ocrFail(w, http.StatusBadRequest, "DETECTION_FAILED", "file: took too long to process")
	default:
		var perr *parse.Error
		if errors.As(err, &perr) {
			s.ocrFail(w, http.StatusBadRequest, "DETECTION_FAILED", err.Error())
			return
		}
		logger(r.Context(), s.log).Error("credit report", "err", err)
		s.ocrFail(w, http.StatusInternalServerError, "INTERNAL_ERROR", "internal error")
	}
}

// partnerFailure maps partner.Authenticate's errors to the seed's
// credit-report statuses.
func partnerFailure(err error) (int, string) {
	switch {
	case errors.Is(err, partner.ErrUnauthorized):
		return http.StatusUnauthorized, "UNAUTHORIZED"
	case errors.Is(err, partner.ErrExpired):
		return http.StatusUnauthorized, "KEY_EXPIRED"
	case errors.Is(err, partner.ErrNoPermission):
		return http.StatusForbidden, "NO_PERMISSION"
	case errors.Is(err, partner.ErrOutOfQuota):
		return http.StatusForbidden, "OUT_OF_QUOTA"
	case errors.Is(err, partner.ErrRateLimited):
		return http.StatusForbidden, "RATE_LIMIT_EXCEEDED"
	}
	return http.StatusInternalServerError, "INTERNAL_ERROR"
}

// attachCreditReport parses a borrower's own report and keeps it.
func (s *Server) attachCreditReport(r *http.Request, sess *account.Session) (any, error) {
	return s.attachReportFor(r, sess.UserID)
}

// opsAttachCreditReport attaches a report to a borrower for an operator
// (a report the borrower handed in at a branch, say); the same rules hold.
func (s *Server) opsAttachCreditReport(r *http.Request) (any, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, errs.InvalidField("id", "must be a borrower's numeric id")
	}
	return s.attachReportFor(r, id)
}

// attachReportFor parses the uploaded report and attaches it to userID.
func (s *Server) attachReportFor(r *http.Request, userID int64) (any, error) {
	if r.ContentLength > MaxReportFile+1<<20 {
		return nil, &errs.Error{Code: errs.TooLarge, Field: "file", Message: "must be at most 30 MB"}
	}
	f, opts, _, err := s.receiveReport(nil, r)
	if err != nil {
		return nil, errs.InvalidField("file", "%s", strings.TrimPrefix(err.Error(), "file: "))
	}
	defer os.Remove(f.Name())
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	rep, err := readReport(r.Context(), f, st.Size(), opts)
	if err != nil {
		if memoryBusy(r, err) && !errors.Is(err, pdf.ErrInternal) {
			return nil, errMemoryBusy
		}
		return nil, appReportError(err)
	}
	cr, err := s.Accounts.AttachCreditReport(r.Context(), userID, rep)
	if err != nil {
		return nil, err
	}
	return s.creditOf(cr), nil
}

// appReportError turns a parser failure into the app API's vocabulary.
func appReportError(err error) error {
	var perr *parse.Error
	switch {
	case errors.Is(err, pdf.ErrInternal):
		return err // not an *errs.Error: logged with its stack, answered "internal error"
	case errors.Is(err, parse.ErrNotCreditReport):
		return errs.InvalidField("file", "is not a PBOC credit report (institution edition)")
	case errors.Is(err, parse.ErrNoText):
		return errs.InvalidField("file", "has no text layer (a scanned image); upload the PDF as downloaded")
	case errors.Is(err, pdf.ErrEncrypted):
		return errs.InvalidField("file", "is encrypted; upload it without a password")
	case errors.Is(err, context.DeadlineExceeded):
		return errs.InvalidField("file", "took too long to read")
	case errors.Is(err, pdf.ErrNotPDF), errors.Is(err, pdf.ErrMalformed), errors.Is(err, pdf.ErrUnsupported),
		errors.Is(err, pdf.ErrLimit), errors.Is(err, parse.ErrTooLarge), errors.As(err, &perr):
		return errs.InvalidField("file", "could not be read: %v", err)
	}
	return err
}
