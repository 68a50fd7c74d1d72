// Package account is the borrower side of creditpocket: sign-up with SMS
// one-time codes, sessions, the profile the app walks through (basic info,
// emergency contacts, work, bank cards) and its completion status.
//
// The package holds the rules; storage, SMS and payment providers are
// interfaces wired in cmd/creditpocket. Each Service method owns its
// transactions and fixes "now" once.
package account

import (
	"context"
	"sync"
	"time"

	"creditpocket/internal/inbox"
	"creditpocket/internal/page"
	"creditpocket/internal/reference"
)

// User is a registered borrower.
type User struct {
	ID           int64
	Phone        string // E.164 digits without '+', e.g. 2347068425023
	CallingCode  int
	Mobile       string // national significant number, e.g. 7068425023
	PasswordHash string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Session is a signed-in device. Only the SHA-256 of its token is stored.
type Session struct {
	TokenHash string
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt time.Time
	IP        string
}

// OTP is a one-time code sent by SMS. Only its keyed hash is stored.
type OTP struct {
	ID         int64
	Phone      string
	Purpose    string
	CodeHash   string
	Attempts   int
	IP         string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	VerifiedAt time.Time
	ConsumedAt time.Time
}

// Purposes a code can be sent for.
const (
	PurposeRegister = "register"
	PurposeLogin    = "login"
)

// Profile is the borrower's basic information. IDNumber is only filled
// when read for a purpose that needs it; IDNumberMask always is.
type Profile struct {
	UserID        int64
	FirstName     string
	MiddleName    string
	LastName      string
	Gender        string
	BirthDate     string // YYYY-MM-DD
	Email         string
	MaritalStatus string
	Education     string
	IDType        string
	IDCountry     string
	IDNumber      string
	IDNumberMask  string
	IDValidDate   string
	Nationality   string
	State         string
	CityCode      string
	Address       string
	UpdatedAt     time.Time
}

// Contact is an emergency contact.
type Contact struct {
	ID           int64
	Name         string
	Phone        string // E.164 digits
	Relationship string
}

// Work is the borrower's employment.
type Work struct {
	CompanyName    string
	CompanyPhone   string // E.164 digits
	CompanyAddress string
	Profession     string
	IncomeCode     string
	UpdatedAt      time.Time
}

// BankCard is a bank account (and optionally its debit card) money is paid
// out to and collected from. Numbers are sealed at rest; AccountNumber is
// only filled when read for a payout.
type BankCard struct {
	ID             int64
	UserID         int64
	BankCode       string
	BankName       string
	AccountNumber  string
	AccountHash    string
	AccountMask    string
	AccountName    string
	PANMask        string
	Default        bool
	VerifyAmount   int64 // micro-deposit, minor units; 0 when none was sent
	VerifySentAt   time.Time
	VerifyAttempts int
	VerifiedAt     time.Time
	RecipientCode  string
	CreatedAt      time.Time

	accountSealed []byte
	panSealed     []byte
}

// Sealed returns the sealed account number and PAN (for the store).
func (c *BankCard) Sealed() (account, pan []byte) { return c.accountSealed, c.panSealed }

// SetSealed sets the sealed numbers (for the store).
func (c *BankCard) SetSealed(account, pan []byte) { c.accountSealed, c.panSealed = account, pan }

// Store opens transactions over the account data. fn gets the
// transaction's context: use it (shadow ctx) for every call inside, so a
// transaction begun within is refused instead of running apart.
type Store interface {
	// Tx runs fn in a read-write transaction, committed if fn returns nil.
	Tx(ctx context.Context, fn func(context.Context, Tx) error) error
	// View runs fn for reads; successive reads may see a commit between them.
	View(ctx context.Context, fn func(context.Context, Tx) error) error
}

// Tx is what the account rules need from storage inside one transaction.
// Lookups of a borrower's things always take the owner's user id, so one
// borrower can never reach another's rows.
type Tx interface {
	CreateUser(ctx context.Context, u *User) error
	UserByPhone(ctx context.Context, phone string) (*User, error) // errs.NotFound
	UserByID(ctx context.Context, id int64) (*User, error)

	CreateSession(ctx context.Context, s *Session) error
	ActiveSession(ctx context.Context, tokenHash string, now time.Time) (*Session, error) // errs.Unauthenticated
	RevokeSession(ctx context.Context, tokenHash string, now time.Time) error

	// BumpCounter adds one to a named daily counter and returns its value.
	BumpCounter(ctx context.Context, scope, key, day string) (int, error)
	CounterValue(ctx context.Context, scope, key, day string) (int, error)
	// ClaimCounter adds one to a named daily counter unless it already
	// holds max; false means it did and nothing changed. One conditional
	// statement, so concurrent claims never take the counter past max.
	ClaimCounter(ctx context.Context, scope, key, day string, max int) (bool, error)
	// ReleaseCounter gives back one claim (never below zero).
	ReleaseCounter(ctx context.Context, scope, key, day string) error
	// PruneCounters deletes a bounded batch (500) of counters of days before
	// before, so counters for made-up phones cannot pile up.
	PruneCounters(ctx context.Context, before string) error
	// PruneOTPs deletes a bounded batch (500) of codes that expired before
	// before, so codes asked for made-up phones cannot pile up.
	PruneOTPs(ctx context.Context, before time.Time) error
	CreateOTP(ctx context.Context, o *OTP) error
	LatestOTP(ctx context.Context, phone, purpose string) (*OTP, error) // errs.NotFound
	// AddOTPAttempt counts one attempt unless max is reached; false means it was.
	AddOTPAttempt(ctx context.Context, id int64, max int) (bool, error)
	MarkOTPVerified(ctx context.Context, id int64, now time.Time) error
	// ConsumeOTP marks the code used; false means it already was.
	ConsumeOTP(ctx context.Context, id int64, now time.Time) (bool, error)

	SaveProfile(ctx context.Context, p *Profile, idSealed []byte, idHash string) error
	Profile(ctx context.Context, userID int64) (*Profile, []byte, error) // errs.NotFound
	ReplaceContacts(ctx context.Context, userID int64, cs []Contact, now time.Time) error
	Contacts(ctx context.Context, userID int64) ([]Contact, error)
	// Overview reads a borrower with their profile, contacts, work and
	// default card in one round trip; each is nil or empty when not saved yet.
	Overview(ctx context.Context, userID int64) (*Overview, error)
	// OverviewAndCreditReport is Overview with the newest attached
	// credit report (nil without one), read at once.
	OverviewAndCreditReport(ctx context.Context, userID int64) (*Overview, *CreditReport, error)
	SaveWork(ctx context.Context, userID int64, w *Work) error
	Work(ctx context.Context, userID int64) (*Work, error) // errs.NotFound

	Bank(ctx context.Context, code string) (*reference.Bank, error) // errs.NotFound
	CityExists(ctx context.Context, code string) (bool, error)
	IncomeBandExists(ctx context.Context, code string) (bool, error)

	CreateCard(ctx context.Context, c *BankCard) error                 // errs.Conflict on a duplicate account
	Card(ctx context.Context, userID, cardID int64) (*BankCard, error) // errs.NotFound
	DefaultCard(ctx context.Context, userID int64) (*BankCard, error)  // errs.NotFound
	Cards(ctx context.Context, userID int64, p page.Request) (page.Result[BankCard], error)
	CountCards(ctx context.Context, userID int64) (int, error)
	SetDefaultCard(ctx context.Context, userID, cardID int64) error
	UpdateCardVerification(ctx context.Context, c *BankCard) error
	// AddCardVerifyAttempt counts one micro-deposit guess unless max is
	// reached; false means it was. One conditional UPDATE.
	AddCardVerifyAttempt(ctx context.Context, userID, cardID int64, max int) (bool, error)
	SetCardRecipient(ctx context.Context, userID, cardID int64, code string) error

	CreditReports

	AddMessage(ctx context.Context, m *inbox.Message) error
	Messages(ctx context.Context, userID int64, p page.Request) (page.Result[inbox.Message], error)
}

// SMS sends text messages. Phone is E.164 digits without '+'.
type SMS interface {
	Send(ctx context.Context, phone, text string) error
}

// Payments is what the account side needs from the payment provider.
type Payments interface {
	// CreateRecipient registers a payout destination and returns the
	// provider's code for it; the same account twice gives the same code.
	CreateRecipient(ctx context.Context, r Recipient) (code string, err error)
	// SendMicroDeposit pays a small amount to an account so the borrower
	// can prove it is theirs by telling the amount back.
	SendMicroDeposit(ctx context.Context, r Recipient, amount int64) (reference string, err error)
	// Sandbox reports whether the provider is the sandbox, which may reveal
	// test values (the micro-deposit amount) to the caller.
	Sandbox() bool
}

// Recipient is a payout destination.
type Recipient struct {
	Name          string
	BankCode      string
	AccountNumber string
	AccountHash   string
}

// Sealer encrypts personal data at rest and hashes it for look-ups.
type Sealer interface {
	SealString(plain, aad string) ([]byte, error)
	OpenString(sealed []byte, aad string) (string, error)
	Hash(domain, value string) string
}

// Config holds the account rules' tunables.
type Config struct {
	DefaultCallingCode int           // used when a request sends no country code
	DefaultCountry     string        // ISO 3166 alpha-2 of DefaultCallingCode
	SessionTTL         time.Duration // how long a sign-in lasts
	SessionCacheTTL    time.Duration // how long a validated token is trusted without the database; 0 disables
	OTPTTL             time.Duration // how long a code is valid
	OTPCooldown        time.Duration // minimum time between two codes to one phone
	OTPMaxAttempts     int           // wrong tries before a code is dead
	OTPDailyPerPhone   int           // codes a phone may receive per UTC day
	OTPDailyPerIP      int           // codes one client IP may request per UTC day
	LoginFailuresDaily int           // failed password logins per phone per UTC day
	MaxCards           int           // bank cards per borrower
	MaxContacts        int
	MinContacts        int
}

// DefaultConfig returns production defaults.
func DefaultConfig() Config {
	return Config{
		DefaultCallingCode: 234,
		DefaultCountry:     "NG",
		SessionTTL:         30 * 24 * time.Hour,
		SessionCacheTTL:    5 * time.Second,
		OTPTTL:             5 * time.Minute,
		OTPCooldown:        60 * time.Second,
		OTPMaxAttempts:     5,
		OTPDailyPerPhone:   10,
		OTPDailyPerIP:      50,
		LoginFailuresDaily: 10,
		MaxCards:           5,
		MinContacts:        2,
		MaxContacts:        5,
	}
}

// Service is the account rules over their dependencies.
type Service struct {
	Store    Store
	SMS      SMS
	Payments Payments
	Vault    Sealer
	Blobs    Blobs
	Hasher   PasswordHasher
	Config   Config
	Now      func() time.Time // nil means time.Now

	cacheOnce sync.Once
	cache     *sessionCache
	dummyOnce sync.Once
	dummy     string
	dummyErr  error
}

func (s *Service) sessions() *sessionCache {
	s.cacheOnce.Do(func() {
		if s.Config.SessionCacheTTL > 0 {
			s.cache = &sessionCache{ttl: s.Config.SessionCacheTTL}
		}
	})
	return s.cache
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}
