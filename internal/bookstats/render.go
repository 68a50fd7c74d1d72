package bookstats

import (
	"cmp"
	"math"
	"slices"
	"strconv"

	"creditpocket/internal/ledger"
)

// Chart is one dashboard chart: a self-contained SVG document (no script,
// no external asset, no stylesheet: presentation attributes only, so a
// strict Content-Security-Policy allows it inline) that scales to the
// width of its container.
//
// Every bar and point carries data-label (its category: a date as
// YYYY-MM-DD, a bucket, a rule) and data-value (the exact integer figure:
// a count, an amount in minor units, or a rate in basis points where
// data-unit="bp"), and a <title> child with the same figure in words, so
// tests and screen readers read the figures, not pixels. Each series'
// marks are grouped in a <g data-series="…">.
type Chart struct {
	ID      string // stable, for tests and anchors: applications, disbursed-repaid, overdue, decision-mix
	Title   string
	Caption string // the chart's figures in one sentence, plain text (escape it for HTML)
	SVG     []byte
}

// Chart ids.
const (
	ChartApplications = "applications"
	ChartMoney        = "disbursed-repaid"
	ChartOverdue      = "overdue"
	ChartDecisions    = "decision-mix"
)

// TopRules is how many rules the decision-mix chart shows before it
// groups the rest as "Other rules".
const TopRules = 8

// Render draws the dashboard's charts from b, in display order. A chart
// with nothing to show says so instead of drawing empty axes.
func Render(b *Book) []Chart {
	if b == nil {
		b = &Book{}
	}
	return []Chart{applicationsChart(b), moneyChart(b), overdueChart(b), decisionsChart(b)}
}

// dayX is the left edge of column i of n across the plot; column i spans
// [dayX(i, n), dayX(i+1, n)).
func dayX(i, n int) int { return marginL + px(int64(i), int64(n), plotW) }

// dayAxis draws the date under every k-th column so at most 8 labels show.
func (c *canvas) dayAxis(days []Day) {
	n := len(days)
	every := max(1, (n+7)/8)
	for i := 0; i < n; i += every {
		mid := (dayX(i, n) + dayX(i+1, n)) / 2
		c.text(mid, marginT+plotH+18, "middle", colMuted, dayShort(days[i].Date))
	}
}

// pairBars draws two series of bars side by side in each day's column.
func (c *canvas) pairBars(days []Day, s scale, series [2]string, colours [2]string, mark func(d Day, series int) mark) {
	n := len(days)
	for k := range 2 {
		c.printf(`<g data-series="%s">`+"\n", esc(series[k]))
		for i, d := range days {
			x0, x1 := dayX(i, n), dayX(i+1, n)
			gap := (x1 - x0) / 6
			w := max(1, (x1-x0-2*gap)/2)
			m := mark(d, k)
			y := s.y(m.value)
			c.rect(x0+gap+k*w, y, w, s.baseline-y, colours[k], m)
		}
		c.printf("</g>\n")
	}
}

