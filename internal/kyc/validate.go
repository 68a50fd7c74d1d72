package kyc

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"creditpocket/internal/identity"
)

// Document types of doc_type.
const (
	DocPassport = 1
	DocIdentity = 2
)

// Config is the configurable part of the rules.
type Config struct {
	// DocTypes lists the doc_type values accepted; the contract says
	// "currently we only support Passport", so the default is [1].
	DocTypes []int
	// MinAge is the youngest applicant, in completed years (18).
	MinAge int
	// MaxAge refuses birthdays no living applicant has (120).
	MaxAge int
	// DefaultAddressPattern is the address rule for card types without
	// their own.
	DefaultAddressPattern string
	// CardTypes holds per card_type_id rules.
	CardTypes map[string]CardType
	// ScreenThreshold is the Jaro-Winkler similarity from which a
	// watch-list name sends a KYC to manual review.
	ScreenThreshold float64
}

// CardType is what a card type restricts.
type CardType struct {
	// Countries limits country_id (the card list's kyc_country_limit_short);
	// empty means any ISO 3166 country.
	Countries []string `json:"countries,omitempty"`
	// AddressPattern replaces the default address rule when not empty.
	AddressPattern string `json:"address_pattern,omitempty"`
}

// The address rules. The contract names them ("323_address_regex") but
// does not print them; these are our reading: by default letters of any
// script, digits and the punctuation of postal addresses; for the card
// types 71000003 and 71000002, whose cards are embossed and shipped
// abroad, Latin letters only.
const (
	DefaultAddressPattern = `^[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N} ,.'#/()&:;\-]*$`
	LatinAddressPattern   = `^[A-Za-z0-9][A-Za-z0-9 ,.'#/()&:;\-]*$`
)

// DefaultConfig returns the contract's rules.
func DefaultConfig() Config {
	return Config{
		DocTypes:              []int{DocPassport},
		MinAge:                18,
		MaxAge:                120,
		DefaultAddressPattern: DefaultAddressPattern,
		CardTypes: map[string]CardType{
			"71000003": {AddressPattern: LatinAddressPattern},
			"71000002": {AddressPattern: LatinAddressPattern},
		},
		ScreenThreshold: 0.92,
	}
}

// Rules are a Config made ready to validate with: patterns compiled and
// checked once.
type Rules struct {
	cfg       Config
	defAddr   *regexp.Regexp
	cardAddr  map[string]*regexp.Regexp
	countries map[string][]string
}

// NewRules checks cfg and compiles its patterns.
func NewRules(cfg Config) (*Rules, error) {
	if len(cfg.DocTypes) == 0 {
		return nil, errors.New("kyc config: doc types must not be empty")
	}
	for _, t := range cfg.DocTypes {
		if t != DocPassport && t != DocIdentity {
			return nil, fmt.Errorf("kyc config: doc type %d is not 1 or 2", t)
		}
	}
	if cfg.MinAge < 0 || cfg.MaxAge <= cfg.MinAge {
		return nil, fmt.Errorf("kyc config: ages %d..%d are not a range", cfg.MinAge, cfg.MaxAge)
	}
	if cfg.ScreenThreshold <= 0 || cfg.ScreenThreshold > 1 {
		return nil, fmt.Errorf("kyc config: screen threshold %v must be in (0, 1]", cfg.ScreenThreshold)
	}
	r := &Rules{cfg: cfg, cardAddr: map[string]*regexp.Regexp{}, countries: map[string][]string{}}
	var err error
	if r.defAddr, err = regexp.Compile(cfg.DefaultAddressPattern); err != nil {
		return nil, fmt.Errorf("kyc config: default address pattern: %w", err)
	}
	for id, ct := range cfg.CardTypes {
		if ct.AddressPattern != "" {
			if r.cardAddr[id], err = regexp.Compile(ct.AddressPattern); err != nil {
				return nil, fmt.Errorf("kyc config: card type %s address pattern: %w", id, err)
			}
		}
		for _, c := range ct.Countries {
			if !identity.IsCountry(c) {
				return nil, fmt.Errorf("kyc config: card type %s: %q is not an ISO 3166 alpha-2 code", id, c)
			}
		}
		if len(ct.Countries) > 0 {
			r.countries[id] = slices.Clone(ct.Countries)
		}
	}
	return r, nil
}

// MustRules is NewRules for configurations known to be valid.
func MustRules(cfg Config) *Rules {
	r, err := NewRules(cfg)
	if err != nil {
		panic(err)
	}
	return r
}

// Config returns the configuration the rules were built from.
func (r *Rules) Config() Config { return r.cfg }

func (r *Rules) addressRule(cardType string) *regexp.Regexp {
	if re, ok := r.cardAddr[cardType]; ok {
		return re
	}
	return r.defAddr
}

