package underwriting

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"creditpocket/internal/loan"
	"creditpocket/internal/risk"
)

// Event builds the risk Loan event of an application (scenario cashloan)
// from the borrower's file as the loan engine hands it on (in.Borrower).
// photoURLs are the application photos as the event's face images.
//
// What goes in, and what deliberately does not:
//   - terminal.ip only when it is a public address: loopback, private and
//     link-local addresses are the lender's own network (a proxy, a test)
//     and would make every borrower look like one device.
//   - terminal.black_box only with the borrower's recorded consent.
//   - The borrower's contacts are the emergency contacts they typed in;
//     nothing is read from the phone's address book.
func Event(in loan.DecisionInput, photoURLs []string, loc *time.Location) *risk.Event {
	if loc == nil {
		loc = time.UTC
	}
	ev := &risk.Event{
		EventTime: in.Now.In(loc).Format(time.RFC3339),
		EventType: risk.EventLoan,
		Scenario:  risk.ScenarioCashLoan,
		OrderID:   fmt.Sprintf("apply-%d-%d", in.Borrower.UserID, in.Now.UnixMilli()),
	}
	t := risk.Terminal{}
	if ip, err := netip.ParseAddr(in.Device.IP); err == nil && public(ip) {
		t.IP = ip.Unmap().String()
	}
	if in.Device.Consent {
		t.BlackBox = in.Device.Fingerprint
	}
	if t != (risk.Terminal{}) {
		ev.Terminal = &t
	}

	b := &in.Borrower
	f := &b.File
	country := firstOf(f.IDCountry, f.Nationality, phonenumbers.GetRegionCodeForCountryCode(f.CallingCode))
	ev.Account = &risk.Account{
		AccountID:    strconv.FormatInt(b.UserID, 10),
		RegisterTime: f.RegisteredAt.In(loc).Format(time.RFC3339),
		Phone:        "+" + b.Phone,
		Email:        b.Email,
	}
	prof := &risk.Profile{
		Name:  strings.Join(nonEmpty(b.First, b.Middle, b.Last), " "),
		Phone: &risk.Phone{CountryCode: f.CallingCode, PhoneNumber: b.Mobile},
		ID: &risk.ID{
			IDCountry: country, IDType: b.IDType, IDNumber: b.IDNumber, ValidDate: f.IDValidDate,
		},
		Email:         b.Email,
		Sex:           f.Gender,
		Birthdate:     f.BirthDate,
		MaritalStatus: f.MaritalStatus,
		Education:     f.Education,
		Nationality:   f.Nationality,
	}
	if f.State != "" && f.City != "" && country != "" {
		prof.Address = &risk.Address{Country: country, Region: f.State, City: f.City, Detail: f.Address}
	}
	prof.CompanyName, prof.CompanyAddress, prof.Profession = f.CompanyName, f.CompanyAddress, f.Profession
	if f.CompanyPhone != "" {
		prof.CompanyPhone = "+" + f.CompanyPhone
	}
	ev.Profile = prof

	for _, c := range f.Contacts {
		ph := splitE164(c.Phone)
		if ph == nil || len(ev.Contact) == risk.MaxContacts {
			continue
		}
		ev.Contact = append(ev.Contact, risk.Contact{Name: c.Name, Phone: ph, Relationship: c.Relationship})
	}
	if b.Card != (loan.Card{}) {
		ev.Card = &risk.Card{BankName: b.Card.BankName, CardNumber: f.AccountNumber}
	}
	if n := min(len(photoURLs), risk.MaxFaceImages); n > 0 {
		ev.IdentityExt = &risk.IdentityExt{FaceImageType: "url", FaceImage: photoURLs[:n]}
	}
	return ev
}

// public reports whether ip is an address on the public internet.
func public(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast()
}

// splitE164 splits stored E.164 digits into calling code and national
// number; nil when they do not parse as a phone number.
func splitE164(digits string) *risk.Phone {
	if digits == "" {
		return nil
	}
	n, err := phonenumbers.Parse("+"+digits, "")
	if err != nil {
		return nil
	}
	return &risk.Phone{CountryCode: int(n.GetCountryCode()), PhoneNumber: phonenumbers.GetNationalSignificantNumber(n)}
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func nonEmpty(ss ...string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