func applicationsChart(b *Book) Chart {
	const title = "Applications and approvals per day"
	t := b.Totals()
	caption := plural(t.Applications, "application", "applications") + ", " + FormatCount(t.Approved) + " approved and " +
		FormatCount(t.Rejected) + " rejected"
	if bp, ok := t.ApprovalRate(); ok {
		caption += " (approval rate " + formatPercent(bp) + " of decisions)"
	}
	caption += " in " + plural(int64(len(b.Days)), "day", "days") + "."
	if t.Applications == 0 && t.Decisions() == 0 {
		return Chart{ID: ChartApplications, Title: title, Caption: "No applications in this period.",
			SVG: empty(ChartApplications, title, "No applications in this period")}
	}
	var peak int64
	for _, d := range b.Days {
		peak = max(peak, d.Applications, d.Approved)
	}
	var c canvas
	c.begin(ChartApplications, marginT+plotH+marginB, title, caption)
	c.legend([2]string{"Applications", colApplied}, [2]string{"Approved", colApproved}, [2]string{"Approval rate", colRate})
	s := newScale(peak, plotH, marginT+plotH)
	c.grid(s, FormatCount)
	// The approval rate's axis on the right: 0 to 100 %.
	for i := 0; i <= s.lines; i++ {
		y := s.baseline - px(int64(i), int64(s.lines), plotH)
		c.text(marginL+plotW+8, y+4, "start", colRate, strconv.Itoa(100*i/s.lines)+" %")
	}
	c.pairBars(b.Days, s, [2]string{"applications", "approved"}, [2]string{colApplied, colApproved}, func(d Day, k int) mark {
		if k == 0 {
			return mark{label: dayKey(d.Date), value: d.Applications, title: dayLong(d.Date) + ": " + plural(d.Applications, "application", "applications")}
		}
		return mark{label: dayKey(d.Date), value: d.Approved, title: dayLong(d.Date) + ": " + FormatCount(d.Approved) + " approved"}
	})
	c.rateLine(b.Days, s)
	c.dayAxis(b.Days)
	return Chart{ID: ChartApplications, Title: title, Caption: caption, SVG: c.end()}
}

// rateLine draws the approval rate as points joined by a line, broken on
// days without decisions (no rate, rather than a misleading 0 %).
func (c *canvas) rateLine(days []Day, s scale) {
	n := len(days)
	type point struct{ x, y int }
	var runs [][]point
	var run []point
	c.printf(`<g data-series="approval-rate" data-unit="bp">` + "\n")
	for i, d := range days {
		bp, ok := d.ApprovalRate()
		if !ok {
			if len(run) > 0 {
				runs, run = append(runs, run), nil
			}
			continue
		}
		p := point{(dayX(i, n) + dayX(i+1, n)) / 2, s.baseline - px(bp, 10000, plotH)}
		run = append(run, p)
		c.printf(`<circle cx="%d" cy="%d" r="3" fill="%s"%s><title>%s</title></circle>`+"\n", p.x, p.y, colRate,
			mark{label: dayKey(d.Date), value: bp, extra: ` data-unit="bp"`}.attrs(),
			esc(dayLong(d.Date)+": approval rate "+formatPercent(bp)+" ("+FormatCount(d.Approved)+" of "+
				plural(d.Decisions(), "decision", "decisions")+")"))
	}
	if len(run) > 0 {
		runs = append(runs, run)
	}
	for _, r := range runs {
		if len(r) < 2 {
			continue
		}
		c.printf(`<polyline fill="none" stroke="%s" stroke-width="2" aria-hidden="true" points="`, colRate)
		for i, p := range r {
			if i > 0 {
				c.printf(" ")
			}
			c.printf("%d,%d", p.x, p.y)
		}
		c.printf(`"/>` + "\n")
	}
	c.printf("</g>\n")
}

func moneyChart(b *Book) Chart {
	const title = "Disbursed and repaid per day"
	t := b.Totals()
	caption := FormatMoney(t.Disbursed) + " disbursed on " + plural(t.DisbursedLoans, "loan", "loans") + " and " +
		FormatMoney(t.Repaid) + " repaid in " + plural(t.Repayments, "payment", "payments") + "."
	if t.Disbursed == 0 && t.Repaid == 0 && t.DisbursedLoans == 0 && t.Repayments == 0 {
		return Chart{ID: ChartMoney, Title: title, Caption: "Nothing disbursed or repaid in this period.",
			SVG: empty(ChartMoney, title, "Nothing disbursed or repaid in this period")}
	}
	var peak int64
	for _, d := range b.Days {
		peak = max(peak, int64(d.Disbursed), int64(d.Repaid))
	}
	var c canvas
	c.begin(ChartMoney, marginT+plotH+marginB, title, caption)
	c.legend([2]string{"Disbursed", colDisbursed}, [2]string{"Repaid", colRepaid})
	s := newScale(peak, plotH, marginT+plotH)
	c.grid(s, func(v int64) string { return axisMoney(v, s.step) })
	c.pairBars(b.Days, s, [2]string{"disbursed", "repaid"}, [2]string{colDisbursed, colRepaid}, func(d Day, k int) mark {
		if k == 0 {
			return mark{label: dayKey(d.Date), value: int64(d.Disbursed), extra: countAttr(d.DisbursedLoans),
				title: dayLong(d.Date) + ": " + FormatMoney(d.Disbursed) + " disbursed on " + plural(d.DisbursedLoans, "loan", "loans")}
		}
		return mark{label: dayKey(d.Date), value: int64(d.Repaid), extra: countAttr(d.Repayments),
			title: dayLong(d.Date) + ": " + FormatMoney(d.Repaid) + " repaid in " + plural(d.Repayments, "payment", "payments")}
	})
	c.dayAxis(b.Days)
	return Chart{ID: ChartMoney, Title: title, Caption: caption, SVG: c.end()}
}

