package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"creditpocket/internal/errs"
	"creditpocket/internal/page"
)

// envelope is the app API's response shape, exactly as the app seed:
// {"code":1,"data":…,"message":"successfully request","token":"…"}.
type envelope struct {
	Code    int    `json:"code"`
	Data    any    `json:"data"`
	Message string `json:"message"`
	Token   string `json:"token"`
}

const okMessage = "successfully request"

// AppCode is the envelope's numeric code of a failure: its HTTP status
// (errs.Code.HTTPStatus) × 10; 1 is success.
func AppCode(code errs.Code) int { return code.HTTPStatus() * 10 }

// WithToken is a handler result that also sets the envelope's token (the
// new session token after register and login).
type WithToken struct {
	Data  any
	Token string
}

func WriteJSON(w http.ResponseWriter, httpStatus int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(httpStatus)
	_ = json.NewEncoder(w).Encode(v)
}

func WriteOK(w http.ResponseWriter, data any) {
	env := envelope{Code: 1, Data: data, Message: okMessage}
	if t, ok := data.(WithToken); ok {
		env.Data, env.Token = t.Data, t.Token
	}
	WriteJSON(w, http.StatusOK, env)
}

func WriteErr(w http.ResponseWriter, err error) {
	code := errs.ErrorCode(err)
	WriteJSON(w, code.HTTPStatus(), envelope{Code: AppCode(code), Data: nil, Message: errs.Message(err)})
}

// MaxJSONBody is the default cap on a JSON request body.
const MaxJSONBody = 64 << 10

// DecodeJSON reads exactly one JSON object into dst: the right content
// type, at most max bytes, no unknown fields, every type error named by
// its field.
func DecodeJSON(r *http.Request, max int64, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return errs.InvalidField("Content-Type", "must be application/json")
		}
	}
	r.Body = http.MaxBytesReader(nil, r.Body, max)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err, max)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return jsonError(err, max)
		}
		return errs.InvalidField("body", "must contain a single JSON object")
	}
	return nil
}

func jsonError(err error, max int64) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return &errs.Error{Code: errs.TooLarge, Field: "body", Message: fmt.Sprintf("must be at most %d bytes", max)}
	case errors.Is(err, io.EOF):
		return errs.InvalidField("body", "is required: send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.InvalidField("body", "is truncated JSON")
	case errors.As(err, &syntax):
		return errs.InvalidField("body", "is malformed JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return errs.InvalidField("body", "must be a JSON object")
		}
		return errs.InvalidField(typ.Field, "must be a %s", jsonKind(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return errs.InvalidField(f, "is not a known field")
	}
	return errs.InvalidField("body", "is not valid JSON")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "int", "int64", "int32", "uint", "uint64", "uint32":
		return "whole number"
	case "bool":
		return "boolean (true or false)"
	case "slice", "array":
		return "JSON array"
	case "struct", "map":
		return "JSON object"
	}
	return goKind
}

// PageRequest reads pageNum and pageSize from the query string.
func PageRequest(r *http.Request) (page.Request, error) {
	num, err := QueryInt(r, "pageNum", 1)
	if err != nil {
		return page.Request{}, err
	}
	size, err := QueryInt(r, "pageSize", page.DefaultSize)
	if err != nil {
		return page.Request{}, err
	}
	if num < 1 || num > 1_000_000 {
		return page.Request{}, errs.InvalidField("pageNum", "must be a whole number from 1")
	}
	if size < 1 || size > page.MaxSize {
		return page.Request{}, errs.InvalidField("pageSize", "must be a whole number from 1 to %d", page.MaxSize)
	}
	return page.Request{Num: num, Size: size}, nil
}

func QueryInt(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errs.InvalidField(name, "must be a whole number")
	}
	return n, nil
}

// QueryID reads a required positive id from the query string.
func QueryID(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, errs.Required(name)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, errs.InvalidField(name, "must be a positive whole number")
	}
	return n, nil
}

// ParseID reads a positive id sent as a JSON string (the seed's ids are
// strings) or number.
func ParseID(field string, v json.Number) (int64, error) {
	if v == "" {
		return 0, errs.Required(field)
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil || n <= 0 {
		return 0, errs.InvalidField(field, "must be a positive whole number")
	}
	return n, nil
}

// PageView is the app's list shape: {"list":[…],"total":"N","res":""}.
type PageView struct {
	List  any    `json:"list"`
	Total string `json:"total"`
	Res   string `json:"res"`
}

func ListOf[T, V any](items []T, total int64, view func(T) V) PageView {
	out := make([]V, 0, len(items))
	for _, it := range items {
		out = append(out, view(it))
	}
	return PageView{List: out, Total: strconv.FormatInt(total, 10)}
}
