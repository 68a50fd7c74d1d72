package risk

import (
	"io"
	"time"

	"creditpocket/internal/risk/event"
)

// The event contract is package event's; the engine and its callers name
// its types here, as they always have.
type (
	Event           = event.Event
	EventType       = event.EventType
	Scenario        = event.Scenario
	Terminal        = event.Terminal
	Account         = event.Account
	Profile         = event.Profile
	Phone           = event.Phone
	ID              = event.ID
	Address         = event.Address
	Contact         = event.Contact
	Card            = event.Card
	IdentityExt     = event.IdentityExt
	ReasonCode      = event.ReasonCode
	ValidationError = event.ValidationError
)

// Names of the event contract the engine's callers use.
const (
	EventLoan          = event.EventLoan
	ScenarioCashLoan   = event.ScenarioCashLoan
	MaxEventBytes      = event.MaxEventBytes
	MaxContacts        = event.MaxContacts
	MaxFaceImages      = event.MaxFaceImages
	ReasonMalformed    = event.ReasonMalformed
	ReasonTooLarge     = event.ReasonTooLarge
	ReasonMissingField = event.ReasonMissingField
	ReasonInvalidField = event.ReasonInvalidField
	ReasonInternal     = event.ReasonInternal
)

// DecodeEvent reads and validates one event strictly (event.Decode).
func DecodeEvent(r io.Reader, now time.Time) (*Event, error) { return event.Decode(r, now) }
