package event

import (
	"slices"
	"strings"
	"time"
)

// EventType names what the borrower is doing when the event is scored.
type EventType string

// Event types. Only Loan is scored today; the others are named so the
// decoder can say "not supported yet" instead of "unknown", and adding one is
// a matter of adding its validator to eventTypes.
const (
	EventLoan     EventType = "Loan"
	EventRegister EventType = "Register"
	EventLogin    EventType = "Login"
	EventDisburse EventType = "Disburse"
)

// eventTypes maps each known event type to the validator of its
// type-specific required fields; a nil validator means "known, not yet
// supported".
var eventTypes = map[EventType]func(*validator, *Event){
	EventLoan:     validateLoan,
	EventRegister: nil,
	EventLogin:    nil,
	EventDisburse: nil,
}

// canonicalEventType maps any spelling ("loan", "LOAN") to the canonical
// constant, and reports whether the type is known.
func canonicalEventType(s string) (EventType, bool) {
	for t := range eventTypes {
		if strings.EqualFold(string(t), s) {
			return t, true
		}
	}
	return "", false
}

// Scenario is the lending product the event belongs to.
type Scenario string

// Scenarios accepted in an event. An omitted scenario means ScenarioDefault.
const (
	ScenarioCashLoan   Scenario = "cashloan"
	ScenarioBNPL       Scenario = "bnpl"
	ScenarioCreditCard Scenario = "creditcard"
	ScenarioP2P        Scenario = "p2p"
	ScenarioDefault    Scenario = "default"
)

// Event is a risk event as sent to POST /credit/fraud/v1, in the style of the
// TrustDecision decision API. Field names and enumerations follow the Loan
// event contract exactly; see Validate for every rule.
type Event struct {
	EventTime   string       `json:"event_time"` // ISO-8601 with offset, e.g. 2026-11-23T08:30:00+01:00
	EventType   EventType    `json:"event_type"`
	Scenario    Scenario     `json:"scenario,omitempty"`
	OrderID     string       `json:"order_id"`
	Terminal    *Terminal    `json:"terminal,omitempty"`
	Account     *Account     `json:"account,omitempty"`
	Profile     *Profile     `json:"profile,omitempty"`
	Contact     []Contact    `json:"contact,omitempty"`
	Card        *Card        `json:"card,omitempty"`
	IdentityExt *IdentityExt `json:"identity_ext,omitempty"`

	// Set by Validate, so later stages need not parse again.
	at time.Time
}

// Time is the parsed event_time; zero until Validate succeeds.
func (e *Event) Time() time.Time { return e.at }

// SetTime moves a validated event to t without parsing event_time again,
// which keeps its text as received: benchmarks and load tests replay one
// event at many times this way.
func (e *Event) SetTime(t time.Time) { e.at = t }

// Terminal is the device the event came from.
type Terminal struct {
	IP       string `json:"ip,omitempty"`
	BlackBox string `json:"black_box,omitempty"` // device fingerprint token
}

// Account is the borrower's account with the lender.
type Account struct {
	AccountID    string `json:"account_id,omitempty"`
	RegisterTime string `json:"register_time,omitempty"` // ISO-8601 with offset
	Phone        string `json:"phone,omitempty"`
	Email        string `json:"email,omitempty"`
}

// Profile is the borrower's personal information.
type Profile struct {
	Name           string   `json:"name,omitempty"`
	Phone          *Phone   `json:"phone,omitempty"`
	ID             *ID      `json:"id,omitempty"`
	Email          string   `json:"email,omitempty"`
	Sex            string   `json:"sex,omitempty"`
	Birthdate      string   `json:"birthdate,omitempty"` // YYYY-MM-DD
	Birthplace     *Address `json:"birthplace,omitempty"`
	Address        *Address `json:"address,omitempty"`
	MaritalStatus  string   `json:"marital_status,omitempty"`
	Education      string   `json:"education,omitempty"`
	CompanyName    string   `json:"company_name,omitempty"`
	CompanyPhone   string   `json:"company_phone,omitempty"`
	CompanyAddress string   `json:"company_address,omitempty"`
	Profession     string   `json:"profession,omitempty"`
	Nationality    string   `json:"nationality,omitempty"` // ISO 3166 alpha-2
}

// Phone is a phone number split into its E.164 calling code (no "+", no
// leading 0, e.g. 234) and the number without that code.
type Phone struct {
	CountryCode int    `json:"country_code"`
	PhoneNumber string `json:"phone_number"`
}

// ID is an identity document.
type ID struct {
	IDCountry string `json:"id_country"` // ISO 3166 alpha-2
	IDType    string `json:"id_type"`
	IDNumber  string `json:"id_number"`
	ValidDate string `json:"valid_date,omitempty"` // YYYY-MM-DD; the document is valid up to and including it
}

// Address is a postal address; country, region and city are required.
type Address struct {
	Country  string `json:"country"`
	Region   string `json:"region"`
	City     string `json:"city"`
	District string `json:"district,omitempty"`
	Detail   string `json:"detail,omitempty"`
	ZipCode  string `json:"zip_code,omitempty"`
}

// Contact is one of the borrower's emergency or social contacts.
type Contact struct {
	Name         string `json:"name,omitempty"`
	Phone        *Phone `json:"phone,omitempty"`
	Relationship string `json:"relationship,omitempty"`
}

// Card is the bank card or account the loan is paid into.
type Card struct {
	BankName   string `json:"bank_name,omitempty"`
	CardNumber string `json:"card_number,omitempty"`
}

// IdentityExt carries face and ID-document media, each either as URLs or as
// base64 content according to its *_type field.
type IdentityExt struct {
	FaceImageType string   `json:"face_image_type,omitempty"`
	FaceImage     []string `json:"face_image,omitempty"`
	FaceVideoType string   `json:"face_video_type,omitempty"`
	FaceVideo     string   `json:"face_video,omitempty"`
	IDImageType   string   `json:"id_image_type,omitempty"`
	IDImage       string   `json:"id_image,omitempty"`
}

// Enumerations of the Loan event contract, in contract order.
var (
	idTypes        = []string{"identity_card", "passport", "driving_licence", "birth_certificate", "others"}
	sexes          = []string{"male", "female"}
	maritalStatus  = []string{"single", "married", "separated", "divorced", "widowed", "cohabited", "customary"}
	educations     = []string{"doctorate", "master", "bachelor", "junior_college", "high_school", "middle_school", "below_middle_school"}
	relationships  = []string{"parent", "spouse", "child", "sibling", "cousin", "other_relative", "friend", "classmate", "coworker", "other_cases"}
	mediaTypes     = []string{"url", "base64"}
	scenarios      = []string{string(ScenarioCashLoan), string(ScenarioBNPL), string(ScenarioCreditCard), string(ScenarioP2P), string(ScenarioDefault)}
	familyRelation = map[string]bool{"parent": true, "spouse": true, "child": true, "sibling": true, "cousin": true, "other_relative": true}
)

// RelationshipIndex is the position of r among the contract's contact
// relationships (parent 0 … other_cases 9), or -1 if it is not one.
func RelationshipIndex(r string) int { return slices.Index(relationships, r) }

// FamilyRelationship reports whether r is a relative: parent, spouse,
// child, sibling, cousin or other_relative.
func FamilyRelationship(r string) bool { return familyRelation[r] }
