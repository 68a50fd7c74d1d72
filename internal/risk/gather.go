package risk

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"creditpocket/internal/identity"
)

// Subject holds the normalised keys of an event: what lists, velocity and
// history are looked up by. Empty means absent.
type Subject struct {
	IDNumber string `json:"id_number,omitempty"`
	Phone    string `json:"phone,omitempty"` // E.164 digits
	Card     string `json:"card,omitempty"`
	Device   string `json:"device,omitempty"`
	IP       string `json:"ip,omitempty"`
	Email    string `json:"email,omitempty"`
}

// value returns the key of the given list kind.
func (s *Subject) value(k ListKind) string {
	switch k {
	case KindPhone:
		return s.Phone
	case KindIDNumber:
		return s.IDNumber
	case KindCard:
		return s.Card
	case KindDevice:
		return s.Device
	case KindIP:
		return s.IP
	case KindEmail:
		return s.Email
	}
	return ""
}

// eventFeatures computes everything that needs only the event: the
// Identity and Event groups, the contact structure and the subject keys.
// It returns the contacts' normalised phones for the contact index.
func eventFeatures(ev *Event, cr *CreditReport, f *Features, s *Subject) (contactPhones []string) {
	at := ev.at
	f.EventType = string(ev.EventType)
	f.Scenario = string(ev.Scenario)
	f.EventHour = at.Hour()
	f.AccountAgeDays = -1
	f.Age = -1

	p := ev.Profile
	if p == nil { // only Loan is scored today and it requires a profile
		p = &Profile{}
	}
	national, applicantContactKey := "", ""
	if p.Phone != nil {
		applicantContactKey = contactKey(p.Phone)
		var ok bool
		s.Phone, ok = phoneKey(p.Phone)
		f.PhoneInvalid = !ok
		national = strings.TrimLeft(p.Phone.PhoneNumber, "0")
	}
	if a := ev.Account; a != nil {
		if a.RegisterTime != "" {
			if reg, err := time.Parse(time.RFC3339Nano, a.RegisterTime); err == nil {
				f.AccountAgeDays = int(at.Sub(reg) / (24 * time.Hour))
			}
		}
		if a.Phone != "" && s.Phone != "" {
			d := strings.TrimPrefix(a.Phone, "+")
			f.AccountPhoneDiffers = d != s.Phone && strings.TrimLeft(d, "0") != national
		}
		if a.Email != "" && p.Email != "" {
			f.AccountEmailDiffers = !strings.EqualFold(a.Email, p.Email)
		}
	}
	identityFeatures(p, at, f, s)

	email := p.Email
	if email == "" && ev.Account != nil {
		email = ev.Account.Email
	}
	f.EmailMissing = email == ""
	if email != "" {
		s.Email, _ = NormalizeListValue(KindEmail, email)
		if at := strings.LastIndexByte(s.Email, '@'); at >= 0 {
			f.EmailDisposable = identity.DisposableEmailDomain(s.Email[at+1:])
		}
	}
	if t := ev.Terminal; t != nil {
		s.Device = strings.TrimSpace(t.BlackBox)
		s.IP, _ = NormalizeListValue(KindIP, t.IP)
	}
	f.DeviceMissing = s.Device == ""
	if c := ev.Card; c != nil && c.CardNumber != "" {
		s.Card = cardDigits(c.CardNumber)
		f.CardLuhnInvalid = len(s.Card) >= 12 && len(s.Card) <= 19 && !luhn(s.Card)
	}
	if x := ev.IdentityExt; x != nil {
		f.FaceImages = len(x.FaceImage)
	}
	if cr != nil {
		f.ReportAttached = true
		f.ReportOverdueAccounts = cr.OverdueAccounts
		f.ReportLongestOverdueMonths = cr.LongestOverdueMonths
		f.ReportBadDebts = cr.BadDebts
		f.ReportQueries1m = cr.QueriesLastMonth
	}
	return contactFeatures(ev.Contact, applicantContactKey, f)
}

