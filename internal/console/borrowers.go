package console

import (
	"net/http"
	"strconv"
	"strings"

	"creditpocket/internal/errs"
	"creditpocket/internal/page"
)

// borrowerSearch finds a borrower by mobile number and opens their page.
func (c *Console) borrowerSearch(q *request) error {
	m := strings.TrimSpace(q.r.URL.Query().Get("mobile"))
	if m == "" {
		c.render(q.w, q.r, q.sess, http.StatusOK, "borrower_search", map[string]any{})
		return nil
	}
	id, err := c.d.BorrowerRecords.BorrowerByMobile(q.ctx(), m)
	if errs.Is(err, errs.NotFound) {
		c.render(q.w, q.r, q.sess, http.StatusNotFound, "borrower_search", map[string]any{"Mobile": m, "Missing": true})
		return nil
	}
	if err != nil {
		return err
	}
	return q.redirect("/console/borrowers/" + strconv.FormatInt(id, 10))
}

// borrowerPage shows a borrower's profile (ID masked), contacts, work,
// bank accounts (masked) and loans; opening it is audited.
func (c *Console) borrowerPage(q *request) error {
	id, err := strconv.ParseInt(q.r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errs.E(errs.NotFound, "no borrower %.32q", q.r.PathValue("id"))
	}
	o, err := c.d.Borrowers.Overview(q.ctx(), id)
	if err != nil {
		return err
	}
	cards, err := c.d.Borrowers.Cards(q.ctx(), id, allOfThem)
	if err != nil {
		return err
	}
	loans, err := c.d.Loans.Loans(q.ctx(), id, allOfThem)
	if err != nil {
		return err
	}
	report, err := c.d.Borrowers.LatestCreditReport(q.ctx(), id)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return err
	}
	if err := c.audit(q, "borrower.view", "borrower "+strconv.FormatInt(id, 10), ""); err != nil {
		return err
	}
	c.render(q.w, q.r, q.sess, http.StatusOK, "borrower", map[string]any{"Overview": o, "Cards": cards.Items, "Loans": loans.Items, "Report": report})
	return nil
}

// allOfThem is the page a borrower's page lists cards and loans with: a
// borrower has few.
var allOfThem = page.Request{Num: 1, Size: page.MaxSize}