// axisMoney labels a money grid line in major units, without the minor
// digits when every line is a whole major unit.
func axisMoney(v, step int64) string {
	unit := int64(1)
	for range MinorDigits {
		unit *= 10
	}
	if step%unit == 0 {
		return FormatCount(v / unit)
	}
	return FormatMoney(ledger.Money(v))
}

func countAttr(n int64) string { return ` data-count="` + strconv.FormatInt(n, 10) + `"` }

func overdueChart(b *Book) Chart {
	const title = "Outstanding by days past due"
	if b.OpenLoans == 0 && b.Outstanding == 0 {
		return Chart{ID: ChartOverdue, Title: title, Caption: "No open loans.", SVG: empty(ChartOverdue, title, "No open loans")}
	}
	caption := FormatMoney(b.Outstanding) + " outstanding on " + plural(b.OpenLoans, "open loan", "open loans") + "; " +
		FormatMoney(b.OverdueOutstanding) + " overdue on " + plural(b.OverdueLoans, "loan", "loans")
	if bp, ok := b.OverdueRate(); ok {
		caption += " (overdue rate " + formatPercent(bp) + " of outstanding)"
	}
	caption += "."
	current := mark{label: "current", value: addSat(int64(b.Outstanding), -max(int64(b.OverdueOutstanding), -math.MaxInt64)),
		extra: ` data-loans="` + strconv.FormatInt(b.OpenLoans-b.OverdueLoans, 10) + `"`}
	current.title = "Not overdue: " + FormatMoney(ledger.Money(current.value)) + " on " + plural(b.OpenLoans-b.OverdueLoans, "loan", "loans")
	marks := []mark{current}
	colours := []string{colCurrent}
	labels := []string{"Not overdue"}
	for i, bk := range b.OverdueBuckets {
		m := mark{label: bk.Label, value: int64(bk.Outstanding), extra: ` data-loans="` + strconv.FormatInt(bk.Loans, 10) + `"`}
		m.title = bk.Label + " days past due: " + FormatMoney(bk.Outstanding) + " on " + plural(bk.Loans, "loan", "loans")
		if bp, ok := ratio(int64(bk.Outstanding), int64(b.Outstanding), 10000); ok {
			m.title += " (" + formatPercent(bp) + " of outstanding)"
		}
		marks = append(marks, m)
		colours = append(colours, colBuckets[min(i, len(colBuckets)-1)])
		labels = append(labels, bk.Label+" days")
	}
	var peak int64
	for _, m := range marks {
		peak = max(peak, m.value)
	}
	var c canvas
	c.begin(ChartOverdue, marginT+plotH+marginB, title, caption)
	legend := "Overdue rate: none"
	if bp, ok := b.OverdueRate(); ok {
		legend = "Overdue rate " + formatPercent(bp) + " of outstanding"
	}
	c.text(marginL, 24, "start", colText, legend)
	s := newScale(peak, plotH, marginT+plotH)
	c.grid(s, func(v int64) string { return axisMoney(v, s.step) })
	n := len(marks)
	c.printf(`<g data-series="outstanding">` + "\n")
	for i, m := range marks {
		x0, x1 := dayX(i, n), dayX(i+1, n)
		gap := (x1 - x0) / 5
		y := s.y(m.value)
		c.rect(x0+gap, y, x1-x0-2*gap, s.baseline-y, colours[i], m)
		if i > 0 { // the bucket's share of the book above its bar
			if bp, ok := ratio(m.value, int64(b.Outstanding), 10000); ok {
				c.text((x0+x1)/2, y-6, "middle", colMuted, formatPercent(bp))
			}
		}
		c.text((x0+x1)/2, marginT+plotH+18, "middle", colMuted, labels[i])
	}
	c.printf("</g>\n")
	return Chart{ID: ChartOverdue, Title: title, Caption: caption, SVG: c.end()}
}

