// Package webhook is creditpocket's one webhook signature scheme, for the
// webhooks it sends (KYC notifications to merchants, the sandbox payment
// provider's events) and those it receives: Standard Webhooks
// (https://www.standardwebhooks.com). Each request carries
//
//	webhook-id:        the message id, the same on every retry
//	webhook-timestamp: Unix seconds when this attempt was signed
//	webhook-signature: "v1,<base64 HMAC-SHA256 of id.timestamp.body>"
//
// and the receiver refuses a timestamp more than Tolerance away from its
// clock, so a captured request cannot be replayed after the window (inside
// it, the receiver's idempotency by message or reference applies).
// Several space-separated signatures may be sent, so a secret can be
// rotated: the sender signs with the old and the new key while receivers
// move over. Secrets are shown as "whsec_" + base64 of the key, the form
// the Standard Webhooks libraries take.
//
// The package also holds the strict JSON decoding webhook bodies get
// (Decode): a duplicate key or trailing data is refused, so a body cannot
// mean one thing to the signature checker's logs and another to the code
// that books it.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of the scheme, as Standard Webhooks names them.
const (
	IDHeader        = "webhook-id"
	TimestampHeader = "webhook-timestamp"
	SignatureHeader = "webhook-signature"
)

// Tolerance is how far a webhook's timestamp may be from the receiver's
// clock, either way: Standard Webhooks' recommended five minutes.
const Tolerance = 5 * time.Minute

// SecretPrefix starts a secret in its shared form.
const SecretPrefix = "whsec_"

// Limits on what a verifier reads from headers.
const (
	maxIDLen         = 256
	maxSignatures    = 8
	maxSignatureHead = 1024
)

// FormatSecret is key in the form given to whoever verifies: "whsec_"
// followed by standard base64.
func FormatSecret(key []byte) string { return SecretPrefix + base64.StdEncoding.EncodeToString(key) }

// ParseSecret is the key of a secret in FormatSecret's form.
func ParseSecret(secret string) ([]byte, error) {
	rest, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return nil, errors.New("webhook: secret does not start with " + SecretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(rest)
	if err != nil || len(key) == 0 {
		return nil, errors.New("webhook: secret is not " + SecretPrefix + " and base64")
	}
	return key, nil
}

// Sign is the webhook-signature value of one message under each key: one
// "v1,<base64>" entry per key, space-separated.
func Sign(id string, at time.Time, body []byte, keys ...[]byte) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	sigs := make([]string, len(keys))
	for i, k := range keys {
		sigs[i] = "v1," + base64.StdEncoding.EncodeToString(mac(k, id, ts, body))
	}
	return strings.Join(sigs, " ")
}

// SetHeaders writes the scheme's three headers of one attempt at sending
// body, signed at at with each key.
func SetHeaders(h http.Header, id string, at time.Time, body []byte, keys ...[]byte) {
	h.Set(IDHeader, id)
	h.Set(TimestampHeader, strconv.FormatInt(at.Unix(), 10))
	h.Set(SignatureHeader, Sign(id, at, body, keys...))
}

func mac(key []byte, id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Error says why a webhook's signature was refused.
type Error struct{ Reason string }

func (e *Error) Error() string { return "webhook: " + e.Reason }

// Verify checks a received webhook's headers against body: the id and
// timestamp present, the timestamp within Tolerance of now, and one of the
// v1 signatures the HMAC of id.timestamp.body under one of keys (compared
// in constant time). It returns the message id.
func Verify(h http.Header, body []byte, now time.Time, keys ...[]byte) (string, error) {
	id, ts, sigHead := h.Get(IDHeader), h.Get(TimestampHeader), h.Get(SignatureHeader)
	switch {
	case len(keys) == 0:
		return "", &Error{"no webhook secret is configured"}
	case id == "" || ts == "" || sigHead == "":
		return "", &Error{"the " + IDHeader + ", " + TimestampHeader + " and " + SignatureHeader + " headers are required"}
	case len(id) > maxIDLen:
		return "", &Error{fmt.Sprintf("%s is longer than %d bytes", IDHeader, maxIDLen)}
	case len(sigHead) > maxSignatureHead:
		return "", &Error{fmt.Sprintf("%s is longer than %d bytes", SignatureHeader, maxSignatureHead)}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || strconv.FormatInt(sec, 10) != ts {
		return "", &Error{TimestampHeader + " is not Unix seconds"}
	}
	// Compared in seconds, so no timestamp can overflow a Duration.
	switch d := now.Unix() - sec; {
	case d > int64(Tolerance/time.Second):
		return "", &Error{fmt.Sprintf("%s is more than %s old: a replay or a stale retry", TimestampHeader, Tolerance)}
	case d < -int64(Tolerance/time.Second):
		return "", &Error{fmt.Sprintf("%s is more than %s in the future", TimestampHeader, Tolerance)}
	}
	var sigs [][]byte
	for _, entry := range strings.Fields(sigHead) {
		v, ok := strings.CutPrefix(entry, "v1,")
		if !ok || len(sigs) == maxSignatures {
			continue // another scheme version, or past the cap
		}
		if b, err := base64.StdEncoding.DecodeString(v); err == nil && len(b) == sha256.Size {
			sigs = append(sigs, b)
		}
	}
	if len(sigs) == 0 {
		return "", &Error{SignatureHeader + " has no v1 signature"}
	}
	for _, k := range keys {
		want := mac(k, id, ts, body)
		for _, s := range sigs {
			if hmac.Equal(s, want) {
				return id, nil
			}
		}
	}
	return "", &Error{"no signature matches the id, timestamp and body"}
}
