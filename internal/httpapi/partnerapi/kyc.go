package partnerapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/httpapi"
	"creditpocket/internal/kyc"
	"creditpocket/internal/partner"
)

// The card-binding KYC open API answers in the partner contract's shape,
// {"code":"00000","msg":"ok"}, with five-digit codes from kyc.Codes.

const kycTag = "Partner: card-binding KYC"

// kycMemoryFactor is what a byte of a KYC body costs in memory: the body's
// buffer, the documents decoded from base64, and their sealed copies.
const kycMemoryFactor = 3

// kycAnswer is the KYC API's response shape.
type kycAnswer struct {
	Code kyc.Code `json:"code"`
	Msg  string   `json:"msg"`
	Data any      `json:"data,omitempty"`
}

// kycHandler is a KYC handler for an authenticated partner.
type kycHandler func(r *http.Request, p *partner.Partner) (any, error)

// kycCodeTable documents the codes in the route summaries.
func kycCodeTable() string {
	var b strings.Builder
	for i, c := range kyc.Codes {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s %s (%d)", c.Code, c.Meaning, c.Status)
	}
	return b.String()
}

// kycFormat is the KYC API's answer shape (the HyperCard-style seed's).
const kycFormat = `{"code":"00000","msg":"ok","data":…}; failures carry a code from the code table and a msg naming the field and the rule`

