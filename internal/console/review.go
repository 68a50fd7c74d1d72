package console

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"creditpocket/internal/errs"
	"creditpocket/internal/kyc"
	"creditpocket/internal/loan"
	"creditpocket/internal/vault"
)

// Review queues: a reviewer takes an item (a claim lasting
// staff.Config.ClaimTTL that nobody else can take meanwhile), sees what
// is needed to decide, and approves or rejects with a reason (required
// to reject). Decisions record the reviewer's e-mail.

const (
	loanQueue = "loan"
	kycQueue  = "kyc"
)

func (c *Console) loanQueue(q *request) error {
	p := pageParam(q)
	res, err := c.d.Loans.ReviewQueue(q.ctx(), p)
	if err != nil {
		return err
	}
	claims, err := c.d.Staff.Claims(q.ctx(), loanQueue)
	if err != nil {
		return err
	}
	c.render(q.w, q.r, q.sess, http.StatusOK, "review_loans", map[string]any{
		"Loans": res.Items, "Claims": claims, "Pager": newPager(q, p, res.Total), "Flash": flash(q, "Loan"),
	})
	return nil
}

// loanReview shows one queued loan with the borrower and the decision's
// explanation; viewing it is audited (it shows personal data).
func (c *Console) loanReview(q *request) error {
	f, err := c.loadLoan(q, q.r.PathValue("id"))
	if err != nil {
		return err
	}
	claim, err := c.d.Staff.ClaimOf(q.ctx(), loanQueue, f.Loan.ID.String())
	if err != nil {
		return err
	}
	who, err := c.d.Borrowers.Overview(q.ctx(), f.Loan.UserID)
	if err != nil {
		return err
	}
	if err := c.audit(q, "loan.review.view", "loan "+f.Loan.ID.String(), ""); err != nil {
		return err
	}
	c.render(q.w, q.r, q.sess, http.StatusOK, "review_loan", map[string]any{
		"File": f, "Borrower": who, "Claim": claim, "Mine": claim != nil && claim.Holder == q.email(),
		"Open": f.Loan.Status == loan.StatusManualReview,
	})
	return nil
}

func (c *Console) takeLoan(q *request) error {
	id, err := loan.ParseID("id", q.r.PathValue("id"))
	if err != nil {
		return err
	}
	r, err := c.d.Loans.AnyLoan(q.ctx(), id)
	if err != nil {
		return err
	}
	if r.Status != loan.StatusManualReview {
		return errs.E(errs.Conflict, "loan %s is %s, not waiting for review", r.ID, statusName(r.Status))
	}
	if _, err := c.d.Staff.Take(q.ctx(), loanQueue, r.ID.String(), q.actor); err != nil {
		return err
	}
	return q.redirect("/console/review/loans/" + r.ID.String())
}

// decision reads the decide form: action approve|reject and a reason.
func decision(q *request) (approve bool, reason string, err error) {
	reason = strings.TrimSpace(q.r.PostFormValue("reason"))
	switch q.r.PostFormValue("action") {
	case "approve":
		approve = true
	case "reject":
		if reason == "" {
			return false, "", errs.Required("reason")
		}
	default:
		return false, "", errs.InvalidField("action", "must be approve or reject")
	}
	if len(reason) > 500 {
		return false, "", errs.InvalidField("reason", "must be at most 500 characters")
	}
	return approve, reason, nil
}

// flash is the note a queue shows after a decision redirected to it,
// built from a known verb and a numeric id only, so a crafted link cannot
// put words on the page.
func flash(q *request, what string) string {
	qv := q.r.URL.Query()
	done, id := qv.Get("done"), qv.Get("id")
	if (done != "approve" && done != "reject") || id == "" || strings.Trim(id, "0123456789") != "" || len(id) > 20 {
		return ""
	}
	return what + " " + id + " " + done + "d."
}

func verb(approve bool) string {
	if approve {
		return "approve"
	}
	return "reject"
}

func (c *Console) decideLoan(q *request) error {
	loanID, err := loan.ParseID("id", q.r.PathValue("id"))
	if err != nil {
		return err
	}
	id := loanID.String()
	approve, reason, err := decision(q)
	if err != nil {
		return err
	}
	if err := c.d.Staff.Holding(q.ctx(), loanQueue, id, q.actor); err != nil {
		return err
	}
	err = c.audited(q, "loan."+verb(approve), "loan "+id, reason, func() error {
		_, err := c.d.Loans.Decide(q.ctx(), loan.ManualDecision{LoanID: loanID, Reviewer: q.email(), Approve: approve, Reason: reason})
		return err
	})
	if err != nil {
		return err
	}
	if err := c.d.Staff.Release(q.ctx(), loanQueue, id, q.actor); err != nil {
		return err
	}
	return q.redirect("/console/review/loans?done=" + verb(approve) + "&id=" + id)
}

func (c *Console) kycQueue(q *request) error {
	subs, err := c.d.KYC.ReviewQueue(q.ctx(), 200)
	if err != nil {
		return err
	}
	claims, err := c.d.Staff.Claims(q.ctx(), kycQueue)
	if err != nil {
		return err
	}
	c.render(q.w, q.r, q.sess, http.StatusOK, "review_kyc_list", map[string]any{"Submissions": subs, "Claims": claims, "Flash": flash(q, "KYC")})
	return nil
}

