package console

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"creditpocket/internal/errs"
	"creditpocket/internal/membudget"
	"creditpocket/internal/staff"
)

// Route is one console page or action: the permission it needs is the
// only access rule. An empty Perm marks the few public routes (sign-in).
type Route struct {
	Method, Path string
	Perm         staff.Permission
	handle       func(c *Console, q *request) error
}

// routes is the console's route table. Pages for another area go in their
// own file with their own handlers and one line each here.
func (c *Console) routes() []Route {
	return append([]Route{
		{"GET", "/console/signin", "", (*Console).signInPage},
		{"POST", "/console/signin", "", (*Console).signIn},
		{"POST", "/console/signout", staff.ViewDashboard, (*Console).signOut},

		{"GET", "/console/{$}", staff.ViewDashboard, (*Console).dashboard},

		{"GET", "/console/loans", staff.ViewLoans, (*Console).loanList},
		{"GET", "/console/loans/{id}", staff.ViewLoans, (*Console).loanPage},
		{"GET", "/console/loans/{id}/photos/{n}", staff.ReviewLoans, (*Console).loanPhoto},
		{"GET", "/console/borrowers/{uid}/photos/{key}", staff.ReviewLoans, (*Console).borrowerPhoto},
		{"GET", "/console/collections", staff.WorkCollections, (*Console).collections},
		{"POST", "/console/loans/{id}/payout/retry", staff.ManagePayouts, (*Console).retryPayout},
		{"POST", "/console/loans/{id}/payout/cancel", staff.ManagePayouts, (*Console).cancelPayout},

		{"GET", "/console/review/loans", staff.ReviewLoans, (*Console).loanQueue},
		{"GET", "/console/review/loans/{id}", staff.ReviewLoans, (*Console).loanReview},
		{"POST", "/console/review/loans/{id}/take", staff.ReviewLoans, (*Console).takeLoan},
		{"POST", "/console/review/loans/{id}/decide", staff.ReviewLoans, (*Console).decideLoan},

		{"GET", "/console/review/kyc", staff.ReviewKYC, (*Console).kycQueue},
		{"GET", "/console/review/kyc/{id}", staff.ReviewKYC, (*Console).kycReview},
		{"POST", "/console/review/kyc/{id}/take", staff.ReviewKYC, (*Console).takeKYC},
		{"POST", "/console/review/kyc/{id}/decide", staff.ReviewKYC, (*Console).decideKYC},
		{"POST", "/console/review/kyc/{id}/document", staff.ReviewKYC, (*Console).kycDocument},

		{"GET", "/console/borrowers", staff.ViewBorrowers, (*Console).borrowerSearch},
		{"GET", "/console/borrowers/{id}", staff.ViewBorrowers, (*Console).borrowerPage},
		{"POST", "/console/borrowers/{id}/credit-report", staff.ViewBorrowers, (*Console).borrowerCreditReport},

		{"GET", "/console/staff", staff.ManageStaff, (*Console).staffList},
		{"POST", "/console/staff", staff.ManageStaff, (*Console).staffCreate},
		{"POST", "/console/staff/disable", staff.ManageStaff, (*Console).staffDisable},
		{"POST", "/console/staff/role", staff.ManageStaff, (*Console).staffRole},
		{"POST", "/console/staff/reset", staff.ManageStaff, (*Console).staffReset},
		{"GET", "/console/audit", staff.ViewAudit, (*Console).auditLog},

		// Risk, products and partners: Deps.Sections (console/manage).
	}, c.sectionRoutes()...)
}

// Routes lists the route table (tests walk it: every route × every role).
func (c *Console) Routes() []Route { return c.rts }

// navItem is one entry of the navigation bar.
type navItem struct {
	Label, Href string
	Perm        staff.Permission
}

var navItems = []navItem{
	{"Dashboard", "/console/", staff.ViewDashboard},
	{"Loans", "/console/loans", staff.ViewLoans},
	{"Loan review", "/console/review/loans", staff.ReviewLoans},
	{"KYC review", "/console/review/kyc", staff.ReviewKYC},
	{"Collections", "/console/collections", staff.WorkCollections},
	{"Borrowers", "/console/borrowers", staff.ViewBorrowers},
	{"Risk", "/console/risk", staff.ManageRisk},
	{"Products", "/console/products", staff.ManageProducts},
	{"Partners", "/console/partners", staff.ManagePartners},
	{"Staff", "/console/staff", staff.ManageStaff},
	{"Audit log", "/console/audit", staff.ViewAudit},
}

