package httpapi

import (
	"context"
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"creditpocket/internal/errs"
	"creditpocket/internal/loan"
)

func (s *Server) opsRoutes() []route {
	rs := []route{
		{method: "GET", path: "/healthz", tag: "Operations", summary: "Liveness: the process is up.", response: "status", handle: s.app(func(*http.Request) (any, error) {
			return map[string]string{"status": "ok", "version": s.Version}, nil
		})},
		{method: "GET", path: "/readyz", tag: "Operations", summary: "Readiness: the database answers within 2 s and the server is not shutting down (503 otherwise, from the moment SIGINT or SIGTERM starts the drain).", response: "status", handle: s.app(s.readyz)},
		{method: "GET", path: "/metrics", tag: "Operations", summary: "Prometheus metrics: request counts and latencies by route, Go runtime and process.",
			response: "Prometheus text format (not the envelope)", handle: promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}).ServeHTTP},
		{method: "GET", path: "/openapi.json", tag: "Operations", summary: "This API as an OpenAPI 3.1 document.", response: "OpenAPI document (not the envelope)", handle: s.serveOpenAPI},
		{method: "GET", path: "/docs", tag: "Operations", summary: "Human-readable API documentation.", response: "HTML page (not the envelope)", handle: s.serveDocs},
	}
	if s.SMS != nil {
		rs = append(rs, route{method: "GET", path: "/sandbox/sms", tag: "Sandbox", summary: "Messages the sandbox SMS provider sent to a phone, newest first (only while the sandbox provider is active).",
			query: []field{{name: "phone", typ: "string", required: true, desc: "E.164 digits without '+', e.g. 2347068425023"}}, response: "list of sms", handle: s.app(s.sandboxSMS)})
	}
	return append(rs, s.payoutRoutes()...)
}

// payoutRoutes are the operator's actions on a failed payout (status 33).
func (s *Server) payoutRoutes() []route {
	if s.Loans == nil {
		return nil
	}
	return []route{
		{method: "POST", path: "/ops/loans/{id}/payout/retry", tag: "Operations",
			summary: "Send a failed payout (status 33) again now, as a new attempt, whatever automatic attempts are left; the loan goes back to disbursing (5). 409 when the loan is not in status 33 (a concurrent retry or cancel won, or its payout never failed). Operator token required.",
			body:    []field{payoutOperatorField, {name: "reason", typ: "string", desc: "Why, at most 500 characters"}}, response: "loan record", handle: s.ops(s.payoutAction(false))},
		{method: "POST", path: "/ops/loans/{id}/payout/cancel", tag: "Operations",
			summary: "Give up a failed payout (status 33): the loan is cancelled (11) with nothing owed, its automatic retry is dropped, the borrower is told and may apply again. Nothing is booked before a payout succeeds, so there is nothing to reverse. 409 when the loan is not in status 33. Operator token required.",
			body:    []field{payoutOperatorField, {name: "reason", typ: "string", required: true, desc: "Why the payout is given up (shown on the loan's timeline), at most 500 characters"}}, response: "loan record", handle: s.ops(s.payoutAction(true))},
	}
}

var payoutOperatorField = field{name: "operator", typ: "string", required: true, desc: "Who acts (1–64 characters), recorded on the loan's timeline"}

type payoutReq struct {
	Operator string `json:"operator"`
	Reason   string `json:"reason"`
}

func (s *Server) payoutAction(cancel bool) handlerFunc {
	return func(r *http.Request) (any, error) {
		var req payoutReq
		if err := decodeJSON(r, maxJSONBody, &req); err != nil {
			return nil, err
		}
		a := loan.PayoutAction{LoanID: r.PathValue("id"), Operator: req.Operator, Reason: req.Reason}
		act := s.Loans.Payouts.RetryDisbursement
		if cancel {
			act = s.Loans.Payouts.CancelPayout
		}
		l, err := act(r.Context(), a)
		if err != nil {
			return nil, err
		}
		return s.loanView(*l), nil
	}
}

func (s *Server) readyz(r *http.Request) (any, error) {
	if s.draining.Load() {
		return nil, errs.E(errs.Unavailable, "draining: shutting down")
	}
	if s.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.Ready(ctx); err != nil {
			logger(r.Context(), s.log).Warn("not ready", "err", err)
			return nil, errs.E(errs.Unavailable, "database is not reachable")
		}
	}
	return map[string]string{"status": "ready"}, nil
}

