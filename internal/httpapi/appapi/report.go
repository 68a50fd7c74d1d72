package appapi

import (
	"net/http"
	"strconv"

	"creditpocket/internal/account"
	"creditpocket/internal/errs"
	"creditpocket/internal/httpapi"
)

// attachRoutes are the endpoints that attach a credit report to a
// borrower: the borrower's own upload and an operator's.
func (s *api) attachRoutes() []httpapi.Route {
	if s.Reports == nil {
		return nil
	}
	return []httpapi.Route{
		{Method: "POST", Path: "/user/credit/report", Tag: "Profile", Summary: "Attach a PBOC credit report PDF: it is parsed, must be about the borrower (its ID number equals the profile's), is sealed at rest, and its summary feeds GET /user/credit and risk decisions.", Auth: true,
			Multipart: []httpapi.Field{{Name: "file", Type: "string", Required: true, Desc: "The report PDF (text-based), at most 30 MB"}}, Response: "credit", Handle: s.Budgeted(0, 0, s.Authed(s.attachCreditReport))},
		{Method: "POST", Path: "/ops/borrowers/{id}/credit-report", Tag: "Operations", Summary: "Attach a PBOC credit report PDF to a borrower for them (e.g. handed in at a branch); the same rules as POST /user/credit/report: it must be about that borrower. Operator token required.",
			Multipart: []httpapi.Field{{Name: "file", Type: "string", Required: true, Desc: "The report PDF (text-based), at most 30 MB"}}, Response: "credit", Handle: s.Budgeted(0, 0, s.Ops(s.opsAttachCreditReport))},
	}
}

// attachCreditReport parses a borrower's own report and keeps it.
func (s *api) attachCreditReport(r *http.Request, sess *account.Session) (any, error) {
	return s.attachReportFor(r, sess.UserID)
}

// opsAttachCreditReport attaches a report to a borrower for an operator
// (a report the borrower handed in at a branch, say); the same rules hold.
func (s *api) opsAttachCreditReport(r *http.Request) (any, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, errs.InvalidField("id", "must be a borrower's numeric id")
	}
	return s.attachReportFor(r, id)
}

// attachReportFor parses the uploaded report and attaches it to userID.
func (s *api) attachReportFor(r *http.Request, userID int64) (any, error) {
	rep, err := s.Reports.Read(r.Context(), r.Header.Get("Content-Type"), r.ContentLength, r.Body)
	if err != nil {
		return nil, err
	}
	cr, err := s.Accounts.AttachCreditReport(r.Context(), userID, rep)
	if err != nil {
		return nil, err
	}
	return s.creditOf(cr), nil
}