// nav lists the entries the session's role may open.
func (c *Console) nav(sess *staff.Session) []navItem {
	if sess == nil {
		return nil
	}
	var out []navItem
	for _, n := range navItems {
		if sess.Staff.Role.Can(n.Perm) {
			out = append(out, n)
		}
	}
	return out
}

const (
	sessionCookie = "cp_console"
	// preCookie carries the sign-in form's CSRF token before there is a
	// session (double-submit: cookie and hidden field must match).
	preCookie = "cp_console_pre"
	csrfField = "csrf"
)

// guard enforces, for every route: a live session (GET without one is
// sent to sign in, anything else refused with 401), the route's
// permission (403), and on POST the form's size (413; the memory budget,
// 503) and its CSRF token (403).
func (c *Console) guard(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := &request{w: w, r: r, route: rt, actor: actorOf(r, "")}
		if rt.Method == http.MethodPost {
			limit := int64(maxForm)
			if rt.Perm == "" { // read before anyone is known
				limit = maxSignInForm
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		if rt.Perm != "" {
			sess, err := c.session(r)
			if err != nil {
				if errs.Is(err, errs.Unauthenticated) && r.Method == http.MethodGet {
					http.Redirect(w, r, "/console/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
				c.fail(w, r, nil, err)
				return
			}
			q.sess, q.actor = sess, actorOf(r, sess.Staff.Email)
			if !sess.Staff.Role.Can(rt.Perm) {
				c.fail(w, r, sess, errs.E(errs.Forbidden, "your role (%s) may not open this page: it needs %s", sess.Staff.Role, rt.Perm))
				return
			}
		}
		if rt.Method == http.MethodPost {
			if err := readForm(r); err != nil {
				c.fail(w, r, q.sess, err)
				return
			}
			if rt.Perm != "" && !sameToken(r.PostFormValue(csrfField), q.sess.CSRF) {
				c.fail(w, r, q.sess, errs.E(errs.Forbidden, "the form's security token is missing or stale; reload the page and try again"))
				return
			}
		}
		if err := plainForm(r.PostForm); err != nil {
			c.fail(w, r, q.sess, err)
			return
		}
		if err := rt.handle(c, q); err != nil {
			c.fail(w, r, q.sess, err)
		}
	})
}

// plainForm refuses a posted form (as far as it is parsed) with a value
// that is not UTF-8 text or holds a control character other than a line
// break or tab: no store keeps a NUL (PostgreSQL refuses it), and the
// audit log records what is typed before the decision reads it.
func plainForm(form url.Values) error {
	for k, vs := range form {
		for _, v := range vs {
			if !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool {
				return (r < 0x20 || r == 0x7f) && r != '\n' && r != '\r' && r != '\t'
			}) {
				return errs.InvalidField(fmt.Sprintf("%.32s", k), "must be UTF-8 text without control characters")
			}
		}
	}
	return nil
}

func (c *Console) session(r *http.Request) (*staff.Session, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, errs.E(errs.Unauthenticated, "sign in first")
	}
	return c.d.Staff.Authenticate(r.Context(), ck.Value)
}

// maxForm is the most a console form may send; maxSignInForm the most the
// sign-in form may (an e-mail, a password, a code, a token and a page).
const (
	maxForm       = 1 << 20
	maxSignInForm = 16 << 10
)

// readForm parses a POST's form. Its body is charged to the process's
// memory budget as it is read (the HTTP edge gives the request its
// lease), so a body the budget has no room for is 503, and one over the
// route's limit 413. A form that is merely malformed keeps what parsed,
// as browsers never send one.
func readForm(r *http.Request) error {
	err := r.ParseForm()
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, membudget.ErrBusy):
		return errs.E(errs.Unavailable, "the server is busy with other large requests: retry in a few seconds")
	case errors.As(err, &tooBig):
		return &errs.Error{Code: errs.TooLarge, Field: "body", Message: fmt.Sprintf("must be at most %d bytes", tooBig.Limit)}
	}
	return nil
}

// sameToken compares tokens in constant time; empty never matches.
func sameToken(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (c *Console) setCookie(q *request, name, value string, maxAge int) {
	http.SetCookie(q.w, &http.Cookie{Name: name, Value: value, Path: Prefix, MaxAge: maxAge,
		HttpOnly: true, Secure: c.d.SecureCookies || q.r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// safeNext keeps a post-sign-in redirect inside the console.
func safeNext(next string) string {
	if strings.HasPrefix(next, Prefix) && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return Prefix
}

// redirect answers a POST with a 303 to a page.
func (q *request) redirect(to string) error {
	http.Redirect(q.w, q.r, to, http.StatusSeeOther)
	return nil
}
