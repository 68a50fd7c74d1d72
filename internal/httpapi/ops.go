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
)

func (s *Server) opsRoutes() []Route {
	rs := []Route{
		{Method: "GET", Path: "/healthz", Tag: "Operations", Summary: "Liveness: the process is up.", Response: "status", Handle: s.App(func(*http.Request) (any, error) {
			return map[string]string{"status": "ok", "version": s.Version}, nil
		})},
		{Method: "GET", Path: "/readyz", Tag: "Operations", Summary: "Readiness: the database answers within 2 s and the server is not shutting down (503 otherwise, from the moment SIGINT or SIGTERM starts the drain).", Response: "status", Handle: s.App(s.readyz)},
		{Method: "GET", Path: "/metrics", Tag: "Operations", Summary: "Prometheus metrics: request counts and latencies by route, Go runtime and process.",
			Response: "Prometheus text format (not the envelope)", Handle: promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}).ServeHTTP},
		{Method: "GET", Path: "/openapi.json", Tag: "Operations", Summary: "This API as an OpenAPI 3.1 document.", Response: "OpenAPI document (not the envelope)", Handle: s.serveOpenAPI},
		{Method: "GET", Path: "/docs", Tag: "Operations", Summary: "Human-readable API documentation.", Response: "HTML page (not the envelope)", Handle: s.serveDocs},
	}
	return rs
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
			"operationId": operationID(rt.Method, rt.Path),
			"summary":     rt.Summary,
			"tags":        []string{rt.Tag},
			"responses":   responses(rt),
		}
		if rt.Auth {
			op["security"] = []map[string][]string{{"bearer": {}}, {"tokenHeader": {}}}
		}
		var params []map[string]any
		for _, f := range rt.Query {
			params = append(params, map[string]any{"name": f.Name, "in": "query", "required": f.Required, "description": f.Desc, "schema": schema(f)})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.Body != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": object(rt.Body)}}}
		}
		if rt.Multipart != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{"schema": object(rt.Multipart)}}}
		}
		if paths[rt.Path] == nil {
			paths[rt.Path] = map[string]any{}
		}
		paths[rt.Path][strings.ToLower(rt.Method)] = op
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

func responses(rt Route) map[string]any {
	if rt.Format != "" { // a partner API with its seed's own answer shape
		own := map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object", "description": rt.Format}}}
		return map[string]any{
			"200":     map[string]any{"description": rt.Response, "content": own},
			"default": map[string]any{"description": "Failure in the same shape, with the error codes listed in the summary", "content": own},
		}
	}
	env := map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Envelope"}}}
	out := map[string]any{"200": map[string]any{"description": "data: " + rt.Response, "content": env}}
	if rt.Body != nil || rt.Query != nil || rt.Multipart != nil {
		out["400"] = map[string]any{"description": "Invalid input: the message names the field and the rule", "content": env}
	}
	if rt.Auth {
		out["401"] = map[string]any{"description": "Missing, expired or revoked token", "content": env}
	}
	return out
}

func schema(f Field) map[string]any {
	sc := map[string]any{"type": f.Type}
	if f.Desc != "" {
		sc["description"] = f.Desc
	}
	if f.Enum != nil {
		sc["enum"] = f.Enum
	}
	if f.Type == "array" && f.Items != nil {
		sc["items"] = object(f.Items)
	}
	return sc
}

func object(fs []Field) map[string]any {
	props := map[string]any{}
	var req []string
	for _, f := range fs {
		props[f.Name] = schema(f)
		if f.Required {
			req = append(req, f.Name)
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

var docsTemplate = template.Must(template.New("docs").Funcs(template.FuncMap{"join": strings.Join}).Parse(docsHTML))

type docsGroup struct {
	Tag    string
	Routes []Route
}

func (s *Server) serveDocs(w http.ResponseWriter, r *http.Request) {
	byTag := map[string][]Route{}
	var tags []string
	for _, rt := range s.routes {
		if byTag[rt.Tag] == nil {
			tags = append(tags, rt.Tag)
		}
		byTag[rt.Tag] = append(byTag[rt.Tag], rt)
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

// Ops wraps an operator endpoint in the envelope and the static operator
// token (CREDITPOCKET_OPS_TOKEN), refusing everything while none is set.
// The operator console will replace it with staff sessions and roles.
func (s *Server) Ops(h HandlerFunc) http.HandlerFunc {
	return s.App(func(r *http.Request) (any, error) {
		if s.OpsToken == "" {
			return nil, errs.E(errs.Forbidden, "operations endpoints are disabled: set CREDITPOCKET_OPS_TOKEN")
		}
		if subtle.ConstantTimeCompare([]byte(Bearer(r)), []byte(s.OpsToken)) != 1 {
			return nil, errs.E(errs.Unauthenticated, "operator token missing or wrong")
		}
		return h(r)
	})
}
