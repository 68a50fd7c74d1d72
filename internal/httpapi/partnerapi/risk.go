package partnerapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/httpapi"
	"creditpocket/internal/partner"
	"creditpocket/internal/risk"
)

// The decision API's reason codes for refused credentials and for the
// feedback call, beside risk's own codes for refused events.
const (
	riskUnauthorized risk.ReasonCode = "unauthorized"        // 401: unknown id or wrong secret
	riskKeyExpired   risk.ReasonCode = "key_expired"         // 401: expired or revoked credentials
	riskNoPermission risk.ReasonCode = "no_permission"       // 403: the partner lacks scope risk
	riskOutOfQuota   risk.ReasonCode = "out_of_quota"        // 403: the partner's call quota is used up
	riskRateLimited  risk.ReasonCode = "rate_limit_exceeded" // 429: over the partner's calls per second
	riskNotFound     risk.ReasonCode = "not_found"           // 404: feedback for an unknown sequence_id
	riskConflict     risk.ReasonCode = "conflict"            // 409: feedback contradicting earlier feedback
	riskUnavailable  risk.ReasonCode = "service_unavailable" // 503: the memory budget stayed full; retry after Retry-After
)

// riskMemoryFactor is what a byte of an event costs in memory while it is
// decided: the body read whole (with its growing buffer's slack), the
// strings decoded from it, and the media checked in it.
const riskMemoryFactor = 4

// riskReasonCodes documents every reason_code with its HTTP status.
const riskReasonCodes = "reason_code on failure (HTTP status): malformed_event, unknown_field, wrong_type, missing_field, invalid_field, " +
	"unsupported_event_type (400); event_too_large (413); unauthorized, key_expired (401); no_permission, out_of_quota (403); " +
	"rate_limit_exceeded (429); internal_error (500); service_unavailable (503, with Retry-After: the server is busy with other large requests)"

const riskEventSchema = "Time fields are ISO-8601 with an offset; dates YYYY-MM-DD; countries ISO 3166 alpha-2; " +
	"calling codes E.164 digits without '+'. Unknown fields are refused."

var riskEventFields = []httpapi.Field{
	{Name: "event_time", Type: "string", Required: true, Desc: "When the event happened, ISO-8601 with offset, e.g. 2026-11-20T10:15:00+01:00; not before 2000-01-01 nor in the future (small clock skew allowed)"},
	{Name: "event_type", Type: "string", Required: true, Desc: "Loan (any case). Register, Login and Disburse are refused as not scored yet (unsupported_event_type)"},
	{Name: "scenario", Type: "string", Desc: "Business scenario; default 'default'", Enum: []string{"cashloan", "bnpl", "creditcard", "p2p", "default"}},
	{Name: "order_id", Type: "string", Desc: "The partner's order id, stored with the decision"},
	{Name: "terminal", Type: "object", Desc: "Device: ip (IPv4 or IPv6), black_box (device fingerprint; device lists and velocity)"},
	{Name: "account", Type: "object", Desc: "The partner's account: account_id, register_time (ISO-8601), phone, email"},
	{Name: "profile", Type: "object", Required: true, Desc: "The applicant (required for Loan): name; phone {country_code (integer, E.164 without +), phone_number}; " +
		"id {id_country (ISO 3166), id_type (identity_card|passport|driving_licence|birth_certificate|others), id_number (for NG borrowers the 11-digit BVN), valid_date}; " +
		"email; sex (male|female); birthdate; birthplace and address {country*, region*, city*, district, detail, zip_code}; " +
		"marital_status (single|married|separated|divorced|widowed|cohabited|customary); " +
		"education (doctorate|master|bachelor|junior_college|high_school|middle_school|below_middle_school); company_name; company_phone; company_address; profession; nationality (ISO 3166)"},
	{Name: "contact", Type: "array", Desc: "The applicant's contacts", Items: []httpapi.Field{
		{Name: "name", Type: "string", Desc: "Contact name"},
		{Name: "phone", Type: "object", Desc: "country_code (integer), phone_number"},
		{Name: "relationship", Type: "string", Enum: []string{"parent", "spouse", "child", "sibling", "cousin", "other_relative", "friend", "classmate", "coworker", "other_cases"}},
	}},
	{Name: "card", Type: "object", Desc: "Bank card: bank_name, card_number (digits; card lists and velocity)"},
	{Name: "identity_ext", Type: "object", Desc: "face_image_type (url|base64), face_image (1–8 entries), face_video_type, face_video, id_image_type, id_image. " +
		"url values must be http(s) URLs; base64 values must decode to JPEG or PNG of at most 2 MB"},
}

