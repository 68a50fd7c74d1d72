// Package console is the operator console: server-rendered pages under
// /console/ for staff (not borrowers) to watch the book, review loans and
// KYCs, look up borrowers, and administer staff and the audit log.
//
// Access is decided in one place: every route in the table (routes.go)
// names the staff.Permission it needs, and guard enforces it together with
// the session cookie and the CSRF token of every POST. Pages are
// html/template files embedded in the binary; static files are served
// from the binary under /console/static/ (no CDN, no front-end build).
package console

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"creditpocket/internal/account"
	"creditpocket/internal/bookstats"
	"creditpocket/internal/creditreport"
	"creditpocket/internal/errs"
	"creditpocket/internal/identity"
	"creditpocket/internal/inbox"
	"creditpocket/internal/kyc"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/page"
	"creditpocket/internal/risk"
	"creditpocket/internal/staff"
)

// Prefix is where the console is mounted.
const Prefix = "/console/"

// Stats computes the dashboard's figures (store.DB.BookStats).
type Stats interface {
	BookStats(ctx context.Context, q bookstats.Query, loc *time.Location) (*bookstats.Book, error)
}

// Chart is one dashboard chart: SVG markup produced, with its text
// escaped, by the bookstats package.
type Chart struct {
	ID, Title, Caption string
	SVG                template.HTML
}

// Loans is the loan engine's manual review and its reads of loans
// (loan.Service).
type Loans interface {
	ReviewQueue(ctx context.Context, p page.Request) (page.Result[loan.Record], error)
	Decide(ctx context.Context, rv loan.ManualDecision) (*loan.Record, error)
	AnyLoan(ctx context.Context, id loan.ID) (*loan.Record, error) // errs.NotFound
	Loans(ctx context.Context, userID int64, p page.Request) (page.Result[loan.Record], error)
}

// LoanRecords are the operator's queries of stored loans: search, a loan's
// ledger and payments (loandb.Store).
type LoanRecords interface {
	SearchLoans(ctx context.Context, q loan.Search, p page.Request) (page.Result[loan.Record], error)
	LoanLedger(ctx context.Context, loanID loan.ID) ([]ledger.Booked, error)
	LoanPayments(ctx context.Context, loanID loan.ID) ([]loan.Payment, error)
}

// Borrowers is what the console shows of a borrower's account
// (account.Service).
type Borrowers interface {
	Overview(ctx context.Context, userID int64) (*account.Overview, error)
	Cards(ctx context.Context, userID int64, p page.Request) (page.Result[account.BankCard], error)
	// LatestCreditReport is the summary of the borrower's newest attached
	// credit report; errs.NotFound when there is none.
	LatestCreditReport(ctx context.Context, userID int64) (*account.CreditReport, error)
	// OpenCreditReport reads that report in full.
	OpenCreditReport(ctx context.Context, userID int64) (*account.CreditReport, *creditreport.Report, error)
}

// BorrowerRecords are the operator's queries of stored borrowers
// (accountdb.Store).
type BorrowerRecords interface {
	BorrowerMessages(ctx context.Context, userID int64, since time.Time, limit int) ([]inbox.Message, error)
	BorrowerByMobile(ctx context.Context, mobile string) (int64, error) // errs.NotFound
}

// Decisions reads the risk engine's stored decisions (riskdb.Store).
type Decisions interface {
	Decision(ctx context.Context, sequenceID string) (*risk.Record, error) // errs.NotFound
}

// Photos opens a loan application's photos (blob.Photos).
type Photos interface {
	Photo(ctx context.Context, userID int64, key string) ([]byte, error)
}

// KYCReviews is the KYC service's manual review (kyc.Service).
type KYCReviews interface {
	ReviewQueue(ctx context.Context, limit int) ([]kyc.Submission, error)
	Decide(ctx context.Context, submissionID int64, approve bool, reason, operator string) (*kyc.Submission, error)
	ViewDocument(ctx context.Context, submissionID int64, field, viewer, purpose string) ([]byte, identity.Kind, error)
	Applicant(sub *kyc.Submission) (map[string]string, error)
	File(ctx context.Context, submissionID int64) (*kyc.File, error) // errs.NotFound
}

// Deps is what the console needs. Stats and Charts may be nil: the
// dashboard then says so.
type Deps struct {
	Staff           *staff.Service
	Loans           Loans
	LoanRecords     LoanRecords
	Borrowers       Borrowers
	BorrowerRecords BorrowerRecords
	KYC             KYCReviews
	Decisions       Decisions
	Photos          Photos
	Stats           Stats
	Charts          func(*bookstats.Book) []Chart
	// Sections add pages kept in packages of their own (console/manage:
	// risk, products, partners).
	Sections []Section
	// Payouts backs the failed-payout actions on a loan's page; nil
	// hides them. StuckAfter is when a payout counts as stuck on the
	// dashboard (0: not shown).
	Payouts    Payouts
	StuckAfter time.Duration
	// Location is the business time zone pages show times in.
	Location *time.Location
	// SecureCookies marks cookies Secure even on plain-HTTP requests: set
	// it when a proxy in front terminates TLS. Requests that arrive over
	// TLS get Secure cookies regardless.
	SecureCookies bool
	Log           *slog.Logger
	Now           func() time.Time
}

