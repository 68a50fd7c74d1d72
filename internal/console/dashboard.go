package console

import (
	"net/http"
	"time"

	"creditpocket/internal/bookstats"
	"creditpocket/internal/errs"
)

// dashboardDays is the default period: the last 30 business days.
const dashboardDays = 30

// dashboard shows the book's headline figures and charts for a period
// (?from=YYYY-MM-DD&to=YYYY-MM-DD, default the last 30 days).
func (c *Console) dashboard(q *request) error {
	now := c.d.Now().In(c.d.Location)
	bq := bookstats.LastDays(now, dashboardDays)
	var err error
	if bq.From, err = dateParam(q, "from", bq.From); err != nil {
		return err
	}
	if bq.To, err = dateParam(q, "to", bq.To); err != nil {
		return err
	}
	data := map[string]any{"From": bq.From.Format(time.DateOnly), "To": bq.To.Format(time.DateOnly)}
	if c.d.Stats == nil {
		data["Unavailable"] = true
		c.render(q.w, q.r, q.sess, http.StatusOK, "dashboard", data)
		return nil
	}
	if err := bq.Validate(); err != nil {
		return err
	}
	if c.d.StuckAfter > 0 {
		bq.StuckBefore = c.d.Now().Add(-c.d.StuckAfter)
		data["StuckAfter"] = c.d.StuckAfter.String()
	}
	book, err := c.d.Stats.BookStats(q.ctx(), bq, c.d.Location)
	if err != nil {
		return err
	}
	totals := book.Totals()
	data["Book"], data["Totals"] = book, totals
	data["ApprovalRate"] = formatBasisPoints(totals.ApprovalRate())
	data["OverdueRate"] = formatBasisPoints(book.OverdueRate())
	if c.d.Charts != nil {
		data["Charts"] = c.d.Charts(book)
	}
	c.render(q.w, q.r, q.sess, http.StatusOK, "dashboard", data)
	return nil
}

// dateParam reads an optional YYYY-MM-DD query parameter in the business
// time zone.
func dateParam(q *request, name string, def time.Time) (time.Time, error) {
	v := q.r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, v, def.Location())
	if err != nil {
		return def, errs.InvalidField(name, "must be a date YYYY-MM-DD")
	}
	return t, nil
}
