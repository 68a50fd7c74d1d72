package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"creditpocket/internal/bookstats"
	"creditpocket/internal/errs"
	"creditpocket/internal/identity"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/page"
	"creditpocket/internal/risk"
	"creditpocket/internal/staff"
)

const listSize = 25

// pageParam reads ?page=N (1-based).
func pageParam(q *request) page.Request {
	n, err := strconv.Atoi(q.r.URL.Query().Get("page"))
	if err != nil || n < 1 || n > 100000 {
		n = 1
	}
	return page.Request{Num: n, Size: listSize}
}

// pager is the previous/next links of a list.
type pager struct {
	Num, Pages int
	Total      int64
	Prev, Next string
}

func newPager(q *request, p page.Request, total int64) pager {
	pages := int((total + int64(p.Size) - 1) / int64(p.Size))
	pg := pager{Num: p.Num, Pages: max(pages, 1), Total: total}
	link := func(n int) string {
		v := q.r.URL.Query()
		v.Set("page", strconv.Itoa(n))
		return q.r.URL.Path + "?" + v.Encode()
	}
	if p.Num > 1 {
		pg.Prev = link(p.Num - 1)
	}
	if p.Num < pages {
		pg.Next = link(p.Num + 1)
	}
	return pg
}

// loanList searches loans by id or borrower mobile and filters them by
// status, overdue and application date.
func (c *Console) loanList(q *request) error {
	return c.listLoans(q, "loans", false)
}

// collections is the list of overdue loans.
func (c *Console) collections(q *request) error {
	return c.listLoans(q, "collections", true)
}

func (c *Console) listLoans(q *request, tmpl string, overdue bool) error {
	v := q.r.URL.Query()
	s := loan.Search{Mobile: strings.TrimSpace(v.Get("mobile")), Overdue: overdue || v.Get("overdue") == "1"}
	if id := v.Get("id"); id != "" {
		var err error
		if s.LoanID, err = loan.ParseID("id", id); err != nil {
			return err
		}
	}
	switch v.Get("payout") { // the dashboard's links to stuck and waiting payouts
	case "":
	case "stuck":
		s.Statuses = []loan.Status{loan.StatusDisbursing, loan.StatusDisbursementFailed}
		s.UpdatedBefore = c.d.Now().Add(-c.d.StuckAfter)
	case "waiting":
		s.PayoutWaiting = true
	default:
		return errs.InvalidField("payout", "must be stuck or waiting")
	}
	if st := v.Get("status"); st != "" {
		n, err := strconv.Atoi(st)
		if err != nil || !loan.Status(n).Valid() {
			return errs.InvalidField("status", "must be a loan status")
		}
		s.Statuses = []loan.Status{loan.Status(n)}
	}
	var err error
	if s.From, err = dateParam(q, "from", time.Time{}.In(c.d.Location)); err != nil {
		return err
	}
	if s.To, err = dateParam(q, "to", time.Time{}.In(c.d.Location)); err != nil {
		return err
	}
	if !s.To.IsZero() {
		s.To = s.To.AddDate(0, 0, 1) // the "to" day is included
	}
	p := pageParam(q)
	res, err := c.d.LoanRecords.SearchLoans(q.ctx(), s, p)
	if err != nil {
		return err
	}
	c.render(q.w, q.r, q.sess, http.StatusOK, tmpl, map[string]any{
		"Loans": res.Items, "Pager": newPager(q, p, res.Total), "Query": v, "Statuses": loan.Statuses(),
	})
	return nil
}

// timelineEvent is one step of a loan's life.
type timelineEvent struct {
	At   time.Time
	What string
}

// loanFile is everything a loan's page shows.
type loanFile struct {
	Loan     *loan.Record
	Ledger   []ledger.Booked
	Payments []loan.Payment
	Messages any
	Timeline []timelineEvent
	Decision *decisionView
	TotalDue any
	Payout   *payoutState // set for a failed payout (status 33)
}

func (c *Console) loadLoan(q *request, idText string) (*loanFile, error) {
	id, err := loan.ParseID("id", idText)
	if err != nil {
		return nil, err
	}
	ctx := q.ctx()
	r, err := c.d.Loans.AnyLoan(ctx, id)
	if err != nil {
		return nil, err
	}
	f := &loanFile{Loan: r}
	if f.Ledger, err = c.d.LoanRecords.LoanLedger(ctx, r.ID); err != nil {
		return nil, err
	}
	if f.Payments, err = c.d.LoanRecords.LoanPayments(ctx, r.ID); err != nil {
		return nil, err
	}
	msgs, err := c.d.BorrowerRecords.BorrowerMessages(ctx, r.UserID, r.AppliedAt, 50)
	if err != nil {
		return nil, err
	}
	f.Messages = msgs
	if total, err := r.Outstanding.Total(); err == nil {
		f.TotalDue = total
	}
	events, payout, err := c.payoutOf(q, r)
	if err != nil {
		return nil, err
	}
	f.Payout = payout
	f.Timeline = timeline(r, f.Ledger, f.Payments, events)
	if r.RiskSequenceID != "" {
		rec, err := c.d.Decisions.Decision(ctx, r.RiskSequenceID)
		switch {
		case err == nil:
			f.Decision = explain(rec)
		case !errs.Is(err, errs.NotFound):
			return nil, err
		}
	}
	return f, nil
}

