package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// MaxDepth bounds how deeply a body's objects and arrays may nest; real
// webhook events are three or four levels deep.
const MaxDepth = 32

// BodyError says what is wrong with a webhook body. Path locates it
// ("data.amount", "items[2]"; empty for the body as a whole).
type BodyError struct {
	Path   string
	Reason string
}

func (e *BodyError) Error() string {
	if e.Path == "" {
		return "webhook body: " + e.Reason
	}
	return "webhook body: " + e.Path + ": " + e.Reason
}

// Decode unmarshals the one JSON value body holds into v, refusing what
// encoding/json would let through silently: a key repeated in an object,
// at any depth, and anything but white space after the value. Keys that
// differ only in case are repeats too, since encoding/json matches them to
// the same field (the later one would win). Errors are *BodyError.
func Decode(body []byte, v any) error {
	if err := Check(body); err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &BodyError{Path: te.Field, Reason: "must be a JSON " + te.Type.Kind().String() + ", not " + te.Value}
		}
		return &BodyError{Reason: err.Error()}
	}
	return nil
}

// frame is one open object or array of the walk.
type frame struct {
	object  bool
	path    string
	keys    map[string]bool // folded keys seen, objects only
	key     string          // the key whose value comes next, objects only
	wantKey bool
	index   int // arrays: the next element's index
}

// Check walks body's tokens and refuses duplicate keys, nesting beyond
// MaxDepth, bad syntax and trailing data, without building any value.
func Check(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	var stack []*frame
	started := false
	for {
		tok, err := dec.Token()
		if started && len(stack) == 0 {
			if err == io.EOF {
				return nil
			}
			return &BodyError{Reason: "trailing data after the JSON value"}
		}
		if err == io.EOF {
			if !started {
				return &BodyError{Reason: "is empty; want one JSON object"}
			}
			return &BodyError{Reason: "ends inside a JSON value"}
		}
		if err != nil {
			return &BodyError{Reason: "is not valid JSON: " + err.Error()}
		}
		started = true
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.wantKey {
			if tok == json.Delim('}') {
				stack = stack[:len(stack)-1]
				valueDone(stack)
				continue
			}
			key, _ := tok.(string) // the decoder yields only strings here
			f := fold(key)
			if top.keys[f] {
				return &BodyError{Path: top.path, Reason: fmt.Sprintf("duplicate key %.64q", key)}
			}
			top.keys[f], top.key, top.wantKey = true, key, false
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(stack) == MaxDepth {
				return &BodyError{Path: childPath(top), Reason: fmt.Sprintf("nested more than %d levels deep", MaxDepth)}
			}
			fr := &frame{object: tok == json.Delim('{'), path: childPath(top)}
			if fr.object {
				fr.keys, fr.wantKey = map[string]bool{}, true
			}
			stack = append(stack, fr)
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone(stack)
		default:
			valueDone(stack)
		}
	}
}

// valueDone moves the innermost open container past the value just read.
func valueDone(stack []*frame) {
	if len(stack) == 0 {
		return
	}
	top := stack[len(stack)-1]
	if top.object {
		top.wantKey = true
	} else {
		top.index++
	}
}

// childPath is the path of the value about to be read inside top.
func childPath(top *frame) string {
	switch {
	case top == nil:
		return ""
	case !top.object:
		return top.path + "[" + strconv.Itoa(top.index) + "]"
	case top.path == "":
		return top.key
	default:
		return top.path + "." + top.key
	}
}

// fold maps a key to the form encoding/json compares field names in, so
// keys it would treat as one are one here.
func fold(key string) string {
	return strings.Map(func(r rune) rune { return unicode.ToUpper(unicode.ToLower(r)) }, key)
}