func decisionsChart(b *Book) Chart {
	const title = "Decisions by rule"
	rows := topRules(b.DecisionMix, TopRules)
	if len(rows) == 0 {
		return Chart{ID: ChartDecisions, Title: title, Caption: "No decisions in this period.",
			SVG: empty(ChartDecisions, title, "No decisions in this period")}
	}
	var total, peak int64
	for _, r := range rows {
		total, peak = addSat(total, r.Count), max(peak, r.Count)
	}
	caption := plural(total, "automatic decision", "automatic decisions") + " by " +
		plural(int64(len(b.DecisionMix)), "rule", "rules") + "; the most frequent: " + rows[0].Rule + " (" +
		FormatCount(rows[0].Count) + ")."
	const (
		rowH   = 30
		labelW = 236 // the rule names, left of the bars
		barL   = 12 + labelW
		barW   = viewW - barL - 72
	)
	height := marginT + rowH*len(rows) + 16
	var c canvas
	c.begin(ChartDecisions, height, title, caption)
	c.legend([2]string{"Accept", colAccept}, [2]string{"Review", colReview}, [2]string{"Reject", colReject})
	top := max(peak, 1)
	c.printf(`<g data-series="decisions">` + "\n")
	for i, r := range rows {
		y := marginT + i*rowH
		w := px(r.Count, top, barW)
		m := mark{label: r.Rule, value: r.Count, extra: ` data-decision="` + esc(r.Decision) + `"`}
		m.title = r.Rule + ": " + plural(r.Count, "decision", "decisions")
		if r.Decision != "" {
			m.title += " (" + r.Decision + ")"
		}
		if bp, ok := ratio(r.Count, total, 10000); ok {
			m.title += ", " + formatPercent(bp) + " of all"
		}
		c.text(barL-8, y+rowH/2+4, "end", colText, clip(r.Rule, 36))
		c.rect(barL, y+5, max(w, 2), rowH-10, decisionColour(r.Decision), m)
		c.text(barL+max(w, 2)+6, y+rowH/2+4, "start", colMuted, FormatCount(r.Count))
	}
	c.printf("</g>\n")
	return Chart{ID: ChartDecisions, Title: title, Caption: caption, SVG: c.end()}
}

// topRules keeps the n most frequent rules and sums the rest into one
// "Other rules" row.
func topRules(mix []RuleCount, n int) []RuleCount {
	var rows []RuleCount
	for _, r := range mix {
		if r.Count > 0 {
			rows = append(rows, r)
		}
	}
	slices.SortStableFunc(rows, func(a, b RuleCount) int { return cmp.Compare(b.Count, a.Count) })
	if len(rows) <= n {
		return rows
	}
	other := RuleCount{Rule: "Other rules"}
	for _, r := range rows[n:] {
		other.Count = addSat(other.Count, r.Count)
	}
	return append(rows[:n:n], other)
}

func decisionColour(d string) string {
	switch d {
	case Accept:
		return colAccept
	case Review:
		return colReview
	case Reject:
		return colReject
	}
	return colOther
}