func identityFeatures(p *Profile, at time.Time, f *Features, s *Subject) {
	eventDate := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
	var birth time.Time
	if p.Birthdate != "" {
		if b, err := identity.ParseDate(p.Birthdate); err == nil {
			birth = b
			f.Age = identity.Age(b, eventDate)
		}
	}
	if p.Nationality != "" && p.ID != nil {
		f.NationalityDiffers = p.Nationality != p.ID.IDCountry
	}
	id := p.ID
	if id == nil {
		return
	}
	f.IDCountry, f.IDType = id.IDCountry, id.IDType
	s.IDNumber, _ = NormalizeListValue(KindIDNumber, id.IDNumber)
	if id.ValidDate == "" {
		f.IDValidDateMissing = true
	} else if vd, err := identity.ParseDate(id.ValidDate); err == nil {
		f.IDExpired = vd.Before(eventDate)
	}
	switch {
	case id.IDCountry == "CN" && id.IDType == "identity_card":
		embedded, err := identity.ChinaResidentID(id.IDNumber)
		f.CNIDInvalid = err != nil
		f.CNIDBirthMismatch = err == nil && !birth.IsZero() && !sameDate(embedded, birth)
	case id.IDCountry == "NG" && (id.IDType == "identity_card" || id.IDType == "others"):
		f.BVNInvalid = identity.ValidBVN(id.IDNumber) != nil
	}
}

// contactFeatures fills the Contacts group except what the contact index
// answers, and returns the distinct normalised contact phones.
func contactFeatures(contacts []Contact, applicant string, f *Features) []string {
	f.ContactCount = len(contacts)
	if len(contacts) == 0 {
		return nil
	}
	phones := make([]string, 0, len(contacts))
	var relations uint32 // bit i: relationships[i] seen
	for i := range contacts {
		c := &contacts[i]
		if c.Relationship != "" {
			if familyRelation[c.Relationship] {
				f.ContactFamily++
			}
			for j, r := range relationships {
				if r == c.Relationship {
					relations |= 1 << j
				}
			}
		}
		if c.Phone == nil {
			continue
		}
		key := contactKey(c.Phone)
		if key == applicant {
			f.ContactIsApplicant = true
		}
		if slices.Contains(phones, key) {
			f.ContactDuplicates++
			continue
		}
		phones = append(phones, key)
	}
	for ; relations != 0; relations &= relations - 1 {
		f.ContactRelationships++
	}
	return phones
}

// contactKey keys a contact phone by calling code and national number
// without trunk zeros. It is deliberately not libphonenumber's E.164 form:
// contact phones are only compared with each other, never listed, and full
// validation of every contact would cost more than the whole policy.
func contactKey(p *Phone) string {
	return strconv.Itoa(p.CountryCode) + strings.TrimLeft(p.PhoneNumber, "0")
}