// limits are the maximum lengths in characters. The contract gives most;
// the rest (marked) are ours, generous for any real value.
var limits = map[string]int{
	"mc_trade_no":                64, // ours
	"base_info.email":            64,
	"base_info.first_name":       50,
	"base_info.last_name":        50,
	"base_info.mobile":           11,
	"base_info.mobile_code":      5,
	"base_info.user_ip":          45, // ours: the longest IPv6 text
	"kyc_info.address":           256,
	"kyc_info.birthday":          32, // ours
	"kyc_info.city":              100,
	"kyc_info.country_id":        8, // ours
	"kyc_info.doc_no":            128,
	"kyc_info.doc_type":          4, // ours
	"kyc_info.emergency_contact": 255,
	"kyc_info.gender":            4, // ours
	"kyc_info.nationality_id":    8, // ours
	"kyc_info.state":             100,
	"kyc_info.zip_code":          20,
	"kyc_info.poa_type":          4,  // ours
	"card_type_id":               20, // the binding's fields
	"user_ref":                   64,
	"notify_url":                 512,
	"operator":                   100, // the operator API's
	"reason":                     500,
	"viewer":                     100,
	"purpose":                    200,
}

func maxLen(path string) int { return limits[path] }

// checker collects the first failure in the contract's field order.
type checker struct{ err *Error }

func (c *checker) failed() bool { return c.err != nil }

func (c *checker) set(code Code, field, rule string, args ...any) {
	if c.err == nil {
		c.err = fail(code, field, rule, args...)
	}
}

// text checks a scalar's presence and length and reports whether to go on
// with its other rules.
func (c *checker) text(field, v string, required bool) bool {
	if c.failed() {
		return false
	}
	if strings.TrimSpace(v) == "" {
		if required {
			c.set(MissingParameter, field, "is required")
		}
		return false
	}
	if n := utf8.RuneCountInString(v); n > maxLen(field) {
		c.set(TooLong, field, "must be at most %d characters, got %d", maxLen(field), n)
		return false
	}
	return true
}

