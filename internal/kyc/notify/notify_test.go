package notify_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"creditpocket/internal/kyc/notify"
	"creditpocket/internal/webhook"
)

func TestWebhookSignatures(t *testing.T) {
	key, body := []byte("s3cret-key"), []byte(`{"id":"1"}`)
	secret := webhook.FormatSecret(key)
	at := time.Unix(1_800_000_000, 0)
	h := http.Header{}
	webhook.SetHeaders(h, "evt_1", at, body, key)
	cases := []struct {
		name   string
		secret string
		header http.Header
		body   []byte
		now    time.Time
		ok     bool
	}{
		{"a fresh signature verifies", secret, h, body, at.Add(time.Minute), true},
		{"another secret fails", webhook.FormatSecret([]byte("other")), h, body, at, false},
		{"a secret not in the whsec_ form fails", string(key), h, body, at, false},
		{"a changed body fails", secret, h, []byte(`{"id":"2"}`), at, false},
		{"a stale signature fails", secret, h, body, at.Add(time.Hour), false},
		{"missing headers fail", secret, http.Header{}, body, at, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := notify.VerifySignature(c.secret, c.header, c.body, c.now)
			if (err == nil) != c.ok {
				t.Fatalf("err = %v", err)
			}
			if err != nil && !errors.Is(err, notify.ErrBadSignature) {
				t.Fatalf("err = %v, want ErrBadSignature", err)
			}
		})
	}
}

func TestBackoffDoublesUpToTheCap(t *testing.T) {
	n := &notify.Notifier{BaseDelay: time.Second, MaxDelay: 10 * time.Second}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for i, w := range want {
		if got := n.Backoff(i + 1); got != w {
			t.Errorf("after %d failures: %v, want %v", i+1, got, w)
		}
	}
}

func TestPublicClientRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	defer srv.Close()
	_, err := notify.PublicClient(2*time.Second).Post(srv.URL, "application/json", strings.NewReader("{}"))
	if !errors.Is(err, notify.ErrPrivateAddress) {
		t.Fatalf("POST to %s: err = %v, want ErrPrivateAddress", srv.URL, err)
	}
	for _, u := range []string{"http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://100.64.0.1/", "http://0.0.0.0/"} {
		if _, err := notify.PublicClient(time.Second).Get(u); !errors.Is(err, notify.ErrPrivateAddress) {
			t.Errorf("GET %s: err = %v", u, err)
		}
	}
}
