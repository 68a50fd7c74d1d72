package partnerapi

import (
	"errors"
	"net/http"

	"creditpocket/internal/errs"
	"creditpocket/internal/httpapi"
	"creditpocket/internal/partner"
)

func (s *api) reportRoutes() []httpapi.Route {
	if s.Reports == nil || s.Partners == nil {
		return nil
	}
	return []httpapi.Route{{
		Method: "POST", Path: "/ocr/v2/pdf_credit_report_org", Tag: "Partner: credit report",
		Summary: "Structure a PBOC second-generation credit report PDF (institution edition) into the seed's JSON. " +
			"Partner scope ocr. Answers {\"status\":\"OK\",\"result\":{…}} or {\"status\":CODE,\"reason\":…} with the seed's codes: " +
			"INVALID_ARGUMENT 400, DETECTION_FAILED 400, UNAUTHORIZED 401, KEY_EXPIRED 401, NO_PERMISSION 403, OUT_OF_QUOTA 403, " +
			"RATE_LIMIT_EXCEEDED 403, INTERNAL_ERROR 500, UNAVAILABLE 503 (the server's memory budget is full: retry after Retry-After seconds). " +
			"The file is parsed in memory-bounded streaming fashion and not kept.",
		Query: partnerCredentialFields,
		Multipart: []httpapi.Field{
			{Name: "file", Type: "string", Required: true, Desc: "The PDF (text-based, not scanned), at most 30 MB"},
			{Name: "auto_classify", Type: "integer", Desc: "1 (default): refuse a PDF that is not a credit report; 0: try anyway"},
			{Name: "normalize", Type: "integer", Desc: "1: typed values (amounts as integers in fen, ISO dates, null instead of --); 0 (default): strings as printed"},
		},
		Response: "OCR result",
		Format:   `{"status":"OK","result":{…the report…}} or {"status":"INVALID_ARGUMENT","reason":"…"}`,
		Handle:   s.Budgeted(0, 0, s.creditReport), // the upload streams to disk; the parser charges what it holds
	}}
}

// ocrAnswer is the credit-report API's response shape.
type ocrAnswer struct {
	Status string `json:"status"`
	Result any    `json:"result,omitempty"`
	Reason string `json:"reason,omitempty"`
}

func (s *api) ocrFail(w http.ResponseWriter, status int, code, reason string) {
	httpapi.WriteJSON(w, status, ocrAnswer{Status: code, Reason: reason})
}

func (s *api) creditReport(w http.ResponseWriter, r *http.Request) {
	if _, err := s.partnerAuth(r, partner.ScopeOCR); err != nil {
		f := partnerRefusal(err)
		if f.internal {
			s.Logger(r.Context()).Error("partner auth", "err", err)
		}
		s.ocrFail(w, f.status, f.ocr, f.message)
		return
	}
	result, err := s.Reports.ReadJSON(r.Context(), r.Header.Get("Content-Type"), r.ContentLength, r.Body)
	if err != nil {
		s.reportFailure(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, ocrAnswer{Status: "OK", Result: result})
}

// reportFailure answers a refused upload in the seed's statuses: a file
// that is too large or not a readable PDF is INVALID_ARGUMENT (400, as the
// seed has it, even for a file over the cap), a readable one that is not
// recognised as a report DETECTION_FAILED.
func (s *api) reportFailure(w http.ResponseWriter, r *http.Request, err error) {
	var unreadable interface{ Unrecognised() bool }
	switch errs.ErrorCode(err) {
	case errs.Invalid, errs.TooLarge:
		code := "INVALID_ARGUMENT"
		if errors.As(err, &unreadable) && unreadable.Unrecognised() {
			code = "DETECTION_FAILED"
		}
		s.ocrFail(w, http.StatusBadRequest, code, errs.Message(err))
	case errs.Unavailable:
		s.ocrFail(w, http.StatusServiceUnavailable, "UNAVAILABLE", errs.Message(err))
	default:
		httpapi.LogInternal(s.Logger(r.Context()), r, err)
		s.ocrFail(w, http.StatusInternalServerError, "INTERNAL_ERROR", "internal error")
	}
}
