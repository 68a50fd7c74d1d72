package risk

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"creditpocket/internal/identity"
	"creditpocket/internal/risk/event"
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
	at := ev.Time()
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
		applicantContactKey = p.Phone.ContactKey()
		var ok bool
		s.Phone, ok = p.Phone.Key()
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
	var relations uint32 // bit i: the relationship of event.RelationshipIndex i seen
	for i := range contacts {
		c := &contacts[i]
		if c.Relationship != "" {
			if event.FamilyRelationship(c.Relationship) {
				f.ContactFamily++
			}
			if j := event.RelationshipIndex(c.Relationship); j >= 0 {
				relations |= 1 << j
			}
		}
		if c.Phone == nil {
			continue
		}
		key := c.Phone.ContactKey()
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

// listKindsOrder is the order the engine asks list kinds in.
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

// lookup is what the sources are asked about an event. It lives in the
// gathering so that one allocation holds the question and the answers. A
// history the caller knows is not asked for.
func (g *gathering) lookup(src *Sources, ev *Event, s *Subject, contactPhones []string, known *LoanHistory) {
	q := &g.q
	if src.Lists != nil || src.Gatherer != nil {
		n := 0
		for _, kind := range listKindsOrder {
			if v := s.value(kind); v != "" {
				g.keys[n] = ListKey{Kind: kind, Value: v}
				n++
			}
		}
		q.Lists = g.keys[:n]
	}
	if s.IDNumber == "" {
		return // velocity, contacts and history are keyed by the ID number
	}
	g.obs = Observation{At: ev.Time(), IDNumber: s.IDNumber, Phone: s.Phone, Device: s.Device, IP: s.IP, Card: s.Card}
	g.ref = BorrowerRef{IDNumber: s.IDNumber, Phone: s.Phone}
	if ev.Account != nil {
		g.ref.AccountID = ev.Account.AccountID
	}
	if src.Velocity != nil || src.Gatherer != nil {
		q.Velocity = &g.obs
	}
	if (src.Contacts != nil || src.Gatherer != nil) && len(contactPhones) > 0 {
		q.Applicant, q.ContactPhones = s.IDNumber, contactPhones
	}
	if (src.History != nil || src.Gatherer != nil) && known == nil {
		q.History = &g.ref
	}
}

// gathering is one decision's question to its sources and their answers.
// Each source writes only its own fields of a, from its own goroutine, and
// the decision reads them only after the source reported done — so a
// source abandoned at the deadline can finish late without racing with
// anyone.
type gathering struct {
	q     Lookup
	a     Gathered
	keys  [len(listKindsOrder)]ListKey
	lists [len(listKindsOrder)]ListName
	obs   Observation
	ref   BorrowerRef
}

// asked reports which sources the lookup asks.
func (q *Lookup) asked() (asked [numSources]bool) {
	asked[srcLists] = len(q.Lists) > 0
	asked[srcVelocity] = q.Velocity != nil
	asked[srcContacts] = len(q.ContactPhones) > 0
	asked[srcHistory] = q.History != nil
	return asked
}

// gather asks the sources within ctx and fills the features they answer;
// a source that failed or did not answer in time is marked unavailable
// with the reason in errs. A Gatherer is asked everything in one call;
// otherwise each source is asked concurrently. A known history (the
// caller's) fills the history features instead of the History source.
func gather(ctx context.Context, src *Sources, ev *Event, s *Subject, contactPhones []string, known *LoanHistory, f *Features) (errs []string) {
	if known != nil {
		setHistory(f, known)
	}
	g := new(gathering)
	g.lookup(src, ev, s, contactPhones, known)
	asked := g.q.asked()
	var failed [numSources]error
	if src.Gatherer != nil {
		failed = g.gatherAll(ctx, src.Gatherer, asked, f)
	} else {
		failed = g.gatherEach(ctx, src, asked, f)
	}
	for which, err := range failed {
		if err != nil {
			errs = append(errs, sourceNames[which]+": "+err.Error())
			markUnavailable(source(which), f)
		}
	}
	return errs
}

// SourcePanic is a panic inside a source's goroutine, raised again in the
// goroutine that asked (the request's, where the HTTP edge answers it as
// a logged internal error) instead of ending the process. It carries the
// source goroutine's stack. A source that panics after the decision's
// deadline has gone unanswered is dropped.
type SourcePanic struct {
	Value any
	stack []byte
}

func (p *SourcePanic) Error() string {
	return fmt.Sprintf("risk: a source panicked: %v\n%s", p.Value, p.stack)
}

// Stack is the stack of the source's goroutine when it panicked.
func (p *SourcePanic) Stack() []byte { return p.stack }

// catchSourcePanic, deferred in a source's goroutine, records its panic.
func catchSourcePanic(bug **SourcePanic) {
	if p := recover(); p != nil {
		*bug = &SourcePanic{Value: p, stack: debug.Stack()}
	}
}

func deadlineErr(ctx context.Context) error {
	return fmt.Errorf("no answer before the deadline: %w", ctx.Err())
}

// gatherAll asks a Gatherer everything in one call.
func (g *gathering) gatherAll(ctx context.Context, all Gatherer, asked [numSources]bool, f *Features) (failed [numSources]error) {
	if asked == [numSources]bool{} {
		return failed
	}
	done := make(chan struct{})
	var bug *SourcePanic
	go func() {
		defer close(done)
		defer catchSourcePanic(&bug)
		all.Gather(ctx, &g.q, &g.a)
	}()
	select {
	case <-done:
		if bug != nil {
			panic(bug)
		}
		for which, ok := range asked {
			if ok {
				failed[which] = g.apply(source(which), f)
			}
		}
	case <-ctx.Done():
		for which, ok := range asked {
			if ok {
				failed[which] = deadlineErr(ctx)
			}
		}
	}
	return failed
}

// gatherEach asks every source concurrently and waits until all answered
// or ctx is done.
func (g *gathering) gatherEach(ctx context.Context, src *Sources, pending [numSources]bool, f *Features) (failed [numSources]error) {
	q, a := &g.q, &g.a
	done := make(chan source, numSources)
	var bugs [numSources]*SourcePanic // each written before its done, read after
	start := func(which source, run func()) {
		go func() {
			defer func() { done <- which }()
			defer catchSourcePanic(&bugs[which])
			run()
		}()
	}
	if pending[srcLists] {
		start(srcLists, func() { a.Lists, a.ListsErr = lookupLists(ctx, src.Lists, q.Lists, g.lists[:0]) })
	}
	if pending[srcVelocity] {
		start(srcVelocity, func() { a.Velocity, a.VelocityErr = src.Velocity.Observe(ctx, *q.Velocity) })
	}
	if pending[srcContacts] {
		start(srcContacts, func() { a.ContactOthers, a.ContactsErr = src.Contacts.Observe(ctx, q.Applicant, q.ContactPhones) })
	}
	if pending[srcHistory] {
		start(srcHistory, func() { a.History, a.HistoryErr = src.History.LoanHistory(ctx, *q.History) })
	}
	for n := countTrue(pending[:]); n > 0; n-- {
		select {
		case which := <-done:
			if bugs[which] != nil {
				panic(bugs[which])
			}
			pending[which] = false
			failed[which] = g.apply(which, f)
		case <-ctx.Done():
			for which, p := range pending {
				if p {
					failed[which] = deadlineErr(ctx)
				}
			}
			return failed
		}
	}
	return failed
}

// lookupLists asks a Lists about every key, in one call when it can, and
// appends the list each key is on to names.
func lookupLists(ctx context.Context, lists Lists, keys []ListKey, names []ListName) ([]ListName, error) {
	if batch, ok := lists.(BatchLists); ok {
		entries, err := batch.LookupAll(ctx, keys)
		if err != nil {
			return nil, fmt.Errorf("lookup: %w", err)
		}
		for _, e := range entries {
			names = append(names, e.List)
		}
		return names, nil
	}
	for _, k := range keys {
		e, found, err := lists.Lookup(ctx, k.Kind, k.Value)
		if err != nil {
			return nil, fmt.Errorf("lookup %s: %w", k.Kind, err)
		}
		if !found {
			e.List = ""
		}
		names = append(names, e.List)
	}
	return names, nil
}

// apply copies one source's answer into the features, or returns its error.
func (g *gathering) apply(which source, f *Features) error {
	q, a := &g.q, &g.a
	switch which {
	case srcLists:
		switch {
		case a.ListsErr != nil:
			return a.ListsErr
		case len(a.Lists) != len(q.Lists):
			return fmt.Errorf("lookup: %d answers for %d values", len(a.Lists), len(q.Lists))
		}
		for i, k := range q.Lists {
			setListed(f, k.Kind, a.Lists[i])
		}
	case srcVelocity:
		if a.VelocityErr != nil {
			return a.VelocityErr
		}
		setVelocity(f, &a.Velocity)
	case srcContacts:
		switch {
		case a.ContactsErr != nil:
			return a.ContactsErr
		case len(a.ContactOthers) != len(q.ContactPhones):
			return fmt.Errorf("contact index answered %d counts for %d phones", len(a.ContactOthers), len(q.ContactPhones))
		}
		for _, n := range a.ContactOthers {
			if n > 0 {
				f.ContactShared++
			}
			f.ContactSharedMax = max(f.ContactSharedMax, n)
		}
	case srcHistory:
		if a.HistoryErr != nil {
			return a.HistoryErr
		}
		setHistory(f, &a.History)
	}
	return nil
}

func setHistory(f *Features, h *LoanHistory) {
	f.HistoryLoans, f.HistorySettled, f.HistoryOpen = h.Loans, h.Settled, h.Open
	f.HistoryWorstDPD, f.HistoryCurrentDPD = h.WorstDaysOverdue, h.CurrentDaysOverdue
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