func sameDate(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

func luhn(digits string) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// gathering holds what the sources answered. Each source writes only its
// own fields, from its own goroutine, and the decision reads them only after
// the source reported done — so a source abandoned at the deadline can
// finish late without racing with anyone.
type gathering struct {
	lists    [len(listKindsOrder)]ListName // "" when not listed
	listsErr error

	velocity    VelocityCounts
	velocityErr error

	shared    []int
	sharedErr error

	history    LoanHistory
	historyErr error
}

// listKindsOrder is ListKinds as an array, so gathering has no slices.
var listKindsOrder = [...]ListKind{KindPhone, KindIDNumber, KindCard, KindDevice, KindIP, KindEmail}

type source int

const (
	srcLists source = iota
	srcVelocity
	srcContacts
	srcHistory
	numSources
)

var sourceNames = [numSources]string{"lists", "velocity", "contacts", "history"}

// gather asks every configured source concurrently and waits until all
// answered or ctx is done; a source that failed or did not answer in time
// is marked unavailable with the reason in errs.
func gather(ctx context.Context, src *Sources, ev *Event, s *Subject, contactPhones []string, f *Features) (errs []string) {
	g := new(gathering)
	done := make(chan source, numSources)
	pending := [numSources]bool{}
	start := func(which source, run func()) {
		pending[which] = true
		go func() {
			run()
			done <- which
		}()
	}
	if src.Lists != nil {
		start(srcLists, func() { g.lookupLists(ctx, src.Lists, s) })
	}
	if src.Velocity != nil && s.IDNumber != "" {
		o := Observation{At: ev.at, IDNumber: s.IDNumber, Phone: s.Phone, Device: s.Device, IP: s.IP, Card: s.Card}
		start(srcVelocity, func() { g.velocity, g.velocityErr = src.Velocity.Observe(ctx, o) })
	}
	if src.Contacts != nil && s.IDNumber != "" && len(contactPhones) > 0 {
		start(srcContacts, func() { g.shared, g.sharedErr = src.Contacts.Observe(ctx, s.IDNumber, contactPhones) })
	}
	if src.History != nil && s.IDNumber != "" {
		ref := BorrowerRef{IDNumber: s.IDNumber, Phone: s.Phone}
		if ev.Account != nil {
			ref.AccountID = ev.Account.AccountID
		}
		start(srcHistory, func() { g.history, g.historyErr = src.History.LoanHistory(ctx, ref) })
	}

	var failed [numSources]error
wait:
	for n := countTrue(pending[:]); n > 0; n-- {
		select {
		case which := <-done:
			pending[which] = false
			failed[which] = g.apply(which, f, len(contactPhones))
		case <-ctx.Done():
			for which, p := range pending {
				if p {
					failed[which] = fmt.Errorf("no answer before the deadline: %w", ctx.Err())
				}
			}
			break wait
		}
	}
	for which, err := range failed {
		if err != nil {
			errs = append(errs, sourceNames[which]+": "+err.Error())
			markUnavailable(source(which), f)
		}
	}
	return errs
}

func (g *gathering) lookupLists(ctx context.Context, lists Lists, s *Subject) {
	if batch, ok := lists.(BatchLists); ok {
		g.lookupBatch(ctx, batch, s)
		return
	}
	for i, kind := range listKindsOrder {
		v := s.value(kind)
		if v == "" {
			continue
		}
		e, found, err := lists.Lookup(ctx, kind, v)
		if err != nil {
			g.listsErr = fmt.Errorf("lookup %s: %w", kind, err)
			return
		}
		if found {
			g.lists[i] = e.List
		}
	}
}

func (g *gathering) lookupBatch(ctx context.Context, lists BatchLists, s *Subject) {
	var keys [len(listKindsOrder)]ListKey
	var index [len(listKindsOrder)]int // keys[j] is listKindsOrder[index[j]]
	n := 0
	for i, kind := range listKindsOrder {
		if v := s.value(kind); v != "" {
			keys[n], index[n] = ListKey{Kind: kind, Value: v}, i
			n++
		}
	}
	if n == 0 {
		return
	}
	entries, err := lists.LookupAll(ctx, keys[:n])
	switch {
	case err != nil:
		g.listsErr = fmt.Errorf("lookup: %w", err)
		return
	case len(entries) != n:
		g.listsErr = fmt.Errorf("lookup: %d answers for %d values", len(entries), n)
		return
	}
	for j, e := range entries {
		g.lists[index[j]] = e.List
	}
}

// apply copies one source's answer into the features, or returns its error.
func (g *gathering) apply(which source, f *Features, contacts int) error {
	switch which {
	case srcLists:
		if g.listsErr != nil {
			return g.listsErr
		}
		for i, kind := range listKindsOrder {
			setListed(f, kind, g.lists[i])
		}
	case srcVelocity:
		if g.velocityErr != nil {
			return g.velocityErr
		}
		setVelocity(f, &g.velocity)
	case srcContacts:
		if g.sharedErr != nil {
			return g.sharedErr
		}
		if len(g.shared) != contacts {
			return fmt.Errorf("contact index answered %d counts for %d phones", len(g.shared), contacts)
		}
		for _, n := range g.shared {
			if n > 0 {
				f.ContactShared++
			}
			f.ContactSharedMax = max(f.ContactSharedMax, n)
		}
	case srcHistory:
		if g.historyErr != nil {
			return g.historyErr
		}
		h := g.history
		f.HistoryLoans, f.HistorySettled, f.HistoryOpen = h.Loans, h.Settled, h.Open
		f.HistoryWorstDPD, f.HistoryCurrentDPD = h.WorstDaysOverdue, h.CurrentDaysOverdue
	}
	return nil
}

// markUnavailable resets a failed source's features to their defined
// defaults and flags it, so a partial answer never counts as a clean one.
func markUnavailable(which source, f *Features) {
	f.SourceUnavailable = true
	switch which {
	case srcLists:
		for _, kind := range listKindsOrder {
			setListed(f, kind, "")
		}
		f.ListsUnavailable = true
	case srcVelocity:
		setVelocity(f, &VelocityCounts{})
		f.VelocityUnavailable = true
	case srcContacts:
		f.ContactShared, f.ContactSharedMax = 0, 0
		f.ContactsUnavailable = true
	case srcHistory:
		f.HistoryLoans, f.HistorySettled, f.HistoryOpen, f.HistoryWorstDPD, f.HistoryCurrentDPD = 0, 0, 0, 0, 0
		f.HistoryUnavailable = true
	}
}

// setListed sets the three list features of one kind; list "" clears them.
func setListed(f *Features, kind ListKind, list ListName) {
	black, grey, white := list == Blacklist, list == Greylist, list == Whitelist
	switch kind {
	case KindPhone:
		f.PhoneBlacklisted, f.PhoneGreylisted, f.PhoneWhitelisted = black, grey, white
	case KindIDNumber:
		f.IDBlacklisted, f.IDGreylisted, f.IDWhitelisted = black, grey, white
	case KindCard:
		f.CardBlacklisted, f.CardGreylisted, f.CardWhitelisted = black, grey, white
	case KindDevice:
		f.DeviceBlacklisted, f.DeviceGreylisted, f.DeviceWhitelisted = black, grey, white
	case KindIP:
		f.IPBlacklisted, f.IPGreylisted, f.IPWhitelisted = black, grey, white
	case KindEmail:
		f.EmailBlacklisted, f.EmailGreylisted, f.EmailWhitelisted = black, grey, white
	}
}

func setVelocity(f *Features, c *VelocityCounts) {
	f.IDEvents1h, f.IDEvents24h, f.IDEvents7d, f.IDEvents30d = c.IDNumber[Hour], c.IDNumber[Day], c.IDNumber[Week], c.IDNumber[Month]
	f.PhoneEvents1h, f.PhoneEvents24h, f.PhoneEvents7d, f.PhoneEvents30d = c.Phone[Hour], c.Phone[Day], c.Phone[Week], c.Phone[Month]
	f.DeviceEvents1h, f.DeviceEvents24h, f.DeviceEvents7d, f.DeviceEvents30d = c.Device[Hour], c.Device[Day], c.Device[Week], c.Device[Month]
	f.IPEvents1h, f.IPEvents24h, f.IPEvents7d, f.IPEvents30d = c.IP[Hour], c.IP[Day], c.IP[Week], c.IP[Month]
	f.CardEvents1h, f.CardEvents24h, f.CardEvents7d, f.CardEvents30d = c.Card[Hour], c.Card[Day], c.Card[Week], c.Card[Month]
	f.IDDistinctPhones30d, f.DeviceDistinctIDs30d = c.PhonesPerID, c.IDsPerDevice
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