func kycID(q *request) (int64, error) {
	id, err := strconv.ParseInt(q.r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E(errs.NotFound, "no KYC %.32q", q.r.PathValue("id"))
	}
	return id, nil
}

// applicantField is one line of a KYC applicant, personal numbers masked.
type applicantField struct{ Name, Value string }

// maskedFields are applicant fields shown masked.
var maskedFields = []string{"doc_no", "mobile", "email"}

// kycFile reads the KYC submission the path names.
func (c *Console) kycFile(q *request) (int64, *kyc.File, error) {
	id, err := kycID(q)
	if err != nil {
		return 0, nil, err
	}
	f, err := c.d.KYC.File(q.ctx(), id)
	return id, f, err
}

func (c *Console) kycPage(q *request, shown *shownDocument) error {
	id, f, err := c.kycFile(q)
	if err != nil {
		return err
	}
	app, err := c.d.KYC.Applicant(f.Submission)
	if err != nil {
		return err
	}
	var fields []applicantField
	for k, v := range app {
		if slices.Contains(maskedFields, k) {
			v = vault.Mask(v)
		}
		fields = append(fields, applicantField{k, v})
	}
	slices.SortFunc(fields, func(a, b applicantField) int { return strings.Compare(a.Name, b.Name) })
	claim, err := c.d.Staff.ClaimOf(q.ctx(), kycQueue, strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	if shown == nil {
		if err := c.audit(q, "kyc.review.view", fmt.Sprintf("kyc %d", id), ""); err != nil {
			return err
		}
	}
	c.render(q.w, q.r, q.sess, http.StatusOK, "review_kyc", map[string]any{
		"File": f, "Applicant": fields, "Claim": claim, "Mine": claim != nil && claim.Holder == q.email(),
		"Open": f.Submission.Review, "Shown": shown,
	})
	return nil
}

func (c *Console) kycReview(q *request) error { return c.kycPage(q, nil) }

// shownDocument is a KYC document opened for the page, as a data: URL
// (pages are not cached, so the document does not linger).
type shownDocument struct {
	Field, Purpose string
	// URL is the image as a data: URL. It is built here from the
	// document's bytes and a fixed image type, so it is marked safe:
	// html/template would otherwise replace a data: URL.
	URL template.URL
}

// kycDocument opens one document for a stated purpose. The KYC service
// records the view (who, why) before reading it, and the console's audit
// log records it too.
func (c *Console) kycDocument(q *request) error {
	id, err := kycID(q)
	if err != nil {
		return err
	}
	field := q.r.PostFormValue("field")
	purpose, err := purposeOf(q)
	if err != nil {
		return err
	}
	if err := c.audit(q, "kyc.document.view", fmt.Sprintf("kyc %d %s", id, field), purpose); err != nil {
		return err
	}
	data, kind, err := c.d.KYC.ViewDocument(q.ctx(), id, field, q.email(), purpose)
	if err != nil {
		return err
	}
	mime := mimeOf(kind)
	if !strings.HasPrefix(mime, "image/") { // a PDF is downloaded, not shown inside the page
		q.w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="kyc-%d-%s.pdf"`, id, url.PathEscape(field)))
		return writeDocument(q, data, mime)
	}
	shown := &shownDocument{Field: field, Purpose: purpose,
		URL: template.URL("data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(data))}
	return c.kycPage(q, shown)
}

// purposeOf is the stated purpose of opening personal data: required,
// and short enough for the audit log.
func purposeOf(q *request) (string, error) {
	purpose := strings.TrimSpace(q.r.PostFormValue("purpose"))
	switch {
	case purpose == "":
		return "", errs.Required("purpose")
	case len(purpose) > 200:
		return "", errs.InvalidField("purpose", "must be at most 200 characters")
	}
	return purpose, nil
}

func (c *Console) takeKYC(q *request) error {
	id, f, err := c.kycFile(q)
	if err != nil {
		return err
	}
	if !f.Submission.Review {
		return errs.E(errs.Conflict, "KYC %d is %s, not waiting for review", id, f.Submission.Status)
	}
	if _, err := c.d.Staff.Take(q.ctx(), kycQueue, strconv.FormatInt(id, 10), q.actor); err != nil {
		return err
	}
	return q.redirect(fmt.Sprintf("/console/review/kyc/%d", id))
}

func (c *Console) decideKYC(q *request) error {
	id, err := kycID(q)
	if err != nil {
		return err
	}
	approve, reason, err := decision(q)
	if err != nil {
		return err
	}
	item := strconv.FormatInt(id, 10)
	if err := c.d.Staff.Holding(q.ctx(), kycQueue, item, q.actor); err != nil {
		return err
	}
	err = c.audited(q, "kyc."+verb(approve), "kyc "+item, reason, func() error {
		_, err := c.d.KYC.Decide(q.ctx(), id, approve, reason, q.email())
		return err
	})
	if err != nil {
		return err
	}
	if err := c.d.Staff.Release(q.ctx(), kycQueue, item, q.actor); err != nil {
		return err
	}
	return q.redirect("/console/review/kyc?done=" + verb(approve) + "&id=" + item)
}