func (s *api) kycRoutes() []httpapi.Route {
	if s.KYC == nil {
		return nil
	}
	codes := " Answers {code, msg[, data]}; msg names the field and the rule. Codes (HTTP status): " + kycCodeTable() + "."
	tradeNo := httpapi.Field{Name: "mc_trade_no", Type: "string", Required: true, Desc: "The merchant's transaction number of the binding: printable ASCII, 1–64 characters, unique per merchant"}
	img := func(name string, required bool, desc string) httpapi.Field {
		return httpapi.Field{Name: name, Type: "string", Required: required, Desc: desc + "; base64 (standard or URL-safe, with or without a data: prefix), sniffed by content and decoded to check it"}
	}
	rs := []httpapi.Route{
		{Method: "POST", Path: "/openapi/card/binding", Tag: kycTag,
			Summary: "Open a card binding for one of the merchant's users. Partner scope kyc. Opening the same mc_trade_no again with the same details answers the binding again; with other details 20002 conflict." + codes,
			Query:   partnerCredentialFields,
			Body: []httpapi.Field{
				tradeNo,
				{Name: "card_type_id", Type: "string", Required: true, Desc: "Card type, digits (a string or a number), e.g. 71000003; decides the address rule and the allowed countries"},
				{Name: "user_ref", Type: "string", Required: true, Desc: "The merchant's reference for its user: printable ASCII, 1–64 characters"},
				{Name: "notify_url", Type: "string", Desc: "http(s) URL the KYC's status changes are POSTed to, signed (see GET /openapi/card/binding/webhook-secret); at most 512 characters"},
			}, Format: kycFormat, Response: "binding", Handle: s.kyc(s.openBinding)},
		{Method: "POST", Path: "/openapi/card/binding/kyc", Tag: kycTag,
			Summary: fmt.Sprintf("Binding KYC (2.1.28): submit the user's identity for a binding. Partner scope kyc. Body at most %d bytes. "+
				"Idempotent on mc_trade_no: the same request again answers 00000 again, a different one after acceptance 20002 conflict. "+
				"An accepted KYC is checked at once (watch-list screening, reused document number, identical photos): clear ones are approved, others wait for manual review; "+
				"each status change is POSTed to the binding's notify_url.", kyc.MaxBody) + codes,
			Query: partnerCredentialFields,
			Body: []httpapi.Field{
				tradeNo,
				{Name: "base_info", Type: "object", Required: true, Items: []httpapi.Field{
					{Name: "email", Type: "string", Required: true, Desc: "Valid e-mail, at most 64 characters"},
					{Name: "first_name", Type: "string", Required: true, Desc: "At most 50 characters"},
					{Name: "last_name", Type: "string", Required: true, Desc: "At most 50 characters"},
					{Name: "mobile", Type: "string", Required: true, Desc: "6 to 11 digits (a string or a number)"},
					{Name: "mobile_code", Type: "string", Required: true, Desc: "An assigned country calling code, e.g. 86; at most 5 characters"},
					{Name: "user_ip", Type: "string", Desc: "IPv4 or IPv6 address"},
				}},
				{Name: "kyc_info", Type: "object", Required: true, Items: []httpapi.Field{
					{Name: "address", Type: "string", Required: true, Desc: "At most 256 characters; must match the card type's address rule (default: letters of any script, digits, spaces and , . ' # / ( ) & : ; -; card types 71000003 and 71000002: the same in Latin letters only)"},
					img("back_doc", false, "Back of the document: jpg, jpeg or png, less than 2 MB of base64 text"),
					{Name: "birthday", Type: "string", Required: true, Desc: "yyyy-MM-dd, a real past date; the applicant at least 18 years old"},
					{Name: "city", Type: "string", Required: true, Desc: "At most 100 characters"},
					{Name: "country_id", Type: "string", Required: true, Desc: "ISO 3166 alpha-2 in capitals; within the card type's countries when it has a limit"},
					{Name: "doc_no", Type: "string", Required: true, Desc: "Document number, a string or a number; at most 128 characters"},
					{Name: "doc_type", Type: "integer", Required: true, Desc: "1 passport, 2 identity number; only passport is accepted at present (configurable)", Enum: []string{"1", "2"}},
					{Name: "emergency_contact", Type: "string", Required: true, Desc: "At most 255 characters"},
					img("front_doc", true, "Front of the document: jpg, jpeg or png, less than 2 MB of base64 text"),
					{Name: "gender", Type: "integer", Required: true, Desc: "1 male, 2 female", Enum: []string{"1", "2"}},
					img("mix_doc", true, "The user holding the document: jpg, jpeg or png, less than 2 MB of base64 text"),
					{Name: "nationality_id", Type: "string", Required: true, Desc: "ISO 3166 alpha-2 in capitals"},
					img("sign_img", true, "Signature: jpg, jpeg or png, less than 1 MB of base64 text"),
					{Name: "state", Type: "string", Required: true, Desc: "At most 100 characters"},
					{Name: "zip_code", Type: "string", Required: true, Desc: "At most 20 characters (a string or a number)"},
					img("poa_doc", false, "Proof of address: jpg, jpeg, png or pdf, less than 2 MB of base64 text; required when poa_type is 1"),
					{Name: "poa_type", Type: "integer", Desc: "1 self-service provision (needs poa_doc), 2 assisted certification; a number or a numeric string", Enum: []string{"1", "2"}},
				}},
			}, Format: kycFormat, Response: "null", Handle: s.Budgeted(kycMemoryFactor, kyc.MaxBody, s.kyc(s.submitKYC))},
		{Method: "GET", Path: "/openapi/card/binding/kyc", Tag: kycTag,
			Summary: "The KYC status of a binding: not_submitted, submitted (review=true while in the manual queue), approved or rejected, with the reasons. Never returns the applicant's data or documents. Partner scope kyc." + codes,
			Query:   append([]httpapi.Field{tradeNo}, partnerCredentialFields...), Format: kycFormat, Response: "kycStatus", Handle: s.kyc(s.kycStatus)},
		{Method: "GET", Path: "/openapi/card/binding/webhook-secret", Tag: kycTag,
			Summary: "The merchant's webhook signing secret (whsec_ and the base64 key, as Standard Webhooks libraries take it). Each notification carries " +
				kyc.EventIDHeader + " (the event id, the same on every retry), " + kyc.TimestampHeader + " (Unix seconds of the attempt) and " +
				kyc.SignatureHeader + ": v1,<base64 HMAC-SHA256 of \"<id>.<timestamp>.<raw body>\" under the key>; refuse timestamps more than 5 minutes from your clock. Answer 2xx to acknowledge; otherwise it is retried with exponential backoff (30 s doubling to 1 h) for 72 hours. Partner scope kyc." + codes,
			Query: partnerCredentialFields, Format: kycFormat, Response: "webhookSecret", Handle: s.kyc(s.kycWebhookSecret)},
	}
	for i := range rs[1].Body {
		if f := &rs[1].Body[i]; f.Type == "object" {
			f.Desc = fieldList(f.Items)
		}
	}
	{ // operator endpoints: refused unless CREDITPOCKET_OPS_TOKEN is set
		rs = append(rs,
			httpapi.Route{Method: "GET", Path: "/ops/kyc/review", Tag: "Operations", Summary: "KYCs waiting for manual review, oldest first (at most 200)." + opsTokenDoc,
				Query: []httpapi.Field{{Name: "limit", Type: "integer", Desc: "At most this many (default 50)"}}, Response: "list of kycReview", Handle: s.Ops(s.kycQueue)},
			httpapi.Route{Method: "POST", Path: "/ops/kyc/review", Tag: "Operations", Summary: "Approve or reject a KYC in review; the merchant is notified." + opsTokenDoc,
				Body: []httpapi.Field{
					{Name: "id", Type: "integer", Required: true, Desc: "KYC id from GET /ops/kyc/review"},
					{Name: "decision", Type: "string", Required: true, Enum: []string{"approve", "reject"}},
					{Name: "reason", Type: "string", Desc: "Why; required to reject, at most 500 characters"},
					{Name: "operator", Type: "string", Required: true, Desc: "Who decides, at most 100 characters"},
				}, Response: "kycReview", Handle: s.Ops(s.kycDecide)},
			httpapi.Route{Method: "GET", Path: "/ops/kyc/document", Tag: "Operations", Summary: "Open one document of a KYC (base64). Every view is recorded with who and why before the document is read." + opsTokenDoc,
				Query: []httpapi.Field{
					{Name: "id", Type: "integer", Required: true, Desc: "KYC id"},
					{Name: "field", Type: "string", Required: true, Enum: []string{"front_doc", "back_doc", "mix_doc", "sign_img", "poa_doc"}},
					{Name: "viewer", Type: "string", Required: true, Desc: "Who views it, at most 100 characters"},
					{Name: "purpose", Type: "string", Required: true, Desc: "Why, at most 200 characters"},
				}, Response: "kycDocument", Handle: s.Ops(s.kycDocument)},
		)
	}
	return rs
}

