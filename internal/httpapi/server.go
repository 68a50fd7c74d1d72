// Package httpapi is the core of creditpocket's HTTP edge: the Server with
// the services handlers call, the middleware (request ids, logging,
// metrics, panics, the memory budget, trusted proxies), the app envelope
// and its JSON decoding, and the one route table that drives the mux and
// generates /docs and /openapi.json. The endpoints themselves live in the
// API packages, which import this one and contribute their routes through
// Server.APIs: appapi (the borrower app API and its operator endpoints) and
// partnerapi (the partners' open APIs). Handlers decode, call a domain
// service, and return a value or an error; the envelope and the status
// codes are written in one place.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"creditpocket/internal/account"
	"creditpocket/internal/clientip"
	"creditpocket/internal/errs"
	"creditpocket/internal/kyc"
	"creditpocket/internal/membudget"
	"creditpocket/internal/partner"
	"creditpocket/internal/reference"
	"creditpocket/internal/sms"
)

// Server holds the services the handlers call.
type Server struct {
	Accounts  *account.Service
	Reference reference.Store
	SMS       *sms.Sandbox     // nil unless the sandbox SMS provider is active
	Loans     *Loans           // nil leaves the loan endpoints out
	Partners  *partner.Service // nil leaves the partner open APIs out
	Risk      *RiskAPI         // nil leaves the risk-decision endpoints out
	KYC       *kyc.Service     // nil leaves the card-binding KYC endpoints out
	// Reports takes in uploaded credit reports (the partner API and the
	// attach-report paths); nil leaves those endpoints out.
	Reports ReportIntake
	// Console serves the operator console under /console/ (its own
	// sessions, CSRF and roles); nil leaves it out.
	Console http.Handler
	Ready   func(context.Context) error
	// OpsToken guards every /ops endpoint (a Bearer token, compared in
	// constant time); empty refuses them all.
	OpsToken string
	// Proxies are the reverse proxies trusted to name the client in
	// X-Forwarded-For; handlers (and the console) see the client's
	// address as the request's RemoteAddr. The zero value trusts none.
	Proxies  clientip.Proxies
	Location *time.Location // zone of the app's "YYYY-MM-DD HH:MM:SS" times
	Version  string
	// DevSandbox keeps the /sandbox/* routes (dev mode); without it they
	// do not exist: not routed, not in /docs or /openapi.json. Even with
	// it they answer only clients whose socket peer is a loopback address.
	DevSandbox bool
	// APIs contribute their endpoints to the one route table, in the
	// order /docs lists them (appapi.Routes, partnerapi.Routes); the
	// operations endpoints (health, metrics, /openapi.json, /docs) are
	// the core's own and come last.
	APIs []API

	draining *atomic.Bool // set by Drain: /readyz answers 503
	// Memory is the process-wide budget for request bodies and what is
	// decoded from them; nil takes a budget of membudget.DefaultSize.
	Memory *membudget.Budget

	log           *slog.Logger
	metrics       *metrics
	registry      *prometheus.Registry
	routes        []Route
	quietRequests bool
}

// Options are the server's optional settings.
type Options struct {
	Logger *slog.Logger
	// QuietRequests drops the per-request log line (benchmarks, tests).
	QuietRequests bool
}

// Route is one endpoint: how it is served and how it is documented. The
// OpenAPI document and the docs page are built from the same table the mux
// is, so they cannot drift apart.
type Route struct {
	Method, Path string
	Tag          string
	Summary      string
	Auth         bool // needs a borrower session
	Query        []Field
	Body         []Field // JSON body
	Multipart    []Field
	Response     string // what data holds, for the docs
	Format       string // the response body's shape when it is not the app envelope
	Handle       http.HandlerFunc
}

// API is a group of endpoints (the borrower app API, the partner APIs):
// given the server, the routes it adds to the table. Its handlers call the
// services through the server's fields and answer through its helpers.
type API func(s *Server) []Route

// Routes is the route table: what the mux serves and what /docs and
// /openapi.json document.
func (s *Server) Routes() []Route { return s.routes }

// Pattern is the mux pattern that serves r ("" for none but the catch-all).
func (s *Server) Pattern(r *http.Request) string {
	_, p := s.mux().Handler(r)
	return p
}

// Field documents one request parameter or body property.
type Field struct {
	Name     string
	Type     string // string, integer, boolean, array, object
	Required bool
	Desc     string
	Enum     []string
	Items    []Field // for arrays of objects
}

