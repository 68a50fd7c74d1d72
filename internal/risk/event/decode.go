package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
)

// MaxEventBytes caps an encoded event. The contract allows eight face images,
// an ID image and a video inline as base64, so the cap is generous; the
// per-value caps in Validate are the real limits.
const MaxEventBytes = 40 << 20

// Decode reads one event from r strictly — unknown fields, wrong JSON
// types, trailing data and bodies over MaxEventBytes are refused — and
// validates it as of now. Every refusal is a *ValidationError naming the
// field and the rule.
func Decode(r io.Reader, now time.Time) (*Event, error) {
	body, err := io.ReadAll(io.LimitReader(r, MaxEventBytes+1))
	if err != nil {
		return nil, fmt.Errorf("event: read: %w", err)
	}
	if len(body) > MaxEventBytes {
		return nil, invalid(ReasonTooLarge, "", "event must be at most %d bytes", MaxEventBytes)
	}
	ev, err := unmarshalEvent(body)
	if err != nil {
		return nil, err
	}
	if err := ev.Validate(now); err != nil {
		return nil, err
	}
	return ev, nil
}

func unmarshalEvent(body []byte) (*Event, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, invalid(ReasonMalformed, "", "event must be a JSON object, got an empty body")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var ev Event
	if err := dec.Decode(&ev); err != nil {
		return nil, jsonError(err, body)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, invalid(ReasonMalformed, "", "event must be a single JSON object, found data after it")
	}
	return &ev, nil
}

// jsonError turns encoding/json's errors into located validation errors.
func jsonError(err error, body []byte) *ValidationError {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		return invalid(ReasonMalformed, "", "invalid JSON at byte %d: %s", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))
	case errors.As(err, &typ):
		if typ.Field == "" {
			return invalid(ReasonWrongType, "", "event must be a JSON object, got %s", typ.Value)
		}
		return invalid(ReasonWrongType, typ.Field, "must be %s, got %s", jsonKind(typ.Type), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return invalid(ReasonMalformed, "", "invalid JSON: unexpected end of input")
	}
	// encoding/json has no type for unknown fields; its message is stable:
	// `json: unknown field "name"`.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		path := unknownFieldPath(body)
		if path == "" {
			path = strings.Trim(name, `"`)
		}
		return invalid(ReasonUnknownField, path, "is not a field of the event contract")
	}
	return invalid(ReasonMalformed, "", "invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// jsonKind names the JSON type a Go field expects.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	default:
		return "an object"
	}
}

// eventSchema maps each object path of the contract, with "[]" for array
// elements ("", "profile.phone", "contact[]"), to the fields defined there.
// It is read off the struct tags once, so it cannot drift from Event.
var eventSchema = func() map[string]map[string]bool {
	schema := map[string]map[string]bool{}
	var walk func(path string, t reflect.Type)
	walk = func(path string, t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			if t.Kind() == reflect.Slice {
				path += "[]"
			}
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return
		}
		fields := map[string]bool{}
		schema[path] = fields
		for f := range t.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "" || name == "-" {
				continue
			}
			fields[name] = true
			walk(strings.TrimPrefix(path+"."+name, "."), f.Type)
		}
	}
	walk("", reflect.TypeFor[Event]())
	return schema
}()

// unknownFieldPath finds the JSON path (e.g. "contact[1].phone.extension")
// of the first field the contract does not define, walking the tokens of a
// body encoding/json refused for that reason. It returns "" if it finds
// none.
func unknownFieldPath(body []byte) string {
	type frame struct {
		path, pattern string // concrete path and schema path of the container
		array         bool
		index         int
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var stack []frame
	key := "" // the object key whose value comes next
	child := func() (path, pattern string) {
		top := stack[len(stack)-1]
		if top.array {
			return fmt.Sprintf("%s[%d]", top.path, top.index), top.pattern + "[]"
		}
		return strings.TrimPrefix(top.path+"."+key, "."), strings.TrimPrefix(top.pattern+"."+key, ".")
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		inObject := len(stack) > 0 && !stack[len(stack)-1].array
		if k, ok := tok.(string); ok && inObject && key == "" {
			top := stack[len(stack)-1]
			if fields, known := eventSchema[top.pattern]; known && !fields[k] {
				return strings.TrimPrefix(top.path+"."+k, ".")
			}
			key = k
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			var f frame
			if len(stack) > 0 {
				f.path, f.pattern = child()
			}
			f.array = tok == json.Delim('[')
			stack, key = append(stack, f), ""
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value ended: move to the next key or element.
		if len(stack) > 0 {
			if top := &stack[len(stack)-1]; top.array {
				top.index++
			}
		}
		key = ""
	}
}