// fieldList describes an object's members in one line, for the OpenAPI
// document, which shows only arrays' items: "email* (…); user_ip (…)".
func fieldList(fs []httpapi.Field) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		star := ""
		if f.Required {
			star = "*"
		}
		parts[i] = fmt.Sprintf("%s%s (%s)", f.Name, star, f.Desc)
	}
	return strings.Join(parts, "; ")
}

// kyc authenticates the partner for scope kyc and writes the KYC answer.
func (s *api) kyc(h kycHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.partnerAuth(r, partner.ScopeKYC)
		var data any
		if err == nil {
			data, err = h(r, p)
		} else {
			err = kycAuthError(err)
		}
		code, msg := kyc.CodeOf(err)
		if code == kyc.InternalError {
			s.Logger(r.Context()).Error("internal error", "route", r.Pattern, "err", err)
		}
		ans := kycAnswer{Code: code, Msg: msg, Data: data}
		if err != nil {
			ans.Data = nil
		}
		httpapi.WriteJSON(w, code.Status(), ans)
	}
}

// kycAuthError maps the partner package's refusals to KYC codes.
func kycAuthError(err error) error {
	if f := partnerRefusal(err); !f.internal {
		return &kyc.Error{Code: f.kyc, Field: "X-API-ID", Rule: strings.TrimPrefix(f.err.Error(), "partner: ")}
	}
	return err
}

// flexText is a JSON string or whole number kept as text: merchants send
// card_type_id both ways.
type flexText string

func (f *flexText) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexText(s)
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if _, err := strconv.ParseUint(string(b), 10, 64); err != nil {
		return &json.UnmarshalTypeError{Value: "number " + string(b), Type: reflect.TypeFor[string]()}
	}
	*f = flexText(b)
	return nil
}

type openBindingReq struct {
	TradeNo    string   `json:"mc_trade_no"`
	CardTypeID flexText `json:"card_type_id"`
	UserRef    string   `json:"user_ref"`
	NotifyURL  string   `json:"notify_url"`
}

type bindingView struct {
	TradeNo    string `json:"mc_trade_no"`
	CardTypeID string `json:"card_type_id"`
	UserRef    string `json:"user_ref"`
	NotifyURL  string `json:"notify_url"`
	CreatedAt  string `json:"created_at"`
}

func (s *api) openBinding(r *http.Request, p *partner.Partner) (any, error) {
	var req openBindingReq
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
		return nil, err
	}
	b, err := s.KYC.OpenBinding(r.Context(), kyc.OpenInput{PartnerID: p.ID, TradeNo: req.TradeNo, CardTypeID: string(req.CardTypeID), UserRef: req.UserRef, NotifyURL: req.NotifyURL})
	if err != nil {
		return nil, err
	}
	return bindingView{TradeNo: b.TradeNo, CardTypeID: b.CardTypeID, UserRef: b.UserRef, NotifyURL: b.NotifyURL, CreatedAt: b.CreatedAt.Format(time.RFC3339)}, nil
}