var opsTokenDoc = " Needs the operator token (CREDITPOCKET_OPS_TOKEN) as a Bearer token; refused while none is configured."

// riskFormat is the risk API's answer shape (TrustDecision-style).
const riskFormat = `{"success":true,"sequence_id":…,"final_decision":"Accept|Review|Reject",…}; failures: {"success":false,"reason_code":…,"message":…}`

func (s *api) riskRoutes() []httpapi.Route {
	if s.Risk == nil {
		return nil
	}
	listEntryFields := []httpapi.Field{
		{Name: "kind", Type: "string", Required: true, Enum: kindNames()},
		{Name: "value", Type: "string", Required: true, Desc: "The value; normalised before hashing (phone: E.164 digits; ID number: upper case without spaces or hyphens; card: digits; IP: canonical; e-mail: lower case). Stored only as a keyed hash and a mask"},
		{Name: "list", Type: "string", Required: true, Enum: []string{"black", "grey", "white"}},
		{Name: "reason", Type: "string", Required: true, Desc: "Why, 1–256 characters (audit trail)"},
		{Name: "created_by", Type: "string", Required: true, Desc: "Who adds the entry, 1–64 characters"},
		{Name: "expires_at", Type: "string", Desc: "When the entry stops applying: YYYY-MM-DD (the end of that day, UTC) or ISO-8601 with offset; default never"},
	}
	return []httpapi.Route{
		{Method: "POST", Path: "/credit/fraud/v1", Tag: "Partner: risk decision",
			Summary: "Score a borrower event (TrustDecision style) with the live policy. Partner scope risk. " +
				"Answers {success:true, sequence_id, final_decision (Accept|Review|Reject), final_score, policy_set[{policy_uuid, policy_name, policy_mode, policy_score, policy_decision, hit_rules}], " +
				"hit_rules[{id, name, decision, score, reason, features}], policy_version, reason, reason_detail, spend_time (ms)} — not the envelope. " +
				"A refused call answers {success:false, reason_code, message naming the field}; " + riskReasonCodes + ". " + riskEventSchema +
				" Every decision is stored with its sequence_id, policy version and every feature value.",
			Query: append([]httpapi.Field{
				{Name: "partner_code", Type: "string", Desc: "Partner id (or the X-API-ID header)"},
				{Name: "partner_key", Type: "string", Desc: "Partner secret (or the X-API-SECRET header)"},
			}, partnerCredentialFields...),
			Body: riskEventFields, Response: "decision answer", Format: riskFormat, Handle: s.Budgeted(riskMemoryFactor, risk.MaxEventBytes, s.riskDecide)},
		{Method: "POST", Path: "/credit/fraud/v1/feedback", Tag: "Partner: risk decision",
			Summary: "Report what became of a decision, for simulation: accept or decline when the lender decides, repaid or defaulted when the loan ends. " +
				"Repeating an outcome is harmless; a contradicting one (decline after accept) is refused with conflict (409), an unknown sequence_id with not_found (404). " +
				"Partner scope risk; credentials as for /credit/fraud/v1. Answers {success, sequence_id, feedback{approved, repayment, at}} — not the envelope.",
			Query: []httpapi.Field{{Name: "partner_code", Type: "string", Desc: "Partner id (or the X-API-ID header)"}, {Name: "partner_key", Type: "string", Desc: "Partner secret (or the X-API-SECRET header)"}},
			Body: []httpapi.Field{
				{Name: "sequence_id", Type: "string", Required: true, Desc: "The sequence_id of the decision"},
				{Name: "outcome", Type: "string", Required: true, Enum: []string{"accept", "decline", "repaid", "defaulted"}},
				{Name: "time", Type: "string", Desc: "When it happened, ISO-8601 with offset; default now"},
			}, Response: "feedback answer", Format: riskFormat, Handle: s.riskFeedback},
		{Method: "GET", Path: "/ops/risk/list-entries", Tag: "Operations", Summary: "Risk list entries, newest first (at most 1000), values masked." + opsTokenDoc,
			Query: []httpapi.Field{
				{Name: "kind", Type: "string", Desc: "Only this kind", Enum: kindNames()},
				{Name: "list", Type: "string", Desc: "Only this list", Enum: []string{"black", "grey", "white"}},
				{Name: "active", Type: "boolean", Desc: "true: leave out expired entries"},
			}, Response: "list of list entry {id, kind, value (mask), list, reason, expires_at, created_by, created_at}", Handle: s.Ops(s.riskListEntries)},
		{Method: "POST", Path: "/ops/risk/list-entries", Tag: "Operations",
			Summary: "Put a phone, ID number (BVN), card, device, IP or e-mail on the black, grey or white list, with a reason and an optional expiry. The risk engine sees it on the next decision." + opsTokenDoc,
			Body:    listEntryFields, Response: "the list entry with its id", Handle: s.Ops(s.riskAddListEntry)},
		{Method: "DELETE", Path: "/ops/risk/list-entries/{id}", Tag: "Operations", Summary: "Remove a list entry by id." + opsTokenDoc,
			Response: "null", Handle: s.Ops(s.riskRemoveListEntry)},
		{Method: "GET", Path: "/ops/risk/policy", Tag: "Operations", Summary: "The live policy's version and name, and the shadow policy's if one runs." + opsTokenDoc,
			Response: "policy status", Handle: s.Ops(s.riskPolicyStatus)},
		{Method: "POST", Path: "/ops/risk/policy", Tag: "Operations",
			Summary: "Hot-reload a policy: the body is the YAML document (docs/risk-engine.md). It is compiled first; one that does not compile or names an unknown feature is refused (400) and the running policy stays. " +
				"Otherwise it is stored as a new version, made active (other servers pick it up within seconds) and live here at once. With ?mode=shadow it instead runs beside the live policy on every decision, recorded but never answered, until the next restart." + opsTokenDoc,
			Query:    []httpapi.Field{{Name: "mode", Type: "string", Desc: "live (default) or shadow", Enum: []string{"live", "shadow"}}},
			Response: "policy status", Handle: s.Ops(s.riskApplyPolicy)},
		{Method: "GET", Path: "/ops/risk/decisions/{sequence_id}", Tag: "Operations",
			Summary:  "One stored decision with every feature value it used, its outcome, the shadow outcome if any, and feedback: what explains it." + opsTokenDoc,
			Response: "decision record", Handle: s.Ops(s.riskDecisionRecord)},
	}
}

