package webhook_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"creditpocket/internal/webhook"
)

func TestVerify(t *testing.T) {
	t.Parallel()
	key, newKey := []byte("old-secret"), []byte("new-secret")
	body := []byte(`{"id":"evt_1","event":"charge.success"}`)
	at := time.Unix(1_800_000_000, 0)
	signed := func(id string, at time.Time, body []byte, keys ...[]byte) http.Header {
		h := http.Header{}
		webhook.SetHeaders(h, id, at, body, keys...)
		return h
	}
	cases := []struct {
		name string
		h    http.Header
		body []byte
		now  time.Time
		keys [][]byte
		ok   bool
	}{
		{"a fresh signature verifies", signed("msg_1", at, body, key), body, at.Add(time.Minute), [][]byte{key}, true},
		{"a timestamp at the edge of the window verifies", signed("msg_1", at, body, key), body, at.Add(webhook.Tolerance), [][]byte{key}, true},
		{"a stale timestamp is refused", signed("msg_1", at, body, key), body, at.Add(webhook.Tolerance + time.Second), [][]byte{key}, false},
		{"a timestamp beyond the tolerance in the future is refused", signed("msg_1", at.Add(webhook.Tolerance+time.Second), body, key), body, at, [][]byte{key}, false},
		{"a tampered body is refused", signed("msg_1", at, body, key), []byte(`{"id":"evt_1","event":"charge.failed"}`), at, [][]byte{key}, false},
		{"a changed id is refused", func() http.Header {
			h := signed("msg_1", at, body, key)
			h.Set(webhook.IDHeader, "msg_2")
			return h
		}(), body, at, [][]byte{key}, false},
		{"a changed timestamp is refused", func() http.Header {
			h := signed("msg_1", at, body, key)
			h.Set(webhook.TimestampHeader, "1800000001")
			return h
		}(), body, at, [][]byte{key}, false},
		{"another secret is refused", signed("msg_1", at, body, key), body, at, [][]byte{[]byte("other")}, false},
		{"a sender rotating its secret signs with both, and the new key verifies", signed("msg_1", at, body, key, newKey), body, at, [][]byte{newKey}, true},
		{"a receiver rotating its secret accepts either key", signed("msg_1", at, body, key), body, at, [][]byte{newKey, key}, true},
		{"missing headers are refused", http.Header{}, body, at, [][]byte{key}, false},
		{"no configured key refuses everything", signed("msg_1", at, body, key), body, at, nil, false},
		{"a timestamp that is not Unix seconds is refused", func() http.Header {
			h := signed("msg_1", at, body, key)
			h.Set(webhook.TimestampHeader, "+1800000000")
			return h
		}(), body, at, [][]byte{key}, false},
		{"an extreme timestamp is refused without overflow", func() http.Header {
			h := signed("msg_1", at, body, key)
			h.Set(webhook.TimestampHeader, "-9223372036854775808")
			return h
		}(), body, at, [][]byte{key}, false},
		{"a signature of another scheme version is ignored", func() http.Header {
			h := signed("msg_1", at, body, key)
			h.Set(webhook.SignatureHeader, "v1a,"+strings.TrimPrefix(h.Get(webhook.SignatureHeader), "v1,"))
			return h
		}(), body, at, [][]byte{key}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, err := webhook.Verify(c.h, c.body, c.now, c.keys...)
			if (err == nil) != c.ok {
				t.Fatalf("Verify = %q, %v; want ok %t", id, err, c.ok)
			}
			var we *webhook.Error
			if err != nil && !errors.As(err, &we) {
				t.Fatalf("error %T is not a *webhook.Error", err)
			}
		})
	}
}

