package loan

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// Decision is the outcome of a risk decision on an application.
type Decision int

const (
	Accept Decision = iota + 1 // approve automatically
	Review                     // refer to a person (manual review queue)
	Reject                     // refuse
)

func (d Decision) String() string {
	switch d {
	case Accept:
		return "accept"
	case Review:
		return "review"
	case Reject:
		return "reject"
	}
	return fmt.Sprintf("decision(%d)", int(d))
}

// Borrower is what the risk decision and the loan record need to know
// about an applicant, gathered once per application.
type Borrower struct {
	UserID   int64
	Phone    string // E.164 digits without '+'
	Mobile   string // national number, as the app shows it
	Email    string
	IDType   string
	IDNumber string // in the clear: only for list look-ups, never stored on the loan
	IDMask   string
	First    string
	Middle   string
	Last     string
	// Complete reports whether every profile step is done (basic, contacts,
	// work, default bank card).
	Complete bool
	Card     Card // the default bank card; zero when there is none
}

// Card is the bank account a loan pays out to, as it was at application.
type Card struct {
	ID            int64
	BankCode      string
	BankName      string
	AccountMask   string
	AccountName   string
	PANMask       string
	RecipientCode string // the payment provider's code for the account
}

// DecisionInput is what a Decider judges.
type DecisionInput struct {
	Borrower Borrower
	Product  Product
	History  History
	Terminal int // the app's applyTerminal
	Now      time.Time
	Device   Device
	Photos   []string // blob keys of the photos taken at application, already stored
}

// Verdict is a Decider's answer. Reason and Detail fill the app's
// auditRiskReson and auditRiskDetail.
type Verdict struct {
	Decision Decision
	Reason   string
	Detail   string
	Score    int
	// SequenceID names the risk engine's stored decision, when one made it.
	SequenceID string
}

// Decider makes the automatic risk decision on an application. The risk
// engine implements it; DefaultPolicy is the policy used until it does.
type Decider interface {
	Decide(ctx context.Context, in DecisionInput) (Verdict, error)
}

// ListKind is what a risk list entry identifies. The values, and the
// normalisation in NormalizeListValue, are shared with the risk engine.
type ListKind string

const (
	ListPhone    ListKind = "phone"
	ListIDNumber ListKind = "id_number"
	ListCard     ListKind = "card"
	ListDevice   ListKind = "device"
	ListIP       ListKind = "ip"
	ListEmail    ListKind = "email"
)

// ListName is which list an entry is on.
type ListName string

const (
	Blacklist ListName = "black"
	Greylist  ListName = "grey"
	Whitelist ListName = "white"
)

// NormalizeListValue brings a value into the form list entries are hashed
// in: phone and card digits only, ID numbers upper-case without spaces or
// hyphens, e-mails lower-case. It returns "" for a value that cannot be
// one of kind.
func NormalizeListValue(kind ListKind, raw string) string {
	s := strings.TrimSpace(raw)
	switch kind {
	case ListPhone:
		// "00" is the international call prefix: drop every leading pair
		// so that normalising twice changes nothing.
		d := digitsOnly(strings.TrimPrefix(s, "+"), " -().")
		for strings.HasPrefix(d, "00") {
			d = d[2:]
		}
		return d
	case ListCard:
		return digitsOnly(s, " -")
	case ListIDNumber:
		s = strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(s))
		for _, r := range s {
			if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') {
				return ""
			}
		}
		return s
	case ListEmail:
		a, err := mail.ParseAddress(s)
		if err != nil {
			return ""
		}
		return strings.ToLower(a.Address)
	case ListDevice, ListIP:
		return s
	}
	return ""
}

func digitsOnly(s, separators string) string {
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

// ListHit is a matching, active list entry.
type ListHit struct {
	Kind   ListKind
	List   ListName
	Reason string
}

// ListProbe is one normalised value to look up.
type ListProbe struct {
	Kind  ListKind
	Value string
}

// Lists answers whether values are on a list. For each probe that matches,
// implementations return its most severe active entry (black, then grey,
// then white); probes that match nothing are left out. One call looks up
// every identifier of an application at once.
type Lists interface {
	LookupLists(ctx context.Context, probes []ListProbe, now time.Time) ([]ListHit, error)
}

// The seed's wording of the default policy's answers.
const (
	ReasonWhitelist     = "Whitelist customers system automatic approve"
	ReasonBlacklistedID = "BVN in the internal Blacklist"
	ReasonBlacklisted   = "In the internal Blacklist"
	ReasonGreylisted    = "In the internal watch list: manual review"
	ReasonEligible      = "Eligibility checks passed: system automatic approve"
	DetailRejected      = "We sincerely apologize as you do not meet our lending criteria."
)

// DefaultPolicy is the loan engine's built-in policy, for a Service run
// without the risk engine (the binary wires internal/underwriting, which
// decides with the risk engine's versioned policies): any blacklisted
// identifier rejects, a whitelisted one approves, a greylisted one refers
// to manual review, and otherwise the eligibility rules decide.
// Blacklists are checked before whitelists so a blacklisting is never
// hidden.
type DefaultPolicy struct {
	Lists Lists
}

// Decide applies the policy.
func (p DefaultPolicy) Decide(ctx context.Context, in DecisionInput) (Verdict, error) {
	var probes []ListProbe
	for _, pr := range []ListProbe{
		{ListIDNumber, in.Borrower.IDNumber},
		{ListPhone, in.Borrower.Phone},
		{ListEmail, in.Borrower.Email},
	} {
		if v := NormalizeListValue(pr.Kind, pr.Value); v != "" {
			probes = append(probes, ListProbe{pr.Kind, v})
		}
	}
	hits, err := p.Lists.LookupLists(ctx, probes, in.Now)
	if err != nil {
		return Verdict{}, fmt.Errorf("loan: default policy: list look-up: %w", err)
	}
	var white, grey bool
	for _, hit := range hits {
		if hit.List == Blacklist {
			reason := ReasonBlacklisted
			if hit.Kind == ListIDNumber {
				reason = ReasonBlacklistedID
			}
			return Verdict{Decision: Reject, Reason: reason, Detail: DetailRejected, Score: 0}, nil
		}
	}
	for _, hit := range hits {
		switch hit.List {
		case Greylist:
			grey = true
		case Whitelist:
			white = true
		}
	}
	if rs := CheckEligibility(in.Product, in.History); len(rs) > 0 {
		return Verdict{Decision: Reject, Reason: rs[0].Message, Detail: DetailRejected}, nil
	}
	switch {
	case grey:
		return Verdict{Decision: Review, Reason: ReasonGreylisted, Score: 500}, nil
	case white:
		return Verdict{Decision: Accept, Reason: ReasonWhitelist, Score: 1000}, nil
	}
	return Verdict{Decision: Accept, Reason: ReasonEligible, Score: 700}, nil
}
