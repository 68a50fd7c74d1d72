package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode"

	"creditpocket/internal/errs"
	"creditpocket/internal/identity"
	"creditpocket/internal/inbox"
)

// phone validates a mobile number with an optional calling code and
// returns its E.164 digits, calling code and national number.
func (s *Service) phone(mobile, countryCode, field string) (digits string, cc int, national string, err error) {
	mobile = strings.TrimSpace(mobile)
	if mobile == "" {
		return "", 0, "", errs.Required(field)
	}
	if len(mobile) > 20 {
		return "", 0, "", errs.InvalidField(field, "must be at most 20 characters")
	}
	cc = s.Config.DefaultCallingCode
	if countryCode != "" {
		if cc, err = identity.ParseCallingCode(countryCode); err != nil || !identity.IsCallingCode(cc) {
			return "", 0, "", errs.InvalidField("countryCode", "must be an E.164 calling code without '+', e.g. 234")
		}
	}
	e164, err := identity.NormalizePhone(cc, mobile)
	if err != nil {
		return "", 0, "", errs.InvalidField(field, "must be a valid mobile number for calling code %d", cc)
	}
	digits = identity.PhoneDigits(e164)
	return digits, cc, strings.TrimPrefix(digits, strconv.Itoa(cc)), nil
}

// RegisterInput creates an account.
type RegisterInput struct {
	Mobile      string
	CountryCode string
	Code        string // the SMS code sent for "register"
	Password    string
	IP          string
}

// Credentials is a signed-in borrower and their new session token.
type Credentials struct {
	User      *User
	Token     string
	ExpiresAt time.Time
}

// Register creates a borrower whose phone was proved by an SMS code and
// signs them in.
func (s *Service) Register(ctx context.Context, in RegisterInput) (*Credentials, error) {
	phone, cc, national, err := s.phone(in.Mobile, in.CountryCode, "mobile")
	if err != nil {
		return nil, err
	}
	if err := validPassword(in.Password); err != nil {
		return nil, err
	}
	if err := validCode(in.Code); err != nil {
		return nil, err
	}
	hash, err := s.Hasher.Hash(in.Password)
	if err != nil {
		return nil, err
	}
	if err := s.checkCode(ctx, phone, PurposeRegister, in.Code, true); err != nil {
		return nil, err
	}
	now := s.now()
	u := &User{Phone: phone, CallingCode: cc, Mobile: national, PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	var token string
	err = s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			if errs.Is(err, errs.Conflict) {
				return &errs.Error{Code: errs.Conflict, Field: "mobile", Message: "is already registered; log in instead"}
			}
			return err
		}
		if token, err = s.newSession(ctx, tx, u.ID, in.IP, now); err != nil {
			return err
		}
		return tx.AddMessage(ctx, &inbox.Message{UserID: u.ID, Kind: inbox.KindAccount, Title: "Welcome to creditpocket",
			Content: "Your account is ready. Complete your profile and add a bank account to apply for a loan.", CreatedAt: now})
	})
	if err != nil {
		return nil, err
	}
	return &Credentials{User: u, Token: token, ExpiresAt: now.Add(s.Config.SessionTTL)}, nil
}

// LoginInput signs in with a password or an SMS code (exactly one).
type LoginInput struct {
	Mobile      string
	CountryCode string
	Password    string
	Code        string
	IP          string
}

// errLogin answers a wrong password and a mobile with no account alike.
var errLogin = errs.E(errs.Unauthenticated, "mobile or password is wrong")

// Login checks credentials and opens a session.
//
// A password attempt is claimed against the phone's daily failure cap
// before the hash is checked, in one conditional upsert, so concurrent
// guesses cannot get past the cap; a right password gives its claim back,
// so only failures count, as they always have. Past the cap password
// logins are refused for the rest of the UTC day; an SMS code still signs
// in (it has its own attempt limit). A mobile with no account is answered
// exactly as a wrong password, after the same hash check against a dummy
// hash, and its failures are capped alike.
func (s *Service) Login(ctx context.Context, in LoginInput) (*Credentials, error) {
	phone, _, _, err := s.phone(in.Mobile, in.CountryCode, "mobile")
	if err != nil {
		return nil, err
	}
	switch {
	case in.Password == "" && in.Code == "":
		return nil, errs.InvalidField("password", "is required unless code is sent")
	case in.Password != "" && in.Code != "":
		return nil, errs.InvalidField("code", "send either password or code, not both")
	case len(in.Password) > 128:
		return nil, errs.InvalidField("password", "must be at most 128 characters")
	}
	now := s.now()
	var u *User
	if in.Code != "" {
		u, err = s.loginWithCode(ctx, phone, in.Code)
	} else {
		u, err = s.loginWithPassword(ctx, phone, in.Password, now.Format(time.DateOnly))
	}
	if err != nil {
		return nil, err
	}
	var token string
	err = s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		token, err = s.newSession(ctx, tx, u.ID, in.IP, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &Credentials{User: u, Token: token, ExpiresAt: now.Add(s.Config.SessionTTL)}, nil
}

// loginWithCode uses up a login code and returns its phone's borrower. The
// code is checked first: an unknown phone's codes are never sent, so it
// fails there with the answers a known phone's wrong code gets.
func (s *Service) loginWithCode(ctx context.Context, phone, code string) (*User, error) {
	if err := s.checkCode(ctx, phone, PurposeLogin, code, true); err != nil {
		return nil, err
	}
	u, err := s.userByPhone(ctx, phone)
	if errs.Is(err, errs.NotFound) {
		return nil, errLogin
	}
	return u, err
}

// loginWithPassword claims one attempt of the phone's daily cap, checks
// the password (against the dummy hash when no borrower has the phone) and
// gives the claim back when it was right.
func (s *Service) loginWithPassword(ctx context.Context, phone, password, day string) (*User, error) {
	claimed, err := s.claim(ctx, scopeLoginFail, phone, day, s.Config.LoginFailuresDaily)
	if err != nil {
		return nil, err
	}
	if !claimed {
		return nil, errs.E(errs.RateLimited, "too many failed logins for this mobile today; log in with an SMS code or try tomorrow")
	}
	u, err := s.userByPhone(ctx, phone)
	if err != nil && !errs.Is(err, errs.NotFound) {
		return nil, err
	}
	hash := ""
	if u != nil {
		hash = u.PasswordHash
	} else if hash, err = s.dummyHash(); err != nil {
		return nil, err
	}
	ok, err := s.Hasher.Check(hash, password)
	if err != nil {
		return nil, err
	}
	if !ok || u == nil {
		return nil, errLogin
	}
	if err := s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error { return tx.ReleaseCounter(ctx, scopeLoginFail, phone, day) }); err != nil {
		return nil, err
	}
	return u, nil
}