func kindNames() []string {
	out := make([]string, len(risk.ListKinds))
	for i, k := range risk.ListKinds {
		out[i] = string(k)
	}
	return out
}

func (s *api) riskNow() time.Time {
	if s.Risk.Now != nil {
		return s.Risk.Now()
	}
	return time.Now()
}

// riskFail writes a refused decision-API call.
func (s *api) riskFail(w http.ResponseWriter, status int, code risk.ReasonCode, msg string) {
	httpapi.WriteJSON(w, status, risk.Answer{ReasonCode: code, Message: msg})
}

// riskPartner authenticates a decision-API call, answering the refusal
// itself; it returns nil when refused.
func (s *api) riskPartner(w http.ResponseWriter, r *http.Request) *partner.Partner {
	p, err := s.partnerAuth(r, partner.ScopeRisk)
	if err == nil {
		return p
	}
	f := partnerRefusal(err)
	if f.internal {
		s.Logger(r.Context()).Error("partner auth", "route", r.Pattern, "err", err)
	}
	s.riskFail(w, f.status, f.risk, f.message)
	return nil
}

// riskDecide is POST /credit/fraud/v1.
func (s *api) riskDecide(w http.ResponseWriter, r *http.Request) {
	p := s.riskPartner(w, r)
	if p == nil {
		return
	}
	if r.ContentLength > risk.MaxEventBytes {
		s.riskFail(w, http.StatusRequestEntityTooLarge, risk.ReasonTooLarge, fmt.Sprintf("event must be at most %d bytes", risk.MaxEventBytes))
		return
	}
	if !jsonContent(r) {
		s.riskFail(w, http.StatusBadRequest, risk.ReasonMalformed, "Content-Type: must be application/json")
		return
	}
	ev, err := risk.DecodeEvent(r.Body, s.riskNow())
	if err == nil {
		var rec *risk.Record
		if rec, err = s.Risk.Decisions.Decide(r.Context(), risk.Input{Event: ev}, risk.SourcePartnerAPI, p.ID); err == nil {
			httpapi.WriteJSON(w, http.StatusOK, rec.Answer())
			return
		}
	}
	if httpapi.MemoryBusy(r, err) {
		s.riskFail(w, http.StatusServiceUnavailable, riskUnavailable, "the server is busy with other large requests: retry in a few seconds")
		return
	}
	a := risk.FailedAnswer(err)
	status := http.StatusBadRequest
	switch a.ReasonCode {
	case risk.ReasonTooLarge:
		status = http.StatusRequestEntityTooLarge
	case risk.ReasonInternal:
		status = http.StatusInternalServerError
		s.Logger(r.Context()).Error("risk decision", "partner", p.ID, "err", err)
	}
	s.riskFail(w, status, a.ReasonCode, a.Message)
}