func TestSecretsRoundTripInTheStandardForm(t *testing.T) {
	t.Parallel()
	key := []byte{0, 1, 2, 250}
	s := webhook.FormatSecret(key)
	if !strings.HasPrefix(s, "whsec_") {
		t.Fatalf("secret %q", s)
	}
	got, err := webhook.ParseSecret(s)
	if err != nil || string(got) != string(key) {
		t.Fatalf("ParseSecret = %v, %v", got, err)
	}
	for _, bad := range []string{"", "whsec_", "whsec_!!", "AAEC+g=="} {
		if _, err := webhook.ParseSecret(bad); err == nil {
			t.Errorf("ParseSecret(%q) accepted", bad)
		}
	}
}

func TestDecodeRefusesWhatEncodingJSONWouldLetThrough(t *testing.T) {
	t.Parallel()
	type data struct {
		Amount int64 `json:"amount"`
	}
	type event struct {
		ID   string `json:"id"`
		Data data   `json:"data"`
	}
	cases := []struct {
		name, body, path, reason string
	}{
		{"a repeated top-level key is refused", `{"id":"a","id":"b"}`, "", "duplicate key"},
		{"a repeated nested key is refused", `{"id":"a","data":{"amount":1,"amount":9223372036854775807}}`, "data", "duplicate key"},
		{"keys equal but for case are one key", `{"data":{"amount":1,"AMOUNT":2}}`, "data", "duplicate key"},
		{"an escaped spelling of a key is the same key", `{"data":{"amount":1,"amo\u0075nt":2}}`, "data", "duplicate key"},
		{"a repeat inside an array element is refused", `{"list":[{"a":1},{"a":1,"a":2}]}`, "list[1]", "duplicate key"},
		{"trailing data is refused", `{"id":"a"} {"id":"b"}`, "", "trailing data"},
		{"trailing garbage is refused", `{"id":"a"}x`, "", "trailing data"},
		{"an empty body is refused", ``, "", "empty"},
		{"a truncated body is refused", `{"id":"a"`, "", "ends inside"},
		{"bad syntax is refused", `{"id" "a"}`, "", "not valid JSON"},
		{"a wrong type names the field", `{"data":{"amount":"12"}}`, "data.amount", "must be a JSON int64"},
		{"deep nesting is refused", strings.Repeat("[", webhook.MaxDepth+1) + strings.Repeat("]", webhook.MaxDepth+1), "", "nested more than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e event
			err := webhook.Decode([]byte(c.body), &e)
			var be *webhook.BodyError
			if !errors.As(err, &be) {
				t.Fatalf("Decode(%s) = %v, want a *BodyError", c.body, err)
			}
			if !strings.HasPrefix(be.Path, c.path) || !strings.Contains(be.Reason, c.reason) {
				t.Fatalf("Decode(%s) = path %q reason %q; want %q, %q", c.body, be.Path, be.Reason, c.path, c.reason)
			}
		})
	}
	t.Run("a plain body with white space around it decodes", func(t *testing.T) {
		var e event
		if err := webhook.Decode([]byte(" {\"id\":\"a\",\"data\":{\"amount\":5},\"extra\":[1,{\"x\":null}]}\n"), &e); err != nil || e.Data.Amount != 5 {
			t.Fatalf("Decode = %+v, %v", e, err)
		}
	})
}

// FuzzDecode holds Decode to encoding/json: whatever Decode accepts,
// encoding/json accepts too and reads the same value, and what it refuses
// is a *BodyError, never a panic.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"id":"a"}`, `{"a":{"b":[1,2,{"c":3}]}}`, `{"a":1,"a":2}`, `{"A":1,"a":2}`, `{} {}`, `[`, `"x"`, `{"amount":9223372036854775807}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got any
		err := webhook.Decode(body, &got)
		if err != nil {
			var be *webhook.BodyError
			if !errors.As(err, &be) {
				t.Fatalf("error %T %v is not a *BodyError", err, err)
			}
			return
		}
		var want any
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("Decode accepted %q, encoding/json refuses it: %v", body, err)
		}
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(want)
		if string(a) != string(b) {
			t.Fatalf("Decode read %s, encoding/json %s", a, b)
		}
		if err := webhook.Check(a); err != nil {
			t.Fatalf("the re-encoded value %s is refused: %v", a, err)
		}
	})
}
