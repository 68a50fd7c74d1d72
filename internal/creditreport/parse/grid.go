package parse

import (
	"fmt"
	"regexp"
	"strconv"
)

// gridCaption is "2010年09月—2015年05月的还款记录" (or 缴费记录) after norm.
var gridCaption = regexp.MustCompile(`(\d{4})年(\d{1,2})月-+(\d{4})年(\d{1,2})月的(?:还款|缴费)记录`)

type gridMonth struct{ month, state, amount string }

type gridYear struct {
	year   string
	months []gridMonth
}

// grid is a repayment (还款记录) or payment (缴费记录) grid.
type grid struct {
	dateRange, start, end string
	years                 []gridYear
}

// grids reads the grid of a block: its caption for the range, then the
// table whose header row is the months 1…12. withAmounts grids print two
// rows a year (states, then amounts) with the year a cell spanning both;
// payment grids one row a year.
func (w *walker) grids(items []item, withAmounts bool) (grid, error) {
	var g grid
	var y0, m0, y1, m1 int
	for i, it := range items {
		if it.tbl != nil {
			continue
		}
		m := gridCaption.FindStringSubmatch(norm(it.text))
		if m == nil {
			continue
		}
		g.dateRange = fmt.Sprintf("%s年%s月-%s年%s月", m[1], m[2], m[3], m[4])
		g.start, g.end = m[1]+"."+m[2], m[3]+"."+m[4]
		y0, _ = strconv.Atoi(m[1])
		m0, _ = strconv.Atoi(m[2])
		y1, _ = strconv.Atoi(m[3])
		m1, _ = strconv.Atoi(m[4])
		rows, months, yearEdge, err := gridRows(tables(items[i+1:]))
		if err != nil {
			return g, w.fail(err)
		}
		step := 1
		if withAmounts {
			step = 2
		}
		// A year cell cut by a page break can leave the next year's label
		// in this pair's amount row; it then names the following pair.
		pending := ""
		for k := 0; k < len(rows); k += step {
			pair := rows[k:min(k+step, len(rows))]
			var year string
			for _, r := range pair {
				for _, c := range r {
					if c.x1 > yearEdge+edgeTol {
						continue
					}
					switch t := clean(c.text()); {
					case t == "":
					case year == "":
						year = t
					case t != year:
						pending = t
					}
				}
			}
			if year == "" {
				year, pending = pending, ""
			}
			if year == "" {
				continue
			}
			yn, _ := strconv.Atoi(year)
			gy := gridYear{year: year}
			for mi, mc := range months {
				month := mi + 1
				if (yn == y0 && month < m0) || (yn == y1 && month > m1) || yn < y0 || yn > y1 {
					continue
				}
				gm := gridMonth{month: strconv.Itoa(month)}
				if mc != nil {
					if d := below(mc, pair[0]); d != nil {
						gm.state = clean(d.text())
					}
					if withAmounts && len(pair) > 1 {
						if d := below(mc, pair[1]); d != nil {
							gm.amount = clean(d.text())
						}
					}
				}
				gy.months = append(gy.months, gm)
			}
			g.years = append(g.years, gy)
		}
		break
	}
	return g, nil
}

// gridRows finds the month header in the first grid table and returns the
// rows after it, continuation tables with the same columns included.
func gridRows(tbls []*table) (rows []row, months []*cell, yearEdge float64, err error) {
	for ti, t := range tbls {
		hi := -1
		for i, r := range t.rows {
			found := make([]*cell, 12)
			n := 0
			for _, c := range r {
				if v, err := strconv.Atoi(norm(c.text())); err == nil && v >= 1 && v <= 12 && found[v-1] == nil {
					found[v-1] = c
					n++
				}
			}
			if n >= 10 {
				hi, months = i, found
				break
			}
		}
		if hi < 0 {
			continue
		}
		months = monthsByOrder(t.rows[hi], months)
		first := months[0]
		if first == nil {
			return nil, nil, 0, fmt.Errorf("repayment grid: no column for month 1")
		}
		yearEdge = first.x0
		rows = append(rows, t.rows[hi+1:]...)
		prev := t
		for _, next := range tbls[ti+1:] {
			if next.page <= prev.page || !continues(t, next) {
				break // only a later page continues a table
			}
			rows = append(rows, next.rows...)
			prev = next
		}
		return rows, months, yearEdge, nil
	}
	return nil, nil, 0, nil
}

// monthsByOrder fills month columns whose header label is missing (a
// producer that lost a cell's text) from the order of the header cells:
// right of the year column there are exactly twelve.
func monthsByOrder(header row, months []*cell) []*cell {
	var left *cell
	for _, m := range months {
		if m == nil {
			left = nil
			break
		}
	}
	complete := true
	for _, m := range months {
		if m == nil {
			complete = false
		} else if left == nil || m.x0 < left.x0 {
			left = m
		}
	}
	if complete || left == nil {
		return months
	}
	var cols []*cell
	for _, c := range header {
		if c.x0 >= left.x0-edgeTol {
			cols = append(cols, c)
		}
	}
	if len(cols) != 12 {
		return months
	}
	return cols
}
