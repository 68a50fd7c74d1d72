package clientip

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestParseRefusesWhatIsNotAnAddressOrPrefix(t *testing.T) {
	for _, tc := range []struct {
		list string
		bad  string // "" when the list is good
	}{
		{"", ""},
		{" 10.0.0.0/8 , 192.0.2.7,2001:db8::/32 ", ""},
		{"::ffff:10.0.0.0/104", ""},
		{"10.0.0.0/8, proxy.internal", "proxy.internal"},
		{"10.0.0.0/33", "10.0.0.0/33"},
		{"10.0.0.1/8/2", "10.0.0.1/8/2"},
	} {
		_, err := Parse(tc.list)
		switch {
		case tc.bad == "" && err != nil:
			t.Errorf("Parse(%q) = %v", tc.list, err)
		case tc.bad != "" && (err == nil || !strings.Contains(err.Error(), tc.bad)):
			t.Errorf("Parse(%q) = %v, want an error naming %q", tc.list, err, tc.bad)
		}
	}
}

func TestClientIsTheFirstAddressNoTrustedProxyVouchesFor(t *testing.T) {
	p, err := Parse("10.0.0.0/8, 2001:db8:1::/48, 198.51.100.7")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"a request without proxies is its peer", "203.0.113.9:5123", nil, "203.0.113.9"},
		{"an untrusted peer cannot claim another address", "203.0.113.9:5123", []string{"1.2.3.4"}, "203.0.113.9"},
		{"a trusted proxy names the client", "10.1.2.3:443", []string{"203.0.113.9"}, "203.0.113.9"},
		{"entries the client wrote are ignored", "10.1.2.3:443", []string{"1.2.3.4, 203.0.113.9"}, "203.0.113.9"},
		{"a chain of trusted proxies is walked", "10.1.2.3:443", []string{"203.0.113.9, 198.51.100.7, 10.9.9.9"}, "203.0.113.9"},
		{"several headers are one list in order", "10.1.2.3:443", []string{"1.2.3.4, 203.0.113.9", "10.9.9.9"}, "203.0.113.9"},
		{"IPv6 clients and proxies", "[2001:db8:1::5]:443", []string{"2001:db8:2::9"}, "2001:db8:2::9"},
		{"an entry with a port", "10.1.2.3:443", []string{"203.0.113.9:4711"}, "203.0.113.9"},
		{"a bracketed IPv6 entry with a port", "10.1.2.3:443", []string{"[2001:db8:2::9]:4711"}, "2001:db8:2::9"},
		{"an IPv4-mapped entry is the IPv4 address", "10.1.2.3:443", []string{"::ffff:203.0.113.9"}, "203.0.113.9"},
		{"an IPv4-mapped peer is trusted as its IPv4 address", "[::ffff:10.1.2.3]:443", []string{"203.0.113.9"}, "203.0.113.9"},
		{"garbage ends the walk at the proxy that passed it on", "10.1.2.3:443", []string{"203.0.113.9, not-an-ip, 10.9.9.9"}, "10.9.9.9"},
		{"empty entries are skipped", "10.1.2.3:443", []string{" , 203.0.113.9 ,"}, "203.0.113.9"},
		{"a request that began at a trusted proxy is that proxy", "10.1.2.3:443", []string{"10.9.9.9"}, "10.9.9.9"},
		{"no header from a trusted proxy is the proxy", "10.1.2.3:443", nil, "10.1.2.3"},
		{"a peer without a port", "10.1.2.3", []string{"203.0.113.9"}, "203.0.113.9"},
		{"an unparsable peer is left as it is", "pipe", []string{"203.0.113.9"}, "pipe"},
		{"an untrusted peer is named in canonical form", "[::0]:80", nil, "::"},
		{"an untrusted IPv4-mapped peer is its IPv4 address", "[::ffff:203.0.113.9]:80", nil, "203.0.113.9"},
		{"a peer's IPv6 zone is dropped", "[fe80::1%eth0]:80", nil, "fe80::1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.Client(tc.remote, tc.xff); got != tc.want {
				t.Errorf("Client(%q, %q) = %q, want %q", tc.remote, tc.xff, got, tc.want)
			}
		})
	}
	if got := (Proxies{}).Client("10.1.2.3:443", []string{"203.0.113.9"}); got != "10.1.2.3" {
		t.Errorf("with no trusted proxies the client is the peer, got %q", got)
	}
}

func TestHandlerShowsHandlersTheClient(t *testing.T) {
	var seen string
	record := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { seen = r.RemoteAddr })
	p, _ := Parse("10.0.0.0/8")
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.1.2.3:443"
	r.Header.Set("X-Forwarded-For", "203.0.113.9")
	p.Handler(record).ServeHTTP(httptest.NewRecorder(), r)
	if seen != "203.0.113.9:0" || r.RemoteAddr != "10.1.2.3:443" {
		t.Fatalf("handler saw %q (request left %q), want the client and the caller's request unchanged", seen, r.RemoteAddr)
	}
	r.RemoteAddr = "203.0.113.50:5000"
	p.Handler(record).ServeHTTP(httptest.NewRecorder(), r)
	if seen != "203.0.113.50:5000" {
		t.Fatalf("a request from an untrusted peer reached the handler as %q", seen)
	}
}

// FuzzClient checks that no header makes Client panic or name an address
// other than the peer or one of the header's entries, and that an
// untrusted peer is always its own client.
func FuzzClient(f *testing.F) {
	f.Add("10.1.2.3:443", "203.0.113.9, 10.9.9.9")
	f.Add("10.1.2.3:443", "[2001:db8::1]:80,,::ffff:1.2.3.4")
	f.Add("203.0.113.9:1", "1.2.3.4")
	f.Add("[::1]:1", "%zone, 1.2.3.4%eth0")
	f.Add("[::0]:0", "")     // found by the fuzzer: a peer not in canonical form
	f.Add("[::%]:0%]:0", "") // found by the fuzzer: a zone SplitHostPort refuses
	p, _ := Parse("10.0.0.0/8, ::1/128")
	f.Fuzz(func(t *testing.T, remote, xff string) {
		got := p.Client(remote, []string{xff})
		peer := remote
		if ap, err := netip.ParseAddrPort(remote); err == nil {
			peer = canonical(ap.Addr()).String()
			if !p.Trusts(ap.Addr()) && got != peer {
				t.Fatalf("untrusted peer %q was seen as %q", remote, got)
			}
		}
		if got != peer && !strings.Contains(remote+xff, strings.Trim(got, "[]")) {
			if a, err := netip.ParseAddr(got); err != nil || !a.IsValid() {
				t.Fatalf("Client(%q, %q) = %q: neither the peer nor an entry", remote, xff, got)
			}
		}
	})
}