// claim takes one unit of a daily counter capped at max, committed before
// the caller does the work it guards, and prunes past days' counters.
func (s *Service) claim(ctx context.Context, scope, key, day string, max int) (bool, error) {
	var ok bool
	err := s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		if ok, err = tx.ClaimCounter(ctx, scope, key, day, max); err != nil {
			return err
		}
		return tx.PruneCounters(ctx, pruneBefore(day))
	})
	return ok, err
}

// pruneBefore is the oldest day whose counters are kept: yesterday's stay,
// so a request that began before midnight still finds its own.
func pruneBefore(day string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return ""
	}
	return d.AddDate(0, 0, -1).Format(time.DateOnly)
}

func (s *Service) userByPhone(ctx context.Context, phone string) (*User, error) {
	var u *User
	err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		u, err = tx.UserByPhone(ctx, phone)
		return err
	})
	return u, err
}

// dummyHash is checked in place of the hash of a phone nobody registered,
// so that login costs what a registered phone's does. It is made once, by
// the same hasher with the same parameters as new passwords.
func (s *Service) dummyHash() (string, error) {
	s.dummyOnce.Do(func() {
		raw := make([]byte, 32)
		_, _ = rand.Read(raw)
		s.dummy, s.dummyErr = s.Hasher.Hash(base64.RawURLEncoding.EncodeToString(raw))
	})
	return s.dummy, s.dummyErr
}

func (s *Service) newSession(ctx context.Context, tx Tx, userID int64, ip string, now time.Time) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	return token, tx.CreateSession(ctx, &Session{
		TokenHash: TokenHash(token), UserID: userID, CreatedAt: now, ExpiresAt: now.Add(s.Config.SessionTTL), IP: ip,
	})
}

// TokenHash is what is stored for a session token. The token has 256 bits
// of entropy, so an unkeyed SHA-256 suffices.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Authenticate returns the session of a bearer token, or an
// Unauthenticated error for a missing, unknown, expired or revoked one.
func (s *Service) Authenticate(ctx context.Context, token string) (*Session, error) {
	if token == "" {
		return nil, errs.E(errs.Unauthenticated, "sign in first: send Authorization: Bearer <token>")
	}
	if len(token) > 256 {
		return nil, errs.E(errs.Unauthenticated, "token is not valid")
	}
	hash, now := TokenHash(token), s.now()
	cache := s.sessions()
	if cache != nil {
		if sess, ok := cache.get(hash, now); ok {
			return sess, nil
		}
	}
	var sess *Session
	err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		sess, err = tx.ActiveSession(ctx, hash, now)
		return err
	})
	if err == nil && cache != nil {
		cache.put(hash, sess, now)
	}
	return sess, err
}

// Logout revokes the session of token.
func (s *Service) Logout(ctx context.Context, token string) error {
	hash := TokenHash(token)
	if cache := s.sessions(); cache != nil {
		cache.evict(hash)
	}
	return s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		return tx.RevokeSession(ctx, hash, s.now())
	})
}

// validPassword requires 8–64 characters with a letter and a digit.
func validPassword(p string) error {
	if p == "" {
		return errs.Required("password")
	}
	if n := len([]rune(p)); n < 8 || n > 64 {
		return errs.InvalidField("password", "must be 8 to 64 characters")
	}
	var letter, digit bool
	for _, r := range p {
		letter = letter || unicode.IsLetter(r)
		digit = digit || unicode.IsDigit(r)
	}
	if !letter || !digit {
		return errs.InvalidField("password", "must contain at least one letter and one digit")
	}
	return nil
}
