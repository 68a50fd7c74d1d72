package event

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"creditpocket/internal/identity"
)

// Limits on event values. They are far above any honest value and keep
// hostile input from costing memory or CPU downstream.
const (
	MaxContacts        = 50
	MaxFaceImages      = 8
	MaxImageBytes      = 2 << 20  // decoded face or ID image
	MaxVideoBytes      = 10 << 20 // decoded face video
	maxURLLen          = 2048
	maxShortText       = 64   // identifiers
	maxNameText        = 128  // names, cities, professions
	maxLongText        = 512  // free-text addresses
	MaxBlackBox        = 4096 // terminal.black_box, the longest text value
	maxFutureClockSkew = 10 * time.Minute
)

// earliestEventTime rejects events dated before the product existed, which
// are always a client bug (zero or epoch timestamps).
var earliestEventTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// validator collects the first broken rule; checking stops mattering after
// that, so helpers are no-ops once err is set.
type validator struct {
	now time.Time
	err *ValidationError
}

func (v *validator) fail(reason ReasonCode, field, rule string, args ...any) {
	if v.err == nil {
		v.err = invalid(reason, field, rule, args...)
	}
}

// Validate checks the event against the contract of its type as of now and
// records its parsed time. It returns the first broken rule as a
// *ValidationError.
func (e *Event) Validate(now time.Time) error {
	v := &validator{now: now}
	v.header(e)
	if v.err == nil {
		eventTypes[e.EventType](v, e)
	}
	if v.err != nil {
		return v.err
	}
	return nil
}

// header checks the fields shared by every event type and normalises
// event_type and scenario.
func (v *validator) header(e *Event) {
	if v.required("event_type", string(e.EventType)) {
		t, ok := canonicalEventType(string(e.EventType))
		switch {
		case !ok:
			v.fail(ReasonInvalidField, "event_type", "must be one of Loan, Register, Login, Disburse (any case), got %q", e.EventType)
		case eventTypes[t] == nil:
			v.fail(ReasonUnsupportedType, "event_type", "event type %s is not scored yet; only Loan is", t)
		default:
			e.EventType = t
		}
	}
	if e.Scenario == "" {
		e.Scenario = ScenarioDefault
	}
	v.enum("scenario", string(e.Scenario), scenarios)
	if v.required("event_time", e.EventTime) {
		at, ok := v.timestamp("event_time", e.EventTime)
		switch {
		case !ok:
		case at.Before(earliestEventTime):
			v.fail(ReasonInvalidField, "event_time", "must not be before 2000-01-01")
		case at.After(v.now.Add(maxFutureClockSkew)):
			v.fail(ReasonInvalidField, "event_time", "must not be in the future")
		default:
			e.at = at
		}
	}
	v.text("order_id", e.OrderID, maxShortText)
	if t := e.Terminal; t != nil {
		if t.IP != "" {
			if _, err := netip.ParseAddr(t.IP); err != nil {
				v.fail(ReasonInvalidField, "terminal.ip", "must be an IPv4 or IPv6 address")
			}
		}
		v.text("terminal.black_box", t.BlackBox, MaxBlackBox)
	}
	if a := e.Account; a != nil {
		v.text("account.account_id", a.AccountID, maxShortText)
		if a.RegisterTime != "" {
			if reg, ok := v.timestamp("account.register_time", a.RegisterTime); ok && !e.at.IsZero() && reg.After(e.at) {
				v.fail(ReasonInvalidField, "account.register_time", "must not be after event_time")
			}
		}
		if a.Phone != "" && !isPhoneText(a.Phone) {
			v.fail(ReasonInvalidField, "account.phone", "must be 4 to 17 digits, optionally after a +")
		}
		v.email("account.email", a.Email)
	}
}

// validateLoan checks the Loan event contract.
func validateLoan(v *validator, e *Event) {
	v.required("order_id", e.OrderID)
	if e.Profile == nil {
		v.fail(ReasonMissingField, "profile", "is required for a Loan event")
		return
	}
	v.profile(e.Profile, e.at)
	if len(e.Contact) > MaxContacts {
		v.fail(ReasonInvalidField, "contact", "must have at most %d entries", MaxContacts)
	}
	for i := range e.Contact {
		v.contact(fmt.Sprintf("contact[%d]", i), &e.Contact[i])
	}
	if c := e.Card; c != nil {
		v.text("card.bank_name", c.BankName, maxNameText)
		if c.CardNumber != "" {
			if n := len(c.CardNumber) - strings.Count(c.CardNumber, " ") - strings.Count(c.CardNumber, "-"); n < 6 || n > 32 || !onlyCardChars(c.CardNumber) {
				v.fail(ReasonInvalidField, "card.card_number", "must be 6 to 32 digits, optionally grouped by spaces or hyphens")
			}
		}
	}
	if x := e.IdentityExt; x != nil {
		v.identityExt(x)
	}
}

