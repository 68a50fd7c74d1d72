package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"creditpocket/internal/errs"
	"creditpocket/internal/kyc"
	"creditpocket/internal/membudget"
	"creditpocket/internal/risk"
)

type ctxKey int

const (
	loggerKey ctxKey = iota
	peerKey          // the socket peer, before trusted proxies rewrite RemoteAddr
)

// keepPeer records the request's socket peer (RemoteAddr as the listener
// gave it) in the context, before anything rewrites RemoteAddr.
func keepPeer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), peerKey, r.RemoteAddr)))
	})
}

// loopbackOnly serves next only to a request whose socket peer is a
// loopback address. X-Forwarded-For never makes a client local: a trusted
// proxy cannot vouch for a loopback client, and a request that carries
// forwarding headers at all is refused, since it came through a proxy (a
// reverse proxy on this machine is a loopback peer for all its clients). A
// request without a recorded peer (not through Handler) is refused.
func loopbackOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		peer, _ := r.Context().Value(peerKey).(string)
		proxied := r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" || r.Header.Get("X-Real-Ip") != ""
		if !isLoopbackPeer(peer) || proxied {
			WriteErr(w, errs.E(errs.Forbidden, "sandbox: answers only clients on this machine (a loopback peer), in dev mode"))
			return
		}
		next(w, r)
	}
}

// isLoopbackPeer reports whether remoteAddr ("host:port") is a loopback
// address, 127.0.0.0/8 or ::1 (an IPv4-mapped form counts as IPv4).
func isLoopbackPeer(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// logger returns the request's logger (it carries the request id).
// Logger is the request's logger (with its request id), for handlers.
func (s *Server) Logger(ctx context.Context) *slog.Logger { return logger(ctx, s.log) }

func logger(ctx context.Context, fallback *slog.Logger) *slog.Logger {
	if l, ok := ctx.Value(loggerKey).(*slog.Logger); ok {
		return l
	}
	return fallback
}

// metrics are the HTTP request counters and latencies by route.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "creditpocket_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "creditpocket_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// observe gives every request an id (X-Request-Id, taken from the client
// when it is a sane token), a logger carrying it, one log line, metrics by
// route pattern, and turns a panic into a logged 500 instead of a dropped
// connection. Query strings are never logged: they can carry phones.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !saneID(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		log := s.log.With("request_id", id)
		r = r.WithContext(context.WithValue(r.Context(), loggerKey, log))
		rec := &recorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p) // net/http's way to abort a response; not a bug
				}
				logPanic(log, r, p, debug.Stack())
				if rec.status == 0 {
					internalAnswer(rec, r)
				} else {
					rec.status = http.StatusInternalServerError // for the metrics and the log line
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			d := time.Since(start)
			s.metrics.requests.WithLabelValues(route, r.Method, strconv.Itoa(rec.status)).Inc()
			s.metrics.latency.WithLabelValues(route, r.Method).Observe(d.Seconds())
			if s.quietRequests {
				return
			}
			log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.String("route", route), slog.Int("status", rec.status), slog.Int("bytes", rec.bytes),
				slog.Float64("ms", float64(d.Microseconds())/1000))
		}()
		next.ServeHTTP(rec, r)
	})
}

// maxRequestID caps an X-Request-Id taken from the client: 1 to 64 of
// [A-Za-z0-9_-], or the server makes its own. It is logged on every line
// of the request, so it is kept short and free of anything a log reader
// could mistake for structure.
const maxRequestID = 64