func jsonContent(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	mt, _, _ := strings.Cut(ct, ";")
	return ct == "" || strings.EqualFold(strings.TrimSpace(mt), "application/json")
}

type feedbackReq struct {
	SequenceID string `json:"sequence_id"`
	Outcome    string `json:"outcome"`
	Time       string `json:"time"`
}

type feedbackAnswer struct {
	Success    bool           `json:"success"`
	SequenceID string         `json:"sequence_id"`
	Feedback   *risk.Feedback `json:"feedback"`
}

// riskFeedback is POST /credit/fraud/v1/feedback.
func (s *api) riskFeedback(w http.ResponseWriter, r *http.Request) {
	p := s.riskPartner(w, r)
	if p == nil {
		return
	}
	var req feedbackReq
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
		s.riskFail(w, http.StatusBadRequest, risk.ReasonMalformed, errs.Message(err))
		return
	}
	o, err := risk.ParseFeedbackOutcome(req.Outcome)
	switch {
	case req.SequenceID == "" || len(req.SequenceID) > 64:
		s.riskFail(w, http.StatusBadRequest, risk.ReasonMissingField, "sequence_id: must be the sequence_id of a decision")
		return
	case err != nil:
		s.riskFail(w, http.StatusBadRequest, risk.ReasonInvalidField, "outcome: must be accept, decline, repaid or defaulted")
		return
	}
	at := s.riskNow()
	if req.Time != "" {
		if at, err = time.Parse(time.RFC3339Nano, req.Time); err != nil {
			s.riskFail(w, http.StatusBadRequest, risk.ReasonInvalidField, "time: must be ISO-8601 with an offset, e.g. 2026-11-20T10:15:00+01:00")
			return
		}
	}
	fb, err := s.Risk.Decisions.Feedback(r.Context(), req.SequenceID, o, at, p.ID)
	if err == nil {
		httpapi.WriteJSON(w, http.StatusOK, feedbackAnswer{Success: true, SequenceID: req.SequenceID, Feedback: fb})
		return
	}
	switch errs.ErrorCode(err) {
	case errs.NotFound:
		s.riskFail(w, http.StatusNotFound, riskNotFound, "sequence_id: no decision has this sequence_id")
	case errs.Conflict:
		s.riskFail(w, http.StatusConflict, riskConflict, errs.Message(err))
	default:
		s.Logger(r.Context()).Error("risk feedback", "partner", p.ID, "err", err)
		s.riskFail(w, http.StatusInternalServerError, risk.ReasonInternal, "internal error")
	}
}

func (s *api) riskListEntries(r *http.Request) (any, error) {
	q := r.URL.Query()
	kind, list := risk.ListKind(q.Get("kind")), risk.ListName(q.Get("list"))
	if kind != "" && !isListKind(kind) {
		return nil, errs.InvalidField("kind", "must be one of %s", strings.Join(kindNames(), ", "))
	}
	if list != "" && list.Severity() == 0 {
		return nil, errs.InvalidField("list", "must be black, grey or white")
	}
	return s.Risk.Store.ListEntries(r.Context(), kind, list, q.Get("active") == "true")
}