// Console is the console's HTTP handler.
type Console struct {
	d     Deps
	pages map[string]*template.Template
	mux   *http.ServeMux
	rts   []Route
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// New builds the console.
func New(d Deps) (*Console, error) {
	if d.Staff == nil || d.Loans == nil || d.LoanRecords == nil || d.Borrowers == nil || d.BorrowerRecords == nil ||
		d.KYC == nil || d.Decisions == nil || d.Photos == nil {
		return nil, errors.New("console: Staff, Loans, LoanRecords, Borrowers, BorrowerRecords, KYC, Decisions and Photos are required")
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	c := &Console{d: d}
	var err error
	if err := checkSections(d.Sections); err != nil {
		return nil, err
	}
	if c.pages, err = parsePages(d.Location, d.Sections); err != nil {
		return nil, err
	}
	c.rts = c.routes()
	c.mux = http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	c.mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", cacheFor(http.FileServerFS(static))))
	for _, rt := range c.rts {
		c.mux.Handle(rt.Method+" "+rt.Path, c.guard(rt))
	}
	c.mux.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, nil, errs.E(errs.NotFound, "no console page %s", r.URL.Path))
	})
	return c, nil
}

// ServeHTTP serves every console path with the security headers pages
// need: no framing, no inline script, nothing cached.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// Everything from the binary itself: the charts' SVG uses
	// presentation attributes only, documents are shown as data: images.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	c.mux.ServeHTTP(w, r)
}

func cacheFor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		next.ServeHTTP(w, r)
	})
}

// request is one console request: the session (nil on public routes) and
// the actor the audit log records.
type request struct {
	w     http.ResponseWriter
	r     *http.Request
	sess  *staff.Session
	actor staff.Actor
	route Route
}

func (q *request) ctx() context.Context { return q.r.Context() }

// email is the signed-in staff member's e-mail, what decisions record.
func (q *request) email() string { return q.actor.Email }

func actorOf(r *http.Request, email string) staff.Actor {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return staff.Actor{Email: email, IP: host, UserAgent: r.UserAgent()}
}

// audit records a staff action; a failure to record fails the request, so
// nothing is shown or done without its trace.
func (c *Console) audit(q *request, action, target, detail string) error {
	return c.d.Staff.Audit(q.ctx(), q.actor, action, target, detail)
}

// audited records an action (a loan or KYC decision, a shadow policy)
// before taking it, so none is taken without its trace even if the log
// cannot be written afterwards; when taking it fails, a second entry
// (action + ".failed") says so and why. A loan or KYC record names its
// decider too, so the two can be matched.
func (c *Console) audited(q *request, action, target, detail string, decide func() error) error {
	if err := c.audit(q, action, target, detail); err != nil {
		return err
	}
	err := decide()
	if err != nil {
		if aerr := c.audit(q, action+".failed", target, errs.Message(err)); aerr != nil {
			c.d.Log.Error("audit a failed decision", "action", action, "target", target, "err", aerr)
		}
	}
	return err
}

// status is the page's HTTP status for an error (errs.Code.HTTPStatus).
func status(err error) int { return errs.ErrorCode(err).HTTPStatus() }

// fail renders the error page. Internal errors are logged once and shown
// as "internal error".
func (c *Console) fail(w http.ResponseWriter, r *http.Request, sess *staff.Session, err error) {
	code := status(err)
	msg := errs.Message(err)
	if code == http.StatusInternalServerError {
		c.d.Log.ErrorContext(r.Context(), "console: internal error", "path", r.URL.Path, "err", err)
	}
	c.render(w, r, sess, code, "error", map[string]any{"Status": code, "StatusText": http.StatusText(code), "Message": msg})
}

// render executes a page template inside the layout.
func (c *Console) render(w http.ResponseWriter, r *http.Request, sess *staff.Session, code int, name string, data any) {
	t, ok := c.pages[name]
	if !ok {
		panic(fmt.Sprintf("console: no template %q", name)) // a programming error, caught by the tests
	}
	v := view{Data: data, Path: r.URL.Path, Nav: c.nav(sess)}
	if sess != nil {
		v.Staff, v.CSRF = sess.Staff, sess.CSRF
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	if err := t.ExecuteTemplate(w, "layout", v); err != nil {
		c.d.Log.ErrorContext(r.Context(), "console: render", "page", name, "err", err)
	}
}

// view is what every template receives.
type view struct {
	Data  any
	Path  string
	Nav   []navItem
	Staff *staff.Staff
	CSRF  string
}
