// Package clientip finds the address of the client that sent a request
// through the reverse proxies the operator trusts. Behind a load balancer
// every request comes from the balancer's address; per-IP limits (SMS codes
// per IP, console sign-in) would then lump all borrowers together and the
// risk engine would never see a borrower's address.
//
// Only X-Forwarded-For is read, and only when the peer is a trusted proxy:
// it is walked from the right (the entry the nearest proxy appended) past
// trusted proxies, and the first address that is not one is the client.
// Entries to its left were written by the client or proxies nobody vouches
// for, so a client cannot choose the address it is seen with.
package clientip

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies is the set of trusted reverse proxies; the zero value trusts
// none, so every request's peer is its client.
type Proxies struct {
	prefixes []netip.Prefix
}

// Parse reads a comma-separated list of addresses and CIDR prefixes
// ("10.0.0.0/8, 2001:db8::/32, 192.0.2.7"), naming the entry it refuses.
func Parse(list string) (Proxies, error) {
	var p Proxies
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		pre, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return Proxies{}, fmt.Errorf("%q is neither an IP address nor a CIDR prefix", f)
			}
			a = a.Unmap()
			pre = netip.PrefixFrom(a, a.BitLen())
		}
		if pre.Addr().Is4In6() {
			pre = netip.PrefixFrom(pre.Addr().Unmap(), max(pre.Bits()-96, 0))
		}
		p.prefixes = append(p.prefixes, pre.Masked())
	}
	return p, nil
}

// Trusts reports whether a is one of the trusted proxies.
func (p Proxies) Trusts(a netip.Addr) bool {
	a = canonical(a)
	for _, pre := range p.prefixes {
		if pre.Contains(a) {
			return true
		}
	}
	return false
}

// Client returns the client's address of a request that came from
// remoteAddr ("host:port", as net/http sets it) with the given
// X-Forwarded-For header values, as a canonical address. Without trusted
// proxies, or when the peer is not one, it is the peer. An entry that does not parse ends the walk
// at the proxy that passed it on: nothing left of it can be trusted.
func (p Proxies) Client(remoteAddr string, forwardedFor []string) string {
	hop, ok := parsePeer(remoteAddr)
	if !ok {
		return remoteAddr
	}
	if !p.Trusts(hop) {
		return hop.String()
	}
	for i := len(forwardedFor) - 1; i >= 0; i-- {
		entries := strings.Split(forwardedFor[i], ",")
		for j := len(entries) - 1; j >= 0; j-- {
			e := strings.TrimSpace(entries[j])
			if e == "" {
				continue
			}
			a, err := parseEntry(e)
			if err != nil {
				return hop.String()
			}
			if !p.Trusts(a) {
				return a.String()
			}
			hop = a
		}
	}
	return hop.String() // every hop a trusted proxy: the request began at one
}

// parsePeer reads a request's RemoteAddr ("host:port", or a bare host).
func parsePeer(remoteAddr string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(remoteAddr); err == nil {
		return canonical(ap.Addr()), true
	}
	host := remoteAddr
	if h, _, err := net.SplitHostPort(remoteAddr); err == nil {
		host = h
	}
	a, err := netip.ParseAddr(host)
	return canonical(a), err == nil
}

// canonical is the one form of an address, so one client is one key for
// per-IP limits however it was written: "::0" is "::", "::ffff:1.2.3.4" is
// "1.2.3.4", and an IPv6 zone (which names an interface, not a client) is
// dropped.
func canonical(a netip.Addr) netip.Addr { return a.Unmap().WithZone("") }

// parseEntry reads one X-Forwarded-For entry: an address, possibly with a
// port ("192.0.2.1:4711", "[2001:db8::1]:4711"), as some proxies write.
func parseEntry(e string) (netip.Addr, error) {
	if ap, err := netip.ParseAddrPort(e); err == nil {
		return canonical(ap.Addr()), nil
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(e, "["), "]"))
	if err != nil {
		return netip.Addr{}, err
	}
	return canonical(a), nil
}

// Handler serves next with each request's RemoteAddr set to its client's
// address (port 0 when it came through proxies), so every handler that
// reads RemoteAddr sees the client. Without trusted proxies it is next.
func (p Proxies) Handler(next http.Handler) http.Handler {
	if len(p.prefixes) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		client := p.Client(r.RemoteAddr, r.Header.Values("X-Forwarded-For"))
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err != nil || host != client {
			r = r.WithContext(r.Context()) // a shallow copy: only RemoteAddr changes
			r.RemoteAddr = net.JoinHostPort(client, "0")
		}
		next.ServeHTTP(w, r)
	})
}