func isListKind(k risk.ListKind) bool {
	for _, x := range risk.ListKinds {
		if x == k {
			return true
		}
	}
	return false
}

type listEntryReq struct {
	Kind      string `json:"kind"`
	Value     string `json:"value"`
	List      string `json:"list"`
	Reason    string `json:"reason"`
	CreatedBy string `json:"created_by"`
	ExpiresAt string `json:"expires_at"`
}

func (s *api) riskAddListEntry(r *http.Request) (any, error) {
	var req listEntryReq
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
		return nil, err
	}
	e := risk.ListEntry{Kind: risk.ListKind(req.Kind), Value: req.Value, List: risk.ListName(req.List), Reason: req.Reason, CreatedBy: req.CreatedBy}
	switch {
	case !isListKind(e.Kind):
		return nil, errs.InvalidField("kind", "must be one of %s", strings.Join(kindNames(), ", "))
	case e.List.Severity() == 0:
		return nil, errs.InvalidField("list", "must be black, grey or white")
	case strings.TrimSpace(e.Reason) == "" || len(e.Reason) > 256:
		return nil, errs.InvalidField("reason", "must be 1–256 characters")
	case strings.TrimSpace(e.CreatedBy) == "" || len(e.CreatedBy) > 64:
		return nil, errs.InvalidField("created_by", "must be 1–64 characters")
	}
	if req.ExpiresAt != "" {
		var err error
		if e.ExpiresAt, err = risk.ParseExpiry(req.ExpiresAt); err != nil {
			return nil, errs.InvalidField("expires_at", "%v", err)
		}
	}
	return s.Risk.Store.AddListEntry(r.Context(), e)
}

func (s *api) riskRemoveListEntry(r *http.Request) (any, error) {
	return nil, s.Risk.Store.RemoveListEntry(r.Context(), r.PathValue("id"))
}

type policyStatus struct {
	Version       string `json:"version"`
	Name          string `json:"name"`
	ShadowVersion string `json:"shadow_version,omitempty"`
	ShadowName    string `json:"shadow_name,omitempty"`
}

func (s *api) riskPolicyStatus(*http.Request) (any, error) {
	p := s.Risk.Engine.Policy()
	st := policyStatus{Version: p.Version, Name: p.Name}
	if sh := s.Risk.Engine.Shadow(); sh != nil {
		st.ShadowVersion, st.ShadowName = sh.Version, sh.Name
	}
	return st, nil
}

func (s *api) riskApplyPolicy(r *http.Request) (any, error) {
	src, err := io.ReadAll(io.LimitReader(r.Body, risk.MaxPolicyBytes+1))
	if err != nil {
		return nil, errs.InvalidField("body", "could not be read: %v", err)
	}
	if len(src) > risk.MaxPolicyBytes {
		return nil, &errs.Error{Code: errs.TooLarge, Field: "body", Message: fmt.Sprintf("policy must be at most %d bytes", risk.MaxPolicyBytes)}
	}
	var policyErr error
	switch mode := r.URL.Query().Get("mode"); mode {
	case "", "live":
		_, policyErr = s.Risk.Engine.Publish(r.Context(), s.Risk.Store, src, "ops")
	case "shadow":
		var p *risk.Policy
		if p, policyErr = risk.CompilePolicy(src); policyErr == nil {
			policyErr = s.Risk.Engine.PublishShadow(r.Context(), s.Risk.Store, p, "ops")
		}
	default:
		return nil, errs.InvalidField("mode", "must be live or shadow")
	}
	if policyErr != nil {
		if errs.ErrorCode(policyErr) != errs.Internal {
			return nil, policyErr // a stored conflicting version
		}
		var pe *risk.PolicyError
		if errors.As(policyErr, &pe) {
			return nil, errs.InvalidField("body", "policy refused, the running policy stays: %s", strings.TrimPrefix(policyErr.Error(), "risk: "))
		}
		return nil, policyErr
	}
	return s.riskPolicyStatus(r)
}

func (s *api) riskDecisionRecord(r *http.Request) (any, error) {
	return s.Risk.Store.Decision(r.Context(), r.PathValue("sequence_id"))
}
