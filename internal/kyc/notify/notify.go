// Package notify delivers the KYC merchant notifications that the kyc
// service queues in its outbox: each is POSTed, signed, to the merchant's
// notify_url until it answers 2xx, with exponential backoff, over a client
// that can only reach public addresses. It also holds the check a merchant
// runs on a notification's signature.
package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"creditpocket/internal/kyc"
	"creditpocket/internal/webhook"
)

// ErrBadSignature is returned by VerifySignature.
var ErrBadSignature = errors.New("kyc: webhook signature is missing, stale or does not match")

// VerifySignature checks a notification as a merchant should, with the
// secret as the API gave it ("whsec_…"): the id, timestamp and signature
// headers present, the timestamp within webhook.Tolerance (5 minutes) of
// now, and a signature of id.timestamp.body, compared in constant time.
func VerifySignature(secret string, h http.Header, body []byte, now time.Time) error {
	key, err := webhook.ParseSecret(secret)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	if _, err := webhook.Verify(h, body, now, key); err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return nil
}

// Outbox is the persisted queue of notifications.
type Outbox interface {
	// DueNotifications lists undelivered notifications due at now.
	DueNotifications(ctx context.Context, now time.Time, limit int) ([]kyc.Notification, error)
	// ClaimNotification moves a due notification's next attempt to until,
	// only if it is still due at the time seen; it reports whether this
	// caller won it, so several processes never send one at once.
	ClaimNotification(ctx context.Context, id int64, seen, until time.Time) (bool, error)
	// NotificationDelivered marks a notification acknowledged.
	NotificationDelivered(ctx context.Context, id int64, at time.Time) error
	// NotificationFailed records a failed attempt and when to try again;
	// dead stops further attempts.
	NotificationFailed(ctx context.Context, id int64, attempts int, next time.Time, lastErr string, dead bool) error
}

// Notifier delivers the outbox: POSTs each notification, signed, until
// the merchant answers 2xx, with exponential backoff between attempts.
type Notifier struct {
	Outbox Outbox
	Secret func(partnerID string) []byte
	Client *http.Client // nil: PublicClient(10 s), or a plain client when AllowPrivate
	// AllowPrivate lets webhooks reach loopback and private addresses
	// (development, tests). Off, a merchant's notify_url can never make the
	// server call into its own network.
	AllowPrivate bool
	Log          *slog.Logger
	Now          func() time.Time
	// BaseDelay is the wait after the first failure (30 s); each further
	// failure doubles it up to MaxDelay (1 h), with ±20% jitter so many
	// failed merchants do not retry in step.
	BaseDelay, MaxDelay time.Duration
	// GiveUpAfter stops retrying a notification this long after it was
	// written (72 h); it stays in the outbox, marked dead, for operators.
	GiveUpAfter time.Duration
}

// maxResponse bounds what is read of a merchant's answer.
const maxResponse = 4 << 10

func (n *Notifier) now() time.Time {
	if n.Now != nil {
		return n.Now().UTC()
	}
	return time.Now().UTC()
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Backoff is the wait after the given number of failed attempts (≥ 1),
// before jitter.
func (n *Notifier) Backoff(attempts int) time.Duration {
	base, maxd := orDefault(n.BaseDelay, 30*time.Second), orDefault(n.MaxDelay, time.Hour)
	d := base
	for i := 1; i < attempts && d < maxd; i++ {
		d *= 2
	}
	return min(d, maxd)
}

// DeliverDue sends every due notification once and returns how many were
// acknowledged.
func (n *Notifier) DeliverDue(ctx context.Context) (int, error) {
	now := n.now()
	due, err := n.Outbox.DueNotifications(ctx, now, 50)
	if err != nil {
		return 0, err
	}
	client := n.Client
	if client == nil && n.AllowPrivate {
		client = &http.Client{Timeout: 10 * time.Second, CheckRedirect: noRedirects}
	}
	if client == nil {
		client = PublicClient(10 * time.Second)
	}
	delivered := 0
	for _, nt := range due {
		// The claim outlasts a slow attempt, so no other worker sends it
		// meanwhile; a crash mid-attempt retries it after the claim.
		won, err := n.Outbox.ClaimNotification(ctx, nt.ID, nt.NextAttempt, now.Add(client.Timeout+time.Minute))
		if err != nil {
			return delivered, err
		}
		if !won {
			continue
		}
		sendErr := n.send(ctx, client, &nt)
		at := n.now()
		if sendErr == nil {
			if err := n.Outbox.NotificationDelivered(ctx, nt.ID, at); err != nil {
				return delivered, err
			}
			delivered++
			continue
		}
		attempts := nt.Attempts + 1
		wait := n.Backoff(attempts)
		wait += time.Duration((rand.Float64()*0.4 - 0.2) * float64(wait))
		dead := at.Sub(nt.CreatedAt) >= orDefault(n.GiveUpAfter, 72*time.Hour)
		msg := sendErr.Error()
		if len(msg) > 500 {
			msg = msg[:500]
		}
		if err := n.Outbox.NotificationFailed(ctx, nt.ID, attempts, at.Add(wait), msg, dead); err != nil {
			return delivered, err
		}
		n.log().Warn("KYC webhook failed", "event", nt.EventID, "attempt", attempts, "retry_in", wait.Round(time.Second).String(), "dead", dead, "err", msg)
	}
	return delivered, nil
}

func (n *Notifier) log() *slog.Logger {
	if n.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return n.Log
}

func (n *Notifier) send(ctx context.Context, client *http.Client, nt *kyc.Notification) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, nt.URL, bytes.NewReader(nt.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "creditpocket-kyc-webhook/1")
	webhook.SetHeaders(req.Header, nt.EventID, n.now(), nt.Body, n.Secret(nt.PartnerID))
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("merchant answered %s", resp.Status)
	}
	return nil
}

// Run delivers due notifications every interval until ctx ends.
func (n *Notifier) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := n.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			n.log().Warn("KYC webhook delivery", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ErrPrivateAddress refuses a webhook to a non-public address.
var ErrPrivateAddress = errors.New("kyc: webhook address is not a public internet address")

// PublicClient is an HTTP client for calling URLs that partners choose: it
// connects only to public unicast addresses — checked on the address
// actually dialled, after DNS, so a name that resolves (or re-resolves) to
// 127.0.0.1, 10.x, 169.254.x (cloud metadata) or ::1 is refused — and it
// follows no redirects.
func PublicClient(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, Control: func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip, err := netip.ParseAddr(host)
		if err != nil || !publicAddr(ip) {
			return fmt.Errorf("%w: %s", ErrPrivateAddress, host)
		}
		return nil
	}}
	tr := &http.Transport{DialContext: dialer.DialContext, Proxy: nil, TLSHandshakeTimeout: timeout,
		ResponseHeaderTimeout: timeout, MaxIdleConnsPerHost: 2}
	return &http.Client{Timeout: timeout, Transport: tr, CheckRedirect: noRedirects}
}

func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() &&
		!cgnat.Contains(ip) && !ip.IsMulticast() && !ip.IsUnspecified()
}

// cgnat is 100.64.0.0/10, shared address space that IsPrivate does not cover.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// noRedirects makes a redirect a failed delivery: a merchant's endpoint
// must answer itself, not send us elsewhere.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