// timeline orders what is known of a loan's life: its own timestamps, the
// ledger's bookings, the payments and the payout's events (which tell a
// payout's attempts better than its payments do, when there are any).
func timeline(r *loan.Record, led []ledger.Booked, pays []loan.Payment, payout []loan.PayoutEvent) []timelineEvent {
	var ev []timelineEvent
	add := func(t time.Time, what string) {
		if !t.IsZero() {
			ev = append(ev, timelineEvent{t, what})
		}
	}
	add(r.AppliedAt, "applied for "+r.Pricing.ProductID)
	decided := "risk decision: " + r.RiskReason
	if r.AuditUserID != "" {
		outcome := "rejected"
		if r.AuditRiskStatus == loan.AuditApproved {
			outcome = "approved"
		}
		add(r.DecidedAt, fmt.Sprintf("%s in manual review by %s", outcome, r.AuditUserID))
	} else {
		add(r.DecidedAt, decided)
	}
	add(r.DisbursedAt, "paid out")
	add(r.LastPaidAt, "last repayment")
	add(r.ClosedAt, "closed: "+statusName(r.Status))
	for _, e := range led {
		add(e.At, "ledger: "+string(e.Transaction.Kind)+" "+e.Transaction.Reference)
	}
	for _, e := range payout {
		add(e.At, e.String())
	}
	for _, p := range pays {
		if p.Kind == loan.PayDisbursement && len(payout) > 0 {
			continue
		}
		add(p.CreatedAt, fmt.Sprintf("%s asked: %s", p.Kind, bookstats.FormatMoney(p.Amount)))
		if p.Status != loan.PayPending {
			add(p.UpdatedAt, fmt.Sprintf("%s %s", p.Kind, p.Status))
		}
	}
	sort.SliceStable(ev, func(i, j int) bool { return ev[i].At.Before(ev[j].At) })
	return ev
}

// decisionView explains a risk decision: policy, rules hit and the
// feature values the policy saw.
type decisionView struct {
	Record   *risk.Record
	Features []featureValue
}

type featureValue struct{ Name, Value string }

func explain(rec *risk.Record) *decisionView {
	d := &decisionView{Record: rec}
	// Features are a flat struct with JSON names, the names policies use.
	b, err := json.Marshal(rec.Features)
	if err != nil {
		return d
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return d
	}
	for k, v := range m {
		d.Features = append(d.Features, featureValue{k, fmt.Sprint(v)})
	}
	slices.SortFunc(d.Features, func(a, b featureValue) int { return strings.Compare(a.Name, b.Name) })
	return d
}

func (c *Console) loanPage(q *request) error {
	f, err := c.loadLoan(q, q.r.PathValue("id"))
	if err != nil {
		return err
	}
	c.render(q.w, q.r, q.sess, http.StatusOK, "loan", map[string]any{"File": f, "ShowPhotos": q.sess.Staff.Role.Can(staff.ReviewLoans)})
	return nil
}

// loanPhoto serves one application photo; each view is audited.
func (c *Console) loanPhoto(q *request) error {
	id, err := loan.ParseID("id", q.r.PathValue("id"))
	if err != nil {
		return err
	}
	r, err := c.d.Loans.AnyLoan(q.ctx(), id)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(q.r.PathValue("n"))
	if err != nil || n < 1 || n > len(r.Photos) {
		return errs.E(errs.NotFound, "loan %s has no photo %s", r.ID, q.r.PathValue("n"))
	}
	return c.servePhoto(q, r, n)
}

// borrowerPhoto serves an application photo by its key, the address the
// risk decision records as the applicant's face image (the loan did not
// have an id yet when the decision was made).
func (c *Console) borrowerPhoto(q *request) error {
	uid, err := strconv.ParseInt(q.r.PathValue("uid"), 10, 64)
	if err != nil {
		return errs.E(errs.NotFound, "no borrower %q", q.r.PathValue("uid"))
	}
	res, err := c.d.Loans.Loans(q.ctx(), uid, allOfThem)
	if err != nil {
		return err
	}
	key := q.r.PathValue("key")
	for i := range res.Items {
		if n := slices.Index(res.Items[i].Photos, key); n >= 0 {
			return c.servePhoto(q, &res.Items[i], n+1)
		}
	}
	return errs.E(errs.NotFound, "borrower %d has no application photo %s", uid, key)
}

// servePhoto audits the view of a loan's photo n (1-based), then serves it.
func (c *Console) servePhoto(q *request, r *loan.Record, n int) error {
	if err := c.audit(q, "loan.photo.view", "loan "+r.ID.String(), fmt.Sprintf("photo %d", n)); err != nil {
		return err
	}
	img, err := c.d.Photos.Photo(q.ctx(), r.UserID, r.Photos[n-1])
	if err != nil {
		return err
	}
	return writeDocument(q, img, mimeOf(identity.Sniff(img)))
}

// writeDocument answers with a document's bytes, never cached.
func writeDocument(q *request, data []byte, mime string) error {
	q.w.Header().Set("Content-Type", mime)
	q.w.Header().Set("Cache-Control", "no-store")
	_, err := q.w.Write(data)
	return err
}

// mimeOf is the content type of a sniffed document; anything unknown is
// served as bytes to download, never rendered.
func mimeOf(k identity.Kind) string {
	switch k {
	case identity.JPEG:
		return "image/jpeg"
	case identity.PNG:
		return "image/png"
	case identity.PDF:
		return "application/pdf"
	}
	return "application/octet-stream"
}