func saneID(id string) bool {
	if id == "" || len(id) > maxRequestID {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Budgeted gives the request a lease on the server's memory budget for
// everything it reads, decodes and parses: the body, charged factor bytes
// for each byte read (what the handler builds from it included; 0 leaves
// the body uncharged, for handlers that stream it to disk), and whatever
// code deep in the request (the PDF reader) charges through the context.
// A body with a declared length (at most max) has its whole share
// reserved when the handler first reads it — after authentication — so it
// waits for room holding nothing. The lease is given back when the
// handler returns. A request the budget refused gets Retry-After on its
// 503, answered by the handler in its own API's vocabulary (see
// memoryBusy).
func (s *Server) Budgeted(factor, max int64, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		lease := s.Memory.Lease(r.Context())
		defer lease.Close()
		if factor > 0 {
			r.Body = readCloser{lease.Reader(r.Body, factor, min(r.ContentLength, max)), r.Body}
		}
		r = r.WithContext(membudget.WithLease(r.Context(), lease))
		h(&retryAfter{ResponseWriter: w, lease: lease}, r)
	}
}

type readCloser struct {
	io.Reader
	io.Closer
}

// retryAfter adds Retry-After to a 503 answered because the budget was full.
type retryAfter struct {
	http.ResponseWriter
	lease *membudget.Lease
}

func (w *retryAfter) WriteHeader(code int) {
	if code == http.StatusServiceUnavailable && w.lease.Refused() {
		w.Header().Set("Retry-After", strconv.Itoa(int(membudget.DefaultWait/time.Second)))
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *retryAfter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// MemoryBusy reports whether the request failed because the memory budget
// refused it, whatever error the reading code made of that.
func MemoryBusy(r *http.Request, err error) bool {
	return errors.Is(err, membudget.ErrBusy) || membudget.FromContext(r.Context()).Refused()
}

// ErrMemoryBusy is the app envelope's answer to a request the budget refused.
var ErrMemoryBusy = errs.E(errs.Unavailable, "the server is busy with other large requests: retry in a few seconds")

// budgetMetrics are the memory budget's gauges for /metrics.
func budgetMetrics(b *membudget.Budget) []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "creditpocket_memory_budget_bytes",
			Help: "Size of the memory budget for request bodies and what is decoded from them."}, func() float64 { return float64(b.Size()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "creditpocket_memory_budget_in_use_bytes",
			Help: "Bytes of the memory budget held by requests being read, decoded and parsed."}, func() float64 { return float64(b.InUse()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "creditpocket_memory_budget_refused_total",
			Help: "Requests answered 503 because the memory budget stayed full."}, func() float64 { return float64(b.Refused()) }),
	}
}

// logPanic logs a recovered panic once, with the request id (the
// request's logger carries it) and the stack.
func logPanic(log *slog.Logger, r *http.Request, value any, stack []byte) {
	log.Error("panic serving request", "route", r.Pattern, "panic", fmt.Sprint(value), "stack", string(stack))
}

// The partner APIs' answers to a panic, in their seeds' shapes: the core
// writes them, since a panic is recovered before any route is known
// (partnerapi answers every other failure in the same shapes;
// TestAPanicIsAnInternalErrorInEachAPIsVocabulary holds each API's code).
type (
	ocrInternal struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	kycInternal struct {
		Code kyc.Code `json:"code"`
		Msg  string   `json:"msg"`
	}
)

// internalAnswer writes a 500 in the vocabulary of the API r belongs to;
// no internal text reaches the client.
func internalAnswer(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/ocr/"):
		WriteJSON(w, http.StatusInternalServerError, ocrInternal{Status: "INTERNAL_ERROR", Reason: "internal error"})
	case strings.HasPrefix(p, "/credit/fraud/"):
		WriteJSON(w, http.StatusInternalServerError, risk.Answer{ReasonCode: risk.ReasonInternal, Message: "internal error"})
	case strings.HasPrefix(p, "/openapi/card/"):
		WriteJSON(w, http.StatusInternalServerError, kycInternal{Code: kyc.InternalError, Msg: "internal error"})
	case p == "/console" || strings.HasPrefix(p, "/console/"):
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "internal error\n")
	default:
		WriteErr(w, errs.E(errs.Internal, "internal error"))
	}
}

// LogInternal logs an internal error once with the request id; a recovered
// panic (the PDF reader's, say) is logged with its stack.
func LogInternal(log *slog.Logger, r *http.Request, err error) {
	var p interface{ Stack() []byte }
	if errors.As(err, &p) {
		log.Error("internal error", "route", r.Pattern, "err", err, "stack", string(p.Stack()))
		return
	}
	log.Error("internal error", "route", r.Pattern, "err", err)
}
