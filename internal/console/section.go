package console

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"time"

	"creditpocket/internal/staff"
)

// Section is a group of console pages kept in a package of its own (the
// risk, product and partner administration in console/manage): its
// routes join the one route table, guarded like every other, and its page
// templates are parsed with the console's layout.
type Section struct {
	Routes []SectionRoute
	// Templates holds the section's page templates as "*.html" at its
	// root; their names must not repeat the console's own.
	Templates fs.FS
}

// SectionRoute is a section's page or action; Perm is required (sections
// have no public routes).
type SectionRoute struct {
	Method, Path string
	Perm         staff.Permission
	Handle       func(p *Page) error
}

// Page is a section handler's view of one guarded request: the signed-in
// member, the form already read and its CSRF token checked.
type Page struct {
	W http.ResponseWriter
	R *http.Request
	c *Console
	q *request
}

// Context is the request's context.
func (p *Page) Context() context.Context { return p.R.Context() }

// Email is the signed-in staff member's e-mail, what decisions record.
func (p *Page) Email() string { return p.q.email() }

// Now is the console's clock.
func (p *Page) Now() time.Time { return p.c.d.Now() }

// Location is the business time zone pages show times in.
func (p *Page) Location() *time.Location { return p.c.d.Location }

// Render answers with the named section template inside the layout.
func (p *Page) Render(code int, name string, data any) {
	p.c.render(p.W, p.R, p.q.sess, code, name, data)
}

// Redirect answers a POST with a 303 to a page.
func (p *Page) Redirect(to string) error { return p.q.redirect(to) }

// Audit records a staff action; a failure to record fails the request.
func (p *Page) Audit(action, target, detail string) error {
	return p.c.audit(p.q, action, target, detail)
}

// Audited records an action before taking it, and its failure after (see
// Console.audited).
func (p *Page) Audited(action, target, detail string, take func() error) error {
	return p.c.audited(p.q, action, target, detail, take)
}

// sectionRoutes are the sections' routes as the route table holds them.
func (c *Console) sectionRoutes() []Route {
	var out []Route
	for _, s := range c.d.Sections {
		for _, sr := range s.Routes {
			handle := sr.Handle
			out = append(out, Route{Method: sr.Method, Path: sr.Path, Perm: sr.Perm, handle: func(c *Console, q *request) error {
				return handle(&Page{W: q.w, R: q.r, c: c, q: q})
			}})
		}
	}
	return out
}

// checkSections refuses a section route without a permission.
func checkSections(ss []Section) error {
	for _, s := range ss {
		for _, sr := range s.Routes {
			if sr.Perm == "" {
				return fmt.Errorf("console: section route %s %s names no permission", sr.Method, sr.Path)
			}
		}
	}
	return nil
}
