package underwriting

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"creditpocket/internal/account"
	"creditpocket/internal/loan"
	"creditpocket/internal/risk"
)

// Event builds the risk Loan event of an application (scenario cashloan).
// photoURLs are the application photos as the event's face images.
//
// What goes in, and what deliberately does not:
//   - terminal.ip only when it is a public address: loopback, private and
//     link-local addresses are the lender's own network (a proxy, a test)
//     and would make every borrower look like one device.
//   - terminal.black_box only with the borrower's recorded consent.
//   - The borrower's contacts are the emergency contacts they typed in;
//     nothing is read from the phone's address book.
func Event(in loan.DecisionInput, d *account.Dossier, photoURLs []string, loc *time.Location) *risk.Event {
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

	u := d.User
	p := d.Profile
	if p == nil {
		p = &account.Profile{}
	}
	country := firstOf(p.IDCountry, p.Nationality, phonenumbers.GetRegionCodeForCountryCode(u.CallingCode))
	ev.Account = &risk.Account{
		AccountID:    strconv.FormatInt(u.ID, 10),
		RegisterTime: u.CreatedAt.In(loc).Format(time.RFC3339),
		Phone:        "+" + u.Phone,
		Email:        p.Email,
	}
	prof := &risk.Profile{
		Name:  strings.Join(nonEmpty(p.FirstName, p.MiddleName, p.LastName), " "),
		Phone: &risk.Phone{CountryCode: u.CallingCode, PhoneNumber: u.Mobile},
		ID: &risk.ID{
			IDCountry: country, IDType: p.IDType, IDNumber: in.Borrower.IDNumber, ValidDate: p.IDValidDate,
		},
		Email:         p.Email,
		Sex:           p.Gender,
		Birthdate:     p.BirthDate,
		MaritalStatus: p.MaritalStatus,
		Education:     p.Education,
		Nationality:   p.Nationality,
	}
	if p.State != "" && p.CityCode != "" && country != "" {
		prof.Address = &risk.Address{Country: country, Region: p.State, City: p.CityCode, Detail: p.Address}
	}
	if w := d.Work; w != nil {
		prof.CompanyName, prof.CompanyAddress, prof.Profession = w.CompanyName, w.CompanyAddress, w.Profession
		if w.CompanyPhone != "" {
			prof.CompanyPhone = "+" + w.CompanyPhone
		}
	}
	ev.Profile = prof

	for _, c := range d.Contacts {
		ph := splitE164(c.Phone)
		if ph == nil || len(ev.Contact) == risk.MaxContacts {
			continue
		}
		ev.Contact = append(ev.Contact, risk.Contact{Name: c.Name, Phone: ph, Relationship: c.Relationship})
	}
	if c := d.Default; c != nil {
		ev.Card = &risk.Card{BankName: c.BankName, CardNumber: d.AccountNumber}
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