// submitKYC streams the body through kyc.Reader: it is read once, and
// each document is decoded as it arrives.
func (s *api) submitKYC(r *http.Request, p *partner.Partner) (any, error) {
	if !jsonContent(r) {
		return nil, &kyc.Error{Code: kyc.BadFormat, Field: "Content-Type", Rule: "must be application/json"}
	}
	if r.ContentLength > kyc.MaxBody {
		return nil, &kyc.Error{Code: kyc.BodyTooLarge, Field: "body", Rule: fmt.Sprintf("must be at most %d bytes", kyc.MaxBody)}
	}
	req, err := kyc.NewReader(r.Body, kyc.MaxBody).Read()
	if err != nil {
		if httpapi.MemoryBusy(r, err) {
			return nil, httpapi.ErrMemoryBusy
		}
		return nil, err
	}
	return nil, s.KYC.Submit(r.Context(), p.ID, req)
}

type kycStatusView struct {
	TradeNo     string     `json:"mc_trade_no"`
	CardTypeID  string     `json:"card_type_id"`
	Status      kyc.Status `json:"status"`
	Review      bool       `json:"review"`
	Reasons     []string   `json:"reasons"`
	SubmittedAt string     `json:"submitted_at"`
	DecidedAt   string     `json:"decided_at"`
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func (s *api) kycStatus(r *http.Request, p *partner.Partner) (any, error) {
	v, err := s.KYC.Status(r.Context(), p.ID, r.URL.Query().Get("mc_trade_no"))
	if err != nil {
		return nil, err
	}
	return kycStatusView{TradeNo: v.TradeNo, CardTypeID: v.CardTypeID, Status: v.Status, Review: v.Review, Reasons: v.Reasons,
		SubmittedAt: rfc3339(v.SubmittedAt), DecidedAt: rfc3339(v.DecidedAt)}, nil
}

type webhookSecretView struct {
	Secret string `json:"secret"`
	Header string `json:"header"`
	Scheme string `json:"scheme"`
}

func (s *api) kycWebhookSecret(r *http.Request, p *partner.Partner) (any, error) {
	return webhookSecretView{Secret: s.KYC.WebhookSecret(p.ID), Header: kyc.SignatureHeader,
		Scheme: `Standard Webhooks: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>">`}, nil
}

type kycReviewView struct {
	ID         int64      `json:"id"`
	PartnerID  string     `json:"partner_id"`
	TradeNo    string     `json:"mc_trade_no"`
	CardTypeID string     `json:"card_type_id"`
	UserRef    string     `json:"user_ref"`
	Status     kyc.Status `json:"status"`
	Review     bool       `json:"review"`
	Reasons    []string   `json:"reasons"`
	CreatedAt  string     `json:"created_at"`
	DecidedBy  string     `json:"decided_by"`
}

func reviewView(sub *kyc.Submission) kycReviewView {
	return kycReviewView{ID: sub.ID, PartnerID: sub.PartnerID, TradeNo: sub.TradeNo, CardTypeID: sub.CardTypeID, UserRef: sub.UserRef,
		Status: sub.Status, Review: sub.Review, Reasons: sub.Reasons, CreatedAt: rfc3339(sub.CreatedAt), DecidedBy: sub.DecidedBy}
}

func (s *api) kycQueue(r *http.Request) (any, error) {
	limit, err := httpapi.QueryInt(r, "limit", 50)
	if err != nil {
		return nil, err
	}
	subs, err := s.KYC.ReviewQueue(r.Context(), limit)
	if err != nil {
		return nil, err
	}
	return httpapi.ListOf(subs, int64(len(subs)), func(sub kyc.Submission) kycReviewView { return reviewView(&sub) }), nil
}

type kycDecideReq struct {
	ID       int64  `json:"id"`
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
	Operator string `json:"operator"`
}

func (s *api) kycDecide(r *http.Request) (any, error) {
	var req kycDecideReq
	if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &req); err != nil {
		return nil, err
	}
	if req.Decision != "approve" && req.Decision != "reject" {
		return nil, errs.InvalidField("decision", "must be approve or reject")
	}
	sub, err := s.KYC.Decide(r.Context(), req.ID, req.Decision == "approve", req.Reason, req.Operator)
	if err != nil {
		return nil, err
	}
	return reviewView(sub), nil
}

type kycDocumentView struct {
	Kind string `json:"kind"`
	Data string `json:"data"` // base64
}

func (s *api) kycDocument(r *http.Request) (any, error) {
	id, err := httpapi.QueryID(r, "id")
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	data, kind, err := s.KYC.ViewDocument(r.Context(), id, q.Get("field"), q.Get("viewer"), q.Get("purpose"))
	if err != nil {
		return nil, err
	}
	return kycDocumentView{Kind: string(kind), Data: base64.StdEncoding.EncodeToString(data)}, nil
}
