package console

import (
	"fmt"
	"html/template"
	"io/fs"
	"strings"
	"time"

	"creditpocket/internal/bookstats"
	"creditpocket/internal/loan"
)

// parsePages parses each page template together with the layout, so every
// page defines its own "title" and "content" blocks.
func parsePages(loc *time.Location, sections []Section) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"money":  bookstats.FormatMoney,
		"when":   func(t time.Time) string { return formatTime(t, loc) },
		"day":    func(t time.Time) string { return formatDay(t, loc) },
		"status": func(s loan.Status) string { return statusName(s) },
		"badge":  badgeClass,
		"add":    func(a, b int) int { return a + b },
		"join":   strings.Join,
		"decideForm": func(action, csrf string) map[string]string {
			return map[string]string{"Action": action, "CSRF": csrf}
		},
	}
	layout, err := template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/_partials.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || strings.HasPrefix(name, "_") {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("console: template %s: %w", n, err)
		}
		pages[name] = t
	}
	for _, s := range sections {
		names, err := fs.Glob(s.Templates, "*.html")
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			name := strings.TrimSuffix(n, ".html")
			if _, dup := pages[name]; dup {
				return nil, fmt.Errorf("console: section template %s repeats a page's name", n)
			}
			t, err := template.Must(layout.Clone()).ParseFS(s.Templates, n)
			if err != nil {
				return nil, fmt.Errorf("console: template %s: %w", n, err)
			}
			pages[name] = t
		}
	}
	return pages, nil
}

func formatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

func formatDay(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(time.DateOnly)
}

// formatBasisPoints shows 1234 bp as "12.34 %".
func formatBasisPoints(bp int64, ok bool) string {
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%d.%02d %%", bp/100, bp%100)
}

func statusName(s loan.Status) string {
	name := s.String()
	if _, n, ok := strings.Cut(name, "("); ok {
		return strings.TrimSuffix(n, ")")
	}
	return name
}

// badgeClass colours a status: good, warn, bad or neutral.
func badgeClass(s loan.Status) string {
	switch s {
	case loan.StatusRepaying, loan.StatusSettled, loan.StatusApproved, loan.StatusDisbursing:
		return "good"
	case loan.StatusManualReview, loan.StatusExtended, loan.StatusApplied, loan.StatusRiskReview:
		return "warn"
	case loan.StatusOverdue, loan.StatusRiskRejected, loan.StatusManualRejected, loan.StatusWrittenOff, loan.StatusDisbursementFailed:
		return "bad"
	}
	return "neutral"
}