func (v *validator) profile(p *Profile, at time.Time) {
	v.text("profile.name", p.Name, maxNameText)
	if p.Phone == nil {
		v.fail(ReasonMissingField, "profile.phone", "is required for a Loan event")
	} else {
		v.phone("profile.phone", p.Phone)
	}
	if p.ID == nil {
		v.fail(ReasonMissingField, "profile.id", "is required for a Loan event")
	} else {
		v.id(p.ID)
	}
	v.email("profile.email", p.Email)
	v.enum("profile.sex", p.Sex, sexes)
	if p.Birthdate != "" {
		if b, ok := v.date("profile.birthdate", p.Birthdate); ok {
			switch {
			case b.Year() < 1900:
				v.fail(ReasonInvalidField, "profile.birthdate", "must not be before 1900-01-01")
			case !at.IsZero() && b.After(at):
				v.fail(ReasonInvalidField, "profile.birthdate", "must not be after event_time")
			}
		}
	}
	v.address("profile.birthplace", p.Birthplace)
	v.address("profile.address", p.Address)
	v.enum("profile.marital_status", p.MaritalStatus, maritalStatus)
	v.enum("profile.education", p.Education, educations)
	v.text("profile.company_name", p.CompanyName, maxLongText)
	if p.CompanyPhone != "" && !isLoosePhoneText(p.CompanyPhone) {
		v.fail(ReasonInvalidField, "profile.company_phone", "must be a phone number of at most 32 digits, spaces, hyphens, parentheses or a leading +")
	}
	v.text("profile.company_address", p.CompanyAddress, maxLongText)
	v.text("profile.profession", p.Profession, maxNameText)
	v.country("profile.nationality", p.Nationality)
}

func (v *validator) id(id *ID) {
	if v.required("profile.id.id_country", id.IDCountry) {
		v.country("profile.id.id_country", id.IDCountry)
	}
	if v.required("profile.id.id_type", id.IDType) {
		v.enum("profile.id.id_type", id.IDType, idTypes)
	}
	if v.required("profile.id.id_number", id.IDNumber) {
		if !IsIDNumberText(id.IDNumber) {
			v.fail(ReasonInvalidField, "profile.id.id_number", "must be 1 to %d letters, digits, spaces or hyphens", maxShortText)
		}
	}
	if id.ValidDate != "" {
		v.date("profile.id.valid_date", id.ValidDate)
	}
}

func (v *validator) contact(path string, c *Contact) {
	v.text(path+".name", c.Name, maxNameText)
	if c.Phone == nil {
		v.fail(ReasonMissingField, path+".phone", "is required")
	} else {
		v.phone(path+".phone", c.Phone)
	}
	v.enum(path+".relationship", c.Relationship, relationships)
}

func (v *validator) phone(path string, p *Phone) {
	if p.CountryCode == 0 {
		v.fail(ReasonMissingField, path+".country_code", "is required")
	} else if !identity.IsCallingCode(p.CountryCode) {
		v.fail(ReasonInvalidField, path+".country_code", "must be an E.164 country calling code without + or leading 0, such as 86; %d is not assigned", p.CountryCode)
	}
	if v.required(path+".phone_number", p.PhoneNumber) {
		if n := len(p.PhoneNumber); n < 4 || n > 17 || strings.Trim(p.PhoneNumber, "0123456789") != "" {
			v.fail(ReasonInvalidField, path+".phone_number", "must be 4 to 17 digits, without + or the country calling code")
		}
	}
}

func (v *validator) address(path string, a *Address) {
	if a == nil {
		return
	}
	if v.required(path+".country", a.Country) {
		v.country(path+".country", a.Country)
	}
	if v.required(path+".region", a.Region) {
		v.text(path+".region", a.Region, maxNameText)
	}
	if v.required(path+".city", a.City) {
		v.text(path+".city", a.City, maxNameText)
	}
	v.text(path+".district", a.District, maxNameText)
	v.text(path+".detail", a.Detail, maxLongText)
	if a.ZipCode != "" && (len(a.ZipCode) > 16 || !IsIDNumberText(a.ZipCode)) {
		v.fail(ReasonInvalidField, path+".zip_code", "must be at most 16 letters, digits, spaces or hyphens")
	}
}

func (v *validator) identityExt(x *IdentityExt) {
	const p = "identity_ext."
	v.enum(p+"face_image_type", x.FaceImageType, mediaTypes)
	switch {
	case x.FaceImageType == "" && len(x.FaceImage) > 0:
		v.fail(ReasonMissingField, p+"face_image_type", "is required when face_image is given")
	case x.FaceImageType != "" && (len(x.FaceImage) < 1 || len(x.FaceImage) > MaxFaceImages):
		v.fail(ReasonInvalidField, p+"face_image", "must hold 1 to %d photos, got %d", MaxFaceImages, len(x.FaceImage))
	}
	for i, img := range x.FaceImage {
		v.image(fmt.Sprintf("%sface_image[%d]", p, i), x.FaceImageType, img)
	}
	v.media(p+"face_video", x.FaceVideoType, x.FaceVideo, v.video)
	v.media(p+"id_image", x.IDImageType, x.IDImage, v.image)
}