// New builds a Server; call Handler to serve it.
func New(s Server, opt Options) *Server {
	srv := &s
	srv.log = opt.Logger
	if srv.log == nil {
		srv.log = slog.New(slog.DiscardHandler)
	}
	if srv.Location == nil {
		srv.Location = time.UTC
	}
	srv.quietRequests = opt.QuietRequests
	srv.draining = new(atomic.Bool)
	srv.registry = prometheus.NewRegistry()
	srv.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	srv.metrics = newMetrics(srv.registry)
	if srv.Memory == nil {
		srv.Memory = membudget.New(membudget.DefaultSize, 0)
	}
	srv.registry.MustRegister(budgetMetrics(srv.Memory)...)
	for _, api := range srv.APIs {
		srv.routes = append(srv.routes, api(srv)...)
	}
	srv.routes = append(srv.routes, srv.opsRoutes()...)
	srv.routes = srv.sandboxGated(srv.routes)
	return srv
}

// consoleFormFactor is what a console form costs per byte of its body:
// the copy url.ParseQuery reads and the values it makes (3.1–3.5× for a
// 1 MiB form, measured).
const consoleFormFactor = 4

// sandboxPrefix starts the paths of the sandbox helpers (read any
// borrower's SMS, settle or fail any payment): dev mode only.
const sandboxPrefix = "/sandbox/"

// sandboxNote ends every sandbox route's summary in /docs and /openapi.json.
const sandboxNote = "Dev mode only (serve --dev): the route does not exist otherwise, and answers only clients on this machine (a loopback socket peer, no forwarding headers; 403 otherwise)."

// sandboxGated drops the sandbox routes outside dev mode and, in dev mode,
// lets only loopback peers call them.
func (s *Server) sandboxGated(rs []Route) []Route {
	out := rs[:0]
	for _, rt := range rs {
		if strings.HasPrefix(rt.Path, sandboxPrefix) {
			if !s.DevSandbox {
				continue
			}
			rt.Handle = loopbackOnly(rt.Handle)
			rt.Summary += " " + sandboxNote
		}
		out = append(out, rt)
	}
	return out
}

// Drain marks the server as shutting down: /readyz answers 503 from now
// on, while requests are still served.
func (s *Server) Drain() { s.draining.Store(true) }

// Handler returns the HTTP handler of every route. The socket peer is
// kept before the trusted proxies rewrite RemoteAddr, for the checks that
// must never believe X-Forwarded-For (loopbackOnly).
func (s *Server) Handler() http.Handler { return keepPeer(s.Proxies.Handler(s.observe(s.mux()))) }

func (s *Server) mux() *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.Method+" "+rt.Path, rt.Handle)
	}
	if s.Console != nil {
		// The console's forms are charged to the memory budget as they
		// are read (nothing is reserved from a declared length: the
		// sign-in form is read before anyone is known).
		mux.Handle("/console/", s.Budgeted(consoleFormFactor, 0, s.Console.ServeHTTP))
		mux.Handle("GET /console", http.RedirectHandler("/console/", http.StatusMovedPermanently))
	}
	mux.HandleFunc("/", s.notFound)
	return mux
}

// notFound answers unknown paths, and known paths with the wrong method,
// in the envelope rather than the mux's plain text.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, rt := range s.routes {
		if rt.Path == r.URL.Path {
			allowed = append(allowed, rt.Method)
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		WriteJSON(w, http.StatusMethodNotAllowed, envelope{Code: 4050, Message: "method: must be " + strings.Join(allowed, " or ")})
		return
	}
	WriteErr(w, errs.E(errs.NotFound, "path: no endpoint %s; see /docs", r.URL.Path))
}

// HandlerFunc is a handler that returns the envelope's data or an error.
type HandlerFunc func(r *http.Request) (any, error)

// AuthedFunc is a handler for a signed-in borrower.
type AuthedFunc func(r *http.Request, sess *account.Session) (any, error)

// App wraps a handler in the envelope.
func (s *Server) App(h HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		data, err := h(r)
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		WriteOK(w, data)
	}
}

// Authed requires a valid session token: "Authorization: Bearer <token>",
// or the "token" header mobile clients send.
func (s *Server) Authed(h AuthedFunc) http.HandlerFunc {
	return s.App(func(r *http.Request) (any, error) {
		sess, err := s.Accounts.Authenticate(r.Context(), Bearer(r))
		if err != nil {
			return nil, err
		}
		return h(r, sess)
	})
}

func Bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(token)
		}
		return ""
	}
	return strings.TrimSpace(r.Header.Get("token"))
}

// Fail writes err; internal errors are logged once with the request id and
// shown to the client only as "internal error".
func (s *Server) Fail(w http.ResponseWriter, r *http.Request, err error) {
	if errs.ErrorCode(err) == errs.Internal {
		LogInternal(logger(r.Context(), s.log), r, err)
	}
	WriteErr(w, err)
}

// TimeText formats a time as the app does, empty for the zero time.
func (s *Server) TimeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(s.Location).Format(time.DateTime)
}
