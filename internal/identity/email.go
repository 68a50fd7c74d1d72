package identity

import (
	_ "embed"
	"net/mail"
	"strings"
)

// ValidEmail checks that s is a plain addr-spec (name@example.com) as a
// person would type it into a form: net/mail must accept it and give back
// exactly s, so display names ("Ann <ann@example.com>"), angle brackets,
// comments and quoted local parts are refused. The domain must be a DNS
// host name with at least one dot (letters, digits and hyphens; IDNs in
// their xn-- form). The whole address is at most 254 characters and the
// local part at most 64 (RFC 5321).
//
// It checks syntax only; whether the mailbox exists is for a confirmation
// mail to find out.
func ValidEmail(s string) error {
	if s == "" {
		return ErrEmpty
	}
	if len(s) > 254 {
		return ErrEmailTooLong
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return ErrEmailFormat
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if len(local) > 64 {
		return ErrEmailTooLong
	}
	if !isASCIIPrintable(local) {
		return ErrEmailFormat
	}
	if !isHostName(domain) {
		return ErrEmailDomain
	}
	return nil
}

// isHostName reports whether s is a DNS host name of two or more labels,
// each 1–63 letters, digits or hyphens not starting or ending with a
// hyphen, and a top-level label that is not all digits (which would make
// it an IP address rather than a name).
func isHostName(s string) bool {
	if len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return !Digits(labels[len(labels)-1])
}

// isASCIIPrintable refuses the UTF-8 local parts net/mail lets through:
// most mail systems on the path to a Nigerian or Chinese borrower do not
// support SMTPUTF8, so such an address would silently never receive mail.
func isASCIIPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

//go:embed disposable_domains.txt
var disposableList string

var disposableDomains = func() map[string]struct{} {
	m := make(map[string]struct{}, 400)
	for _, line := range strings.Split(disposableList, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m[strings.ToLower(line)] = struct{}{}
	}
	return m
}()

// DisposableEmailDomain reports whether domain belongs to a throw-away
// mail service, from the curated list in disposable_domains.txt (taken from
// the public-domain disposable-email-domains project, CC0 1.0). Matching is
// case-insensitive, ignores a trailing dot, and covers subdomains, so
// "x.mailinator.com" matches "mailinator.com". A full address is accepted
// too: only the part after the last "@" is looked at.
func DisposableEmailDomain(domain string) bool {
	if at := strings.LastIndexByte(domain, '@'); at >= 0 {
		domain = domain[at+1:]
	}
	domain = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	for domain != "" {
		if _, ok := disposableDomains[domain]; ok {
			return true
		}
		dot := strings.IndexByte(domain, '.')
		if dot < 0 {
			return false
		}
		domain = domain[dot+1:]
	}
	return false
}