// media checks a single-valued media field and its *_type companion.
func (v *validator) media(path, typ, value string, check func(path, typ, value string)) {
	v.enum(path+"_type", typ, mediaTypes)
	switch {
	case typ == "" && value != "":
		v.fail(ReasonMissingField, path+"_type", "is required when %s is given", path[strings.LastIndexByte(path, '.')+1:])
	case typ != "" && value == "":
		v.fail(ReasonMissingField, path, "is required when %s_type is given", path[strings.LastIndexByte(path, '.')+1:])
	case value != "":
		check(path, typ, value)
	}
}

func (v *validator) image(path, typ, value string) {
	switch typ {
	case "url":
		v.url(path, value)
	case "base64":
		maxEncoded := base64.StdEncoding.EncodedLen(MaxImageBytes) + len("data:image/jpeg;base64,")
		if _, _, err := identity.DecodeBase64File(value, maxEncoded, identity.JPEG, identity.PNG); err != nil {
			reason := ReasonInvalidField
			if len(value) > maxEncoded {
				reason = ReasonTooLarge
			}
			v.fail(reason, path, "must be a base64 JPEG or PNG image of at most 2 MB: %v", err)
		}
	}
}

func (v *validator) video(path, typ, value string) {
	switch typ {
	case "url":
		v.url(path, value)
	case "base64":
		if len(value) > base64.StdEncoding.EncodedLen(MaxVideoBytes) {
			v.fail(ReasonTooLarge, path, "must be a base64 video of at most %d MB", MaxVideoBytes>>20)
			return
		}
		if _, err := base64.StdEncoding.DecodeString(value); err != nil {
			v.fail(ReasonInvalidField, path, "must be standard base64")
		}
	}
}

func (v *validator) url(path, s string) {
	u, err := url.Parse(s)
	if len(s) > maxURLLen || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.fail(ReasonInvalidField, path, "must be an http or https URL of at most %d characters", maxURLLen)
	}
}

// required reports whether s is present, failing when it is not.
func (v *validator) required(field, s string) bool {
	if strings.TrimSpace(s) == "" {
		v.fail(ReasonMissingField, field, "is required")
		return false
	}
	return true
}

// text checks an optional free-text value: valid UTF-8, no control
// characters, at most max characters.
func (v *validator) text(field, s string, max int) {
	if s == "" {
		return
	}
	if !utf8.ValidString(s) || strings.ContainsFunc(s, isControl) {
		v.fail(ReasonInvalidField, field, "must be UTF-8 text without control characters")
	} else if utf8.RuneCountInString(s) > max {
		v.fail(ReasonInvalidField, field, "must be at most %d characters", max)
	}
}

func (v *validator) enum(field, s string, allowed []string) {
	if s != "" && !slices.Contains(allowed, s) {
		v.fail(ReasonInvalidField, field, "must be one of %s, got %q", strings.Join(allowed, ", "), Excerpt(s))
	}
}

func (v *validator) country(field, s string) {
	if s != "" && !identity.IsCountry(s) {
		v.fail(ReasonInvalidField, field, "must be an ISO 3166 alpha-2 country code such as CN, got %q", Excerpt(s))
	}
}

func (v *validator) email(field, s string) {
	if s == "" {
		return
	}
	if err := identity.ValidEmail(s); err != nil {
		v.fail(ReasonInvalidField, field, "%v", err)
	}
}

func (v *validator) date(field, s string) (time.Time, bool) {
	d, err := identity.ParseDate(s)
	if err != nil {
		v.fail(ReasonInvalidField, field, "must be a date in YYYY-MM-DD form, such as 1998-01-01")
		return time.Time{}, false
	}
	return d, true
}

// timestamp parses an ISO-8601 date-time that carries a UTC offset; a local
// time without offset is ambiguous and refused.
func (v *validator) timestamp(field, s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		v.fail(ReasonInvalidField, field, "must be an ISO-8601 date-time with offset, such as 2026-11-23T08:30:00+01:00")
		return time.Time{}, false
	}
	return t, true
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func isPhoneText(s string) bool {
	d := strings.TrimPrefix(s, "+")
	return len(d) >= 4 && len(d) <= 17 && strings.Trim(d, "0123456789") == ""
}

func isLoosePhoneText(s string) bool {
	return len(s) <= 32 && strings.Trim(s, "0123456789 -()+") == "" && strings.LastIndexByte(s, '+') <= 0
}

// IsIDNumberText reports whether s is at most 64 letters, digits, spaces
// or hyphens, the characters an id_number may hold.
func IsIDNumberText(s string) bool {
	if len(s) > maxShortText {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == ' ' || r == '-') {
			return false
		}
	}
	return true
}

func onlyCardChars(s string) bool { return strings.Trim(s, "0123456789 -") == "" }

// Excerpt is s cut to its first 32 bytes (whole characters) and "…", so
// a hostile value quoted in an error message cannot bloat it.
func Excerpt(s string) string {
	if len(s) <= 32 {
		return s
	}
	cut := 32
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