// OpenAPI builds the OpenAPI 3.1 document of every route.
func (s *Server) OpenAPI() map[string]any {
	paths := map[string]map[string]any{}
	for _, rt := range s.routes {
		op := map[string]any{
			"operationId": operationID(rt.method, rt.path),
			"summary":     rt.summary,
			"tags":        []string{rt.tag},
			"responses":   responses(rt),
		}
		if rt.auth {
			op["security"] = []map[string][]string{{"bearer": {}}, {"tokenHeader": {}}}
		}
		var params []map[string]any
		for _, f := range rt.query {
			params = append(params, map[string]any{"name": f.name, "in": "query", "required": f.required, "description": f.desc, "schema": schema(f)})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.body != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": object(rt.body)}}}
		}
		if rt.multipart != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{"schema": object(rt.multipart)}}}
		}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "creditpocket API", "version": s.Version,
			"description": "The borrower app API of creditpocket. Every app response is the envelope {code, data, message, token}: code 1 is success; a failure has code = HTTP status × 10 and a message naming the field and the rule. Amounts are strings of integer minor units; times are \"YYYY-MM-DD HH:MM:SS\" in the server's time zone."},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"bearer":      map[string]any{"type": "http", "scheme": "bearer", "description": "Session token from /user/register or /user/login"},
				"tokenHeader": map[string]any{"type": "apiKey", "in": "header", "name": "token", "description": "The same token in a 'token' header, as mobile clients send it"},
			},
			"schemas": map[string]any{"Envelope": map[string]any{"type": "object", "required": []string{"code", "data", "message", "token"},
				"properties": map[string]any{
					"code": map[string]any{"type": "integer", "description": "1 on success; HTTP status × 10 on failure (4000 invalid, 4010 unauthenticated, 4030 forbidden, 4040 not found, 4050 wrong method, 4090 conflict, 4130 too large, 4290 rate limited, 5000 internal, 5030 unavailable)"},
					"data": map[string]any{"description": "The result; null on failure"}, "message": map[string]any{"type": "string"},
					"token": map[string]any{"type": "string", "description": "The new session token after register/login, else empty"},
				}}},
		},
	}
}

func responses(rt route) map[string]any {
	if rt.format != "" { // a partner API with its seed's own answer shape
		own := map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object", "description": rt.format}}}
		return map[string]any{
			"200":     map[string]any{"description": rt.response, "content": own},
			"default": map[string]any{"description": "Failure in the same shape, with the error codes listed in the summary", "content": own},
		}
	}
	env := map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Envelope"}}}
	out := map[string]any{"200": map[string]any{"description": "data: " + rt.response, "content": env}}
	if rt.body != nil || rt.query != nil || rt.multipart != nil {
		out["400"] = map[string]any{"description": "Invalid input: the message names the field and the rule", "content": env}
	}
	if rt.auth {
		out["401"] = map[string]any{"description": "Missing, expired or revoked token", "content": env}
	}
	return out
}

func schema(f field) map[string]any {
	sc := map[string]any{"type": f.typ}
	if f.desc != "" {
		sc["description"] = f.desc
	}
	if f.enum != nil {
		sc["enum"] = f.enum
	}
	if f.typ == "array" && f.items != nil {
		sc["items"] = object(f.items)
	}
	return sc
}

func object(fs []field) map[string]any {
	props := map[string]any{}
	var req []string
	for _, f := range fs {
		props[f.name] = schema(f)
		if f.required {
			req = append(req, f.name)
		}
	}
	o := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if req != nil {
		o["required"] = req
	}
	return o
}

func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, part := range strings.FieldsFunc(path, func(r rune) bool { return r == '/' || r == '.' || r == '{' || r == '}' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(s.OpenAPI())
}

//go:embed docs.html
var docsHTML string

var docsTemplate = template.Must(template.New("docs").Parse(docsHTML))

type docsGroup struct {
	Tag    string
	Routes []route
}

func (s *Server) serveDocs(w http.ResponseWriter, r *http.Request) {
	byTag := map[string][]route{}
	var tags []string
	for _, rt := range s.routes {
		if byTag[rt.tag] == nil {
			tags = append(tags, rt.tag)
		}
		byTag[rt.tag] = append(byTag[rt.tag], rt)
	}
	var groups []docsGroup
	for _, t := range tags {
		rs := byTag[t]
		groups = append(groups, docsGroup{Tag: t, Routes: rs})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := docsTemplate.Execute(w, map[string]any{"Groups": groups, "Version": s.Version}); err != nil {
		logger(r.Context(), s.log).Error("render docs", "err", err)
	}
}

// Fields of unexported types for the template.
func (r route) Method() string     { return r.method }
func (r route) Path() string       { return r.path }
func (r route) Summary() string    { return r.summary }
func (r route) Auth() bool         { return r.auth }
func (r route) Query() []field     { return r.query }
func (r route) Body() []field      { return r.body }
func (r route) Multipart() []field { return r.multipart }
func (r route) Response() string   { return r.response }
func (f field) Name() string       { return f.name }
func (f field) Type() string       { return f.typ }
func (f field) Required() bool     { return f.required }
func (f field) Desc() string       { return f.desc }
func (f field) Enum() string       { return strings.Join(f.enum, ", ") }
func (f field) Items() []field     { return f.items }

// ops wraps an operator endpoint in the envelope and the static operator
// token (CREDITPOCKET_OPS_TOKEN), refusing everything while none is set.
// The operator console will replace it with staff sessions and roles.
func (s *Server) ops(h handlerFunc) http.HandlerFunc {
	return s.app(func(r *http.Request) (any, error) {
		if s.OpsToken == "" {
			return nil, errs.E(errs.Forbidden, "operations endpoints are disabled: set CREDITPOCKET_OPS_TOKEN")
		}
		if subtle.ConstantTimeCompare([]byte(bearer(r)), []byte(s.OpsToken)) != 1 {
			return nil, errs.E(errs.Unauthenticated, "operator token missing or wrong")
		}
		return h(r)
	})
}
