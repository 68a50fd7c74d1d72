package risk

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"creditpocket/internal/risk/event"
)

// ListKind is what a list entry identifies.
type ListKind string

// List kinds, in the order features are gathered.
const (
	KindPhone    ListKind = "phone"     // E.164 digits without +, e.g. 2348031234567
	KindIDNumber ListKind = "id_number" // upper-case letters and digits, e.g. a BVN or resident ID
	KindCard     ListKind = "card"      // bank card or account number, digits only
	KindDevice   ListKind = "device"    // terminal.black_box, verbatim
	KindIP       ListKind = "ip"        // canonical IPv4 or IPv6 text
	KindEmail    ListKind = "email"     // lower-cased address
)

// ListKinds lists every kind, for stores and consoles that iterate them.
var ListKinds = []ListKind{KindPhone, KindIDNumber, KindCard, KindDevice, KindIP, KindEmail}

// ListName is which list an entry is on.
type ListName string

// Lists. Black rejects, white auto-approves, grey sends to review — as the
// shipped policy uses them; a policy may use them differently.
const (
	Blacklist ListName = "black"
	Greylist  ListName = "grey"
	Whitelist ListName = "white"
)

// Severity orders lists for Lookup: when a value is on several lists the
// most severe entry wins, so a blacklisting is never hidden by a
// whitelisting.
func (l ListName) Severity() int {
	switch l {
	case Blacklist:
		return 3
	case Greylist:
		return 2
	case Whitelist:
		return 1
	}
	return 0
}

// ListEntry is one value on one list.
type ListEntry struct {
	ID        string    `json:"id,omitempty"` // set by stores that keep entries; removal is by ID
	Kind      ListKind  `json:"kind"`
	Value     string    `json:"value"` // normalised (see NormalizeListValue); a stored entry read back holds only its mask
	List      ListName  `json:"list"`
	Reason    string    `json:"reason"`
	ExpiresAt time.Time `json:"expires_at,omitzero"` // zero: never
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Active reports whether the entry still applies at t. An entry expires at
// the instant ExpiresAt: it does not match at or after it.
func (e ListEntry) Active(t time.Time) bool {
	return e.ExpiresAt.IsZero() || t.Before(e.ExpiresAt)
}

// Validate checks an entry before it is stored and normalises its value.
func (e *ListEntry) Validate() error {
	switch e.List {
	case Blacklist, Greylist, Whitelist:
	default:
		return fmt.Errorf("risk: list entry: list must be black, grey or white, got %q", e.List)
	}
	v, err := NormalizeListValue(e.Kind, e.Value)
	if err != nil {
		return err
	}
	e.Value = v
	if strings.TrimSpace(e.Reason) == "" {
		return fmt.Errorf("risk: list entry %s %s: reason is required", e.Kind, v)
	}
	return nil
}

// Lists answers whether a value is listed. The store implements it;
// MemLists is the in-memory reference. Lookup receives a normalised value
// and returns the most severe entry that is active at the time of the call
// (black before grey before white); found is false when there is none.
type Lists interface {
	Lookup(ctx context.Context, kind ListKind, value string) (entry ListEntry, found bool, err error)
}

// ListKey is one value of one kind to look up.
type ListKey struct {
	Kind  ListKind
	Value string // normalised
}

// BatchLists is a Lists that answers several look-ups in one call, which
// saves a database a round trip per kind; the engine uses it when its
// Lists implements it. LookupAll returns, for each key, what Lookup would
// (a zero entry, List "", when the value is not listed).
type BatchLists interface {
	Lists
	LookupAll(ctx context.Context, keys []ListKey) ([]ListEntry, error)
}

// NormalizeListValue brings a value into the form entries are stored and
// looked up in, so "+234 803-123 4567" and "2348031234567" match.
func NormalizeListValue(kind ListKind, raw string) (string, error) {
	s := strings.TrimSpace(raw)
	var v string
	switch kind {
	case KindPhone:
		s = strings.TrimPrefix(s, "+")
		if strings.HasPrefix(s, "00") {
			s = s[2:]
		}
		// E.164 digits start with a calling code, never with 0.
		if v = keepDigits(s, " -()."); len(v) < 4 || len(v) > 17 || v[0] == '0' {
			v = ""
		}
	case KindCard:
		v = keepDigits(s, " -")
	case KindIDNumber:
		v = strings.ToUpper(idSeparators.Replace(s))
		if !event.IsIDNumberText(v) {
			v = ""
		}
	case KindDevice:
		v = s
	case KindIP:
		if a, err := netip.ParseAddr(s); err == nil {
			v = a.Unmap().String()
		}
	case KindEmail:
		if at := strings.LastIndexByte(s, '@'); at > 0 && at < len(s)-1 {
			v = strings.ToLower(s)
		}
	default:
		return "", fmt.Errorf("risk: unknown list kind %q", kind)
	}
	if v == "" || len(v) > event.MaxBlackBox {
		return "", fmt.Errorf("risk: %q is not a valid %s list value", event.Excerpt(raw), kind)
	}
	return v, nil
}

var idSeparators = strings.NewReplacer(" ", "", "-", "")

// keepDigits returns the digits of s when s holds only digits and the given
// separators, and "" otherwise.
func keepDigits(s, separators string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(separators, r):
		default:
			return ""
		}
	}
	return b.String()
}

// cardDigits strips the grouping a user may type into a card number.
func cardDigits(s string) string { return keepDigits(s, " -") }
