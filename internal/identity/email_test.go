package identity

import (
	"errors"
	"strings"
	"testing"
)

func TestValidEmail(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"a plain address", "ada@example.com", nil},
		{"plus addressing", "ada+loans@example.com", nil},
		{"dots in the local part", "ada.o.lovelace@example.com", nil},
		{"a subdomain and a country TLD", "ada@mail.example.com.ng", nil},
		{"an IDN domain in xn-- form", "ada@xn--fiqs8s.xn--fiqz9s", nil},
		{"a display name", "Ada <ada@example.com>", ErrEmailFormat},
		{"angle brackets alone", "<ada@example.com>", ErrEmailFormat},
		{"a comment", "ada@example.com (work)", ErrEmailFormat},
		{"a quoted local part", `"ada lovelace"@example.com`, ErrEmailFormat},
		{"a trailing space", "ada@example.com ", ErrEmailFormat},
		{"two @", "ada@@example.com", ErrEmailFormat},
		{"no @", "ada.example.com", ErrEmailFormat},
		{"consecutive dots", "ada..l@example.com", ErrEmailFormat},
		{"a leading dot", ".ada@example.com", ErrEmailFormat},
		{"a non-ASCII local part", "用户@example.com", ErrEmailFormat},
		{"a domain without a dot", "ada@localhost", ErrEmailDomain},
		{"a domain literal", "ada@[192.0.2.1]", ErrEmailDomain},
		{"a numeric top-level label", "ada@192.0.2.1", ErrEmailDomain},
		{"a label starting with a hyphen", "ada@-example.com", ErrEmailDomain},
		{"an underscore in the domain", "ada@ex_ample.com", ErrEmailDomain},
		{"a 64-character local part", strings.Repeat("a", 64) + "@example.com", nil},
		{"a 65-character local part", strings.Repeat("a", 65) + "@example.com", ErrEmailTooLong},
		{"a 254-character address", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 57) + ".com", nil},
		{"a 255-character address", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 58) + ".com", ErrEmailTooLong},
		{"empty", "", ErrEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := ValidEmail(tt.in); !errors.Is(err, tt.wantErr) {
				t.Errorf("ValidEmail(%q) = %v, want %v", tt.in, err, tt.wantErr)
			}
		})
	}
}

func FuzzValidEmail(f *testing.F) {
	for _, s := range []string{"ada@example.com", "Ada <ada@example.com>", `"a b"@x.co`, "a@[1.2.3.4]", "\xff@x.com", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidEmail(s) != nil {
			return
		}
		at := strings.LastIndexByte(s, '@')
		if len(s) > 254 || at < 1 || at > 64 || !strings.Contains(s[at:], ".") {
			t.Fatalf("ValidEmail accepted %q", s)
		}
	})
}

func TestDisposableEmailDomain(t *testing.T) {
	tests := []struct {
		name   string
		domain string
		want   bool
	}{
		{"mailinator is disposable", "mailinator.com", true},
		{"case does not matter", "Mailinator.COM", true},
		{"a subdomain of a listed domain matches", "x.y.mailinator.com", true},
		{"a trailing dot is ignored", "yopmail.com.", true},
		{"a full address is looked at after the @", "ada@guerrillamail.com", true},
		{"gmail is not disposable", "gmail.com", false},
		{"a look-alike suffix does not match", "notmailinator.co", false},
		{"a listed name as a label prefix does not match", "mailinator.com.example.org", false},
		{"the bare TLD does not match", "com", false},
		{"empty is not disposable", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DisposableEmailDomain(tt.domain); got != tt.want {
				t.Errorf("DisposableEmailDomain(%q) = %v, want %v", tt.domain, got, tt.want)
			}
		})
	}
}

func TestDisposableListIsCleanAndSorted(t *testing.T) {
	var prev string
	n := 0
	for _, line := range strings.Split(disposableList, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		if line != strings.ToLower(strings.TrimSpace(line)) || !isHostName(line) {
			t.Errorf("entry %q is not a lower-case host name", line)
		}
		if line <= prev {
			t.Errorf("entry %q is out of order or repeated after %q", line, prev)
		}
		prev = line
	}
	if n < 300 {
		t.Errorf("list has %d domains, want a few hundred", n)
	}
}