// ValidateTradeNo checks mc_trade_no alone: it is needed to find the
// binding whose card type the other rules depend on.
func ValidateTradeNo(tradeNo string) error {
	var c checker
	if c.text("mc_trade_no", tradeNo, true) && !printableASCII(tradeNo) {
		c.set(BadFormat, "mc_trade_no", "must be printable ASCII without spaces")
	}
	if c.failed() {
		return c.err
	}
	return nil
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// Validate applies every rule of the contract to req for a binding of
// cardType, at time now, and returns the first failure in the contract's
// field order.
func (r *Rules) Validate(req *Request, cardType string, now time.Time) error {
	if err := ValidateTradeNo(req.TradeNo); err != nil {
		return err
	}
	var c checker
	if !req.HasBase {
		c.set(MissingParameter, "base_info", "is required")
	}
	b := &req.Base
	if c.text("base_info.email", b.Email, true) {
		if err := identity.ValidEmail(b.Email); err != nil {
			c.set(BadFormat, "base_info.email", "%v", err)
		}
	}
	c.text("base_info.first_name", b.FirstName, true)
	c.text("base_info.last_name", b.LastName, true)
	if c.text("base_info.mobile", b.Mobile, true) {
		switch {
		case !digits(b.Mobile):
			c.set(BadFormat, "base_info.mobile", "must contain only digits")
		case len(b.Mobile) < 6:
			c.set(BadFormat, "base_info.mobile", "must be 6 to 11 digits, got %d", len(b.Mobile))
		}
	}
	if c.text("base_info.mobile_code", b.MobileCode, true) {
		_, err := identity.ParseCallingCode(strings.TrimPrefix(b.MobileCode, "+"))
		switch {
		case errors.Is(err, identity.ErrUnknownCallingCode):
			c.set(InvalidValue, "base_info.mobile_code", "%q is not an assigned country calling code", b.MobileCode)
		case err != nil:
			c.set(BadFormat, "base_info.mobile_code", "must be a country calling code of 1 to 3 digits, like 86")
		}
	}
	if c.text("base_info.user_ip", b.UserIP, false) {
		if _, err := netip.ParseAddr(b.UserIP); err != nil {
			c.set(BadFormat, "base_info.user_ip", "must be an IPv4 or IPv6 address")
		}
	}

	if !req.HasInfo {
		c.set(MissingParameter, "kyc_info", "is required")
	}
	in := &req.Info
	if c.text("kyc_info.address", in.Address, true) {
		if re := r.addressRule(cardType); !re.MatchString(in.Address) {
			c.set(BadFormat, "kyc_info.address", "must match the address rule of card type %s: %s", cardType, re)
		}
	}
	c.doc("kyc_info.back_doc", &in.BackDoc, false)
	if c.text("kyc_info.birthday", in.Birthday, true) {
		r.birthday(&c, in.Birthday, now)
	}
	c.text("kyc_info.city", in.City, true)
	if c.text("kyc_info.country_id", in.CountryID, true) && c.country("kyc_info.country_id", in.CountryID) {
		if allowed := r.countries[cardType]; allowed != nil && !slices.Contains(allowed, in.CountryID) {
			c.set(CountryNotAllowed, "kyc_info.country_id", "card type %s accepts only %s", cardType, strings.Join(allowed, ", "))
		}
	}
	c.text("kyc_info.doc_no", in.DocNo, true)
	if c.text("kyc_info.doc_type", in.DocType, true) {
		switch t, ok := c.enum("kyc_info.doc_type", in.DocType, "1 (passport) or 2 (identity number)", DocPassport, DocIdentity); {
		case ok && !slices.Contains(r.cfg.DocTypes, t):
			c.set(UnsupportedDocType, "kyc_info.doc_type", "only %s is supported at present", docTypeNames(r.cfg.DocTypes))
		}
	}
	c.text("kyc_info.emergency_contact", in.EmergencyContact, true)
	c.doc("kyc_info.front_doc", &in.FrontDoc, true)
	if c.text("kyc_info.gender", in.Gender, true) {
		c.enum("kyc_info.gender", in.Gender, "1 (male) or 2 (female)", 1, 2)
	}
	c.doc("kyc_info.mix_doc", &in.MixDoc, true)
	if c.text("kyc_info.nationality_id", in.NationalityID, true) {
		c.country("kyc_info.nationality_id", in.NationalityID)
	}
	c.doc("kyc_info.sign_img", &in.SignImg, true)
	c.text("kyc_info.state", in.State, true)
	c.text("kyc_info.zip_code", in.ZipCode, true)
	c.doc("kyc_info.poa_doc", &in.PoaDoc, false)
	if c.text("kyc_info.poa_type", in.PoaType, false) {
		if t, ok := c.enum("kyc_info.poa_type", in.PoaType, "1 (self-service provision) or 2 (assisted certification)", 1, 2); ok && t == 1 && !in.PoaDoc.Present() {
			c.set(MissingParameter, "kyc_info.poa_doc", "is required when poa_type is 1")
		}
	}
	if c.failed() {
		return c.err
	}
	return nil
}

func (r *Rules) birthday(c *checker, s string, now time.Time) {
	const f = "kyc_info.birthday"
	d, err := identity.ParseDate(s)
	switch {
	case errors.Is(err, identity.ErrNoSuchDate):
		c.set(InvalidValue, f, "%q is not a real calendar date", s)
		return
	case err != nil:
		c.set(BadFormat, f, "must be a date in yyyy-MM-dd form")
		return
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	switch age := identity.Age(d, today); {
	case !d.Before(today):
		c.set(InvalidValue, f, "must be in the past")
	case age < r.cfg.MinAge:
		c.set(InvalidValue, f, "applicant must be at least %d years old", r.cfg.MinAge)
	case age > r.cfg.MaxAge:
		c.set(InvalidValue, f, "applicant cannot be older than %d years", r.cfg.MaxAge)
	}
}

// country checks an ISO 3166 alpha-2 code.
func (c *checker) country(field, v string) bool {
	if c.failed() {
		return false
	}
	if len(v) != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z' {
		c.set(BadFormat, field, "must be an ISO 3166 alpha-2 code in capitals, like CN")
		return false
	}
	if !identity.IsCountry(v) {
		c.set(InvalidValue, field, "%q is not an ISO 3166 alpha-2 country code", v)
		return false
	}
	return true
}

// enum checks a whole number that must be one of allowed.
func (c *checker) enum(field, v, want string, allowed ...int) (int, bool) {
	if c.failed() {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || !digits(strings.TrimPrefix(v, "-")) {
		c.set(BadFormat, field, "must be a whole number: %s", want)
		return 0, false
	}
	if !slices.Contains(allowed, n) {
		c.set(InvalidValue, field, "must be %s, got %d", want, n)
		return 0, false
	}
	return n, true
}

// doc reports a document's decoding result.
func (c *checker) doc(field string, d *Document, required bool) {
	if c.failed() {
		return
	}
	if !d.Present() {
		if required {
			c.set(MissingParameter, field, "is required")
		}
		return
	}
	if d.Err == nil {
		return
	}
	name := field[strings.IndexByte(field, '.')+1:]
	err := d.Err
	switch {
	case errors.Is(err, ErrDocTooLarge), errors.Is(err, identity.ErrTooLarge):
		limit := MaxImageText
		if name == "sign_img" {
			limit = MaxSignText
		}
		c.set(ImageTooLarge, field, "base64 text must be less than %d MB (%d characters), got %d", limit>>20, limit, d.Encoded)
	case errors.Is(err, identity.ErrFileType), errors.Is(err, identity.ErrUnknownType), errors.Is(err, identity.ErrPolyglot):
		want := "jpg, jpeg or png"
		if name == "poa_doc" {
			want = "jpg, jpeg, png or pdf"
		}
		c.set(ImageTypeNotAllowed, field, "must be %s (%v)", want, err)
	default:
		c.set(ImageInvalid, field, "%v", err)
	}
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func docTypeNames(ts []int) string {
	var names []string
	for _, t := range ts {
		names = append(names, map[int]string{DocPassport: "1 (passport)", DocIdentity: "2 (identity number)"}[t])
	}
	return strings.Join(names, " or ")
}
