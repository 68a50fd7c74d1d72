package staff

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/page"
)

// Store persists staff, sessions, claims and the audit log. Lookups that
// find nothing return an errs.NotFound error.
type Store interface {
	CreateStaff(ctx context.Context, s *Staff) error // sets ID; errs.Conflict when the e-mail exists
	StaffByEmail(ctx context.Context, email string) (*Staff, error)
	ListStaff(ctx context.Context) ([]Staff, error)
	DisableStaff(ctx context.Context, id int64, at time.Time) error
	SetRole(ctx context.Context, id int64, role Role) error
	// ResetCredentials replaces the password hash and the sealed TOTP
	// secret, and clears the e-mail's failed attempts and the last code's
	// step.
	ResetCredentials(ctx context.Context, id int64, passwordHash string, totpSealed []byte) error
	// CountAttempt counts one sign-in attempt against the lockout window
	// of an e-mail, before any credential is checked and whether or not a
	// staff member has that e-mail (nothing is added to staff): a new
	// window starts at now when there is none or the current one began
	// before windowStart. It returns the window's start, and false (and
	// nothing counted) when the window already holds max attempts;
	// firstRefused is true for the first attempt so refused in a window
	// only. One conditional upsert, so concurrent guesses cannot exceed
	// max; windows that have ended are pruned, so made-up e-mails cannot
	// fill storage.
	CountAttempt(ctx context.Context, email string, now, windowStart time.Time, max int) (since time.Time, ok, firstRefused bool, err error)
	// SignedIn clears the e-mail's attempts and records the TOTP step
	// used, if it is after the stored one; false means the step was
	// already used (a replayed code) and nothing changed.
	SignedIn(ctx context.Context, id int64, step int64) (bool, error)

	CreateSession(ctx context.Context, s *Session) error
	// Session returns the live session with its staff member; errs.NotFound
	// when unknown, expired, revoked or the staff member is disabled.
	Session(ctx context.Context, tokenHash string, now time.Time) (*Session, error)
	RevokeSession(ctx context.Context, tokenHash string, at time.Time) error
	RevokeStaffSessions(ctx context.Context, staffID int64, at time.Time) error

	// Claim takes the item for c.Holder unless someone else holds it past
	// now, and returns the claim that stands afterwards (c, or the other
	// holder's).
	Claim(ctx context.Context, c Claim, now time.Time) (Claim, error)
	// ClaimOf returns the item's claim, or a zero Claim.
	ClaimOf(ctx context.Context, queue, item string) (Claim, error)
	ReleaseClaim(ctx context.Context, queue, item, holder string) error
	// Claims lists the queue's live claims.
	Claims(ctx context.Context, queue string, now time.Time) ([]Claim, error)

	// AppendAudit seals e after the last entry (Entry.Seal) and stores it.
	AppendAudit(ctx context.Context, e *Entry) error
	// AuditPage lists entries newest first.
	AuditPage(ctx context.Context, p page.Request) (page.Result[Entry], error)
	// EachAudit calls fn with every entry in Seq order.
	EachAudit(ctx context.Context, fn func(*Entry) error) error
}

// PasswordHasher hashes and checks passwords (account.Argon2id).
type PasswordHasher interface {
	Hash(password string) (string, error)
	Check(hash, password string) (bool, error)
}

// Sealer encrypts the TOTP secrets at rest (vault.Vault).
type Sealer interface {
	Seal(plain, aad []byte) ([]byte, error)
	Open(sealed, aad []byte) ([]byte, error)
}

// Config holds the sign-in rules.
type Config struct {
	Issuer      string        // shown by authenticator apps
	SessionTTL  time.Duration // a console session's lifetime
	MaxFailures int           // failed sign-ins allowed in LockWindow
	LockWindow  time.Duration
	ClaimTTL    time.Duration // how long a review claim lasts
}

// DefaultConfig: 12-hour sessions, lockout after 5 failures in 15
// minutes, 15-minute claims.
func DefaultConfig() Config {
	return Config{Issuer: "creditpocket", SessionTTL: 12 * time.Hour, MaxFailures: 5, LockWindow: 15 * time.Minute, ClaimTTL: 15 * time.Minute}
}

// Service runs staff accounts, sign-in, claims and the audit log.
type Service struct {
	Store  Store
	Hasher PasswordHasher
	Vault  Sealer
	Config Config
	Now    func() time.Time

	dummyOnce sync.Once
	dummy     string
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// CreateInput is a new staff member. An empty Password is refused: the
// CLI generates one when the operator gives none.
type CreateInput struct {
	Email    string
	Role     Role
	Password string
	By       Actor
}

// Enrollment is what a new staff member needs once: the TOTP secret and
// its otpauth:// URI. Neither is shown again.
type Enrollment struct {
	Staff      *Staff
	TOTPSecret string
	TOTPURI    string
}

// MinPasswordLen is the shortest staff password accepted.
const MinPasswordLen = 12

func totpAAD(email string) []byte { return []byte("staff.totp:" + email) }

// TOTPAAD is the additional data a staff member's TOTP secret is sealed
// with, for the start-up check that a key opens the stored data.
func TOTPAAD(email string) []byte { return totpAAD(email) }

// Create adds a staff member and records it in the audit log.
func (s *Service) Create(ctx context.Context, in CreateInput) (*Enrollment, error) {
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	role, err := ParseRole(string(in.Role))
	if err != nil {
		return nil, err
	}
	hash, sealed, en, err := s.credentials(email, in.Password)
	if err != nil {
		return nil, err
	}
	now := s.now()
	st := &Staff{Email: email, Role: role, PasswordHash: hash, TOTPSealed: sealed, CreatedAt: now, CreatedBy: in.By.Email}
	if err := s.Store.CreateStaff(ctx, st); err != nil {
		if errs.Is(err, errs.Conflict) {
			return nil, errs.InvalidField("email", "a staff member %s already exists", email)
		}
		return nil, err
	}
	if err := s.Audit(ctx, in.By, "staff.create", "staff "+email, "role "+string(role)); err != nil {
		return nil, err
	}
	en.Staff = st
	return en, nil
}

// credentials checks a password and makes what signing in needs: the
// password's hash, a new TOTP secret sealed for storage, and the
// enrollment that shows the secret once.
func (s *Service) credentials(email, password string) (hash string, sealed []byte, en *Enrollment, err error) {
	if len(password) < MinPasswordLen || len(password) > 256 {
		return "", nil, nil, errs.InvalidField("password", "must be %d to 256 characters", MinPasswordLen)
	}
	if hash, err = s.Hasher.Hash(password); err != nil {
		return "", nil, nil, fmt.Errorf("staff: hash password: %w", err)
	}
	secret, uri, err := NewTOTP(s.Config.Issuer, email)
	if err != nil {
		return "", nil, nil, fmt.Errorf("staff: new TOTP secret: %w", err)
	}
	if sealed, err = s.Vault.Seal([]byte(secret), totpAAD(email)); err != nil {
		return "", nil, nil, fmt.Errorf("staff: seal TOTP secret: %w", err)
	}
	return hash, sealed, &Enrollment{TOTPSecret: secret, TOTPURI: uri}, nil
}

// List lists every staff member.
func (s *Service) List(ctx context.Context) ([]Staff, error) { return s.Store.ListStaff(ctx) }

// Disable stops a staff member from signing in and ends their sessions.
func (s *Service) Disable(ctx context.Context, email string, by Actor) error {
	email, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	st, err := s.Store.StaffByEmail(ctx, email)
	if err != nil {
		return err
	}
	if st.Disabled() {
		return errs.E(errs.Conflict, "staff %s is already disabled", email)
	}
	if by.Email == email {
		return errs.E(errs.Forbidden, "you cannot disable yourself")
	}
	now := s.now()
	if err := s.Store.DisableStaff(ctx, st.ID, now); err != nil {
		return err
	}
	if err := s.Store.RevokeStaffSessions(ctx, st.ID, now); err != nil {
		return err
	}
	return s.Audit(ctx, by, "staff.disable", "staff "+email, "")
}

// otherStaff reads the staff member an admin acts on; acting on oneself
// is refused, so an admin cannot lock out the last admin by mistake (the
// CLI, actor "cli", acts on anyone: it is the way back in).
func (s *Service) otherStaff(ctx context.Context, email string, by Actor, what string) (*Staff, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	if by.Email == email {
		return nil, errs.E(errs.Forbidden, "you cannot %s yourself; ask another admin, or use the CLI", what)
	}
	return s.Store.StaffByEmail(ctx, email)
}

// SetRole changes a staff member's role; their sessions end, so the new
// role applies from their next sign-in.
func (s *Service) SetRole(ctx context.Context, email string, role Role, by Actor) error {
	role, err := ParseRole(string(role))
	if err != nil {
		return err
	}
	st, err := s.otherStaff(ctx, email, by, "change the role of")
	if err != nil {
		return err
	}
	if st.Role == role {
		return nil
	}
	if err := s.Store.SetRole(ctx, st.ID, role); err != nil {
		return err
	}
	if err := s.Store.RevokeStaffSessions(ctx, st.ID, s.now()); err != nil {
		return err
	}
	return s.Audit(ctx, by, "staff.role", "staff "+st.Email, fmt.Sprintf("%s → %s", st.Role, role))
}

// Reset gives a staff member a new password and a new TOTP secret (a lost
// phone, a forgotten password), ends their sessions and returns the new
// enrollment, shown once. Their role and history stay.
func (s *Service) Reset(ctx context.Context, email, password string, by Actor) (*Enrollment, error) {
	st, err := s.otherStaff(ctx, email, by, "reset")
	if err != nil {
		return nil, err
	}
	hash, sealed, en, err := s.credentials(st.Email, password)
	if err != nil {
		return nil, err
	}
	if err := s.Store.ResetCredentials(ctx, st.ID, hash, sealed); err != nil {
		return nil, err
	}
	if err := s.Store.RevokeStaffSessions(ctx, st.ID, s.now()); err != nil {
		return nil, err
	}
	if err := s.Audit(ctx, by, "staff.reset", "staff "+st.Email, "new password and TOTP secret"); err != nil {
		return nil, err
	}
	st.PasswordHash, st.TOTPSealed, st.LastTOTPStep = hash, sealed, 0
	en.Staff = st
	return en, nil
}

// SignInInput is what the sign-in form sends.
type SignInInput struct {
	Email, Password, Code string
	IP, UserAgent         string
}

// ErrSignIn is the one answer to a wrong e-mail, password or code, so a
// caller cannot tell which was wrong.
var ErrSignIn = errs.E(errs.Unauthenticated, "e-mail, password or code is wrong")

// dummyHash keeps an unknown e-mail's sign-in as slow as a known one's:
// the same hasher checks a password against it.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy, _ = s.Hasher.Hash("not a password") })
	return s.dummy
}

// SignIn checks e-mail, password and TOTP code and opens a session. It
// returns the session and its token (for the cookie; only its hash is
// stored). After MaxFailures failures in LockWindow the e-mail is locked
// until the window ends, whatever is sent; a code is accepted once. An
// e-mail no staff member has is answered exactly as a known one: the same
// hash check, the same lockout, the same words.
func (s *Service) SignIn(ctx context.Context, in SignInInput) (*Session, string, error) {
	now := s.now()
	actor := Actor{Email: in.Email, IP: in.IP, UserAgent: in.UserAgent}
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		return nil, "", ErrSignIn
	}
	actor.Email = email
	// The attempt is counted before anything is checked, so parallel
	// guesses cannot get past the limit; success clears the count.
	since, ok, firstRefused, err := s.Store.CountAttempt(ctx, email, now, now.Add(-s.Config.LockWindow), s.Config.MaxFailures)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		// Only the window's first refusal is audited: the audit log is
		// append-only, and refusals cost no hash, so auditing each would
		// let anyone fill it at the speed of the database.
		if !firstRefused {
			return nil, "", locked(since.Add(s.Config.LockWindow))
		}
		return nil, "", s.failed(ctx, actor, "locked", locked(since.Add(s.Config.LockWindow)))
	}
	st, err := s.Store.StaffByEmail(ctx, email)
	if errs.Is(err, errs.NotFound) {
		_, _ = s.Hasher.Check(s.dummyHash(), in.Password)
		return nil, "", s.failed(ctx, actor, "unknown e-mail", ErrSignIn)
	}
	if err != nil {
		return nil, "", err
	}
	okPass, err := s.Hasher.Check(st.PasswordHash, in.Password)
	if err != nil {
		return nil, "", fmt.Errorf("staff %s: check password: %w", email, err)
	}
	var step int64
	okCode := false
	if okPass {
		secret, err := s.Vault.Open(st.TOTPSealed, totpAAD(email))
		if err != nil {
			return nil, "", fmt.Errorf("staff %s: open TOTP secret: %w", email, err)
		}
		step, okCode = MatchTOTP(string(secret), in.Code, now, st.LastTOTPStep)
	}
	switch {
	case st.Disabled():
		return nil, "", s.failed(ctx, actor, "disabled", ErrSignIn)
	case !okPass:
		return nil, "", s.failed(ctx, actor, "wrong password", ErrSignIn)
	case !okCode:
		return nil, "", s.failed(ctx, actor, "wrong or reused code", ErrSignIn)
	}
	fresh, err := s.Store.SignedIn(ctx, st.ID, step)
	if err != nil {
		return nil, "", err
	}
	if !fresh { // a concurrent sign-in used the same code first
		return nil, "", s.failed(ctx, actor, "code replayed", ErrSignIn)
	}
	token, csrf := randomToken(), randomToken()
	sess := &Session{TokenHash: TokenHash(token), StaffID: st.ID, CSRF: csrf, IP: in.IP, UserAgent: in.UserAgent,
		CreatedAt: now, ExpiresAt: now.Add(s.Config.SessionTTL), Staff: st}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return nil, "", err
	}
	if err := s.Audit(ctx, actor, "signin", "staff "+email, ""); err != nil {
		return nil, "", err
	}
	return sess, token, nil
}

func locked(until time.Time) error {
	return errs.E(errs.RateLimited, "too many failed sign-ins: this e-mail is locked until %s UTC", until.UTC().Format(time.TimeOnly))
}

// failed audits a refused sign-in and returns answer.
func (s *Service) failed(ctx context.Context, a Actor, why string, answer error) error {
	if err := s.Audit(ctx, a, "signin.failed", "staff "+a.Email, why); err != nil {
		return err
	}
	return answer
}

// Authenticate returns the live session of token.
func (s *Service) Authenticate(ctx context.Context, token string) (*Session, error) {
	if token == "" {
		return nil, errs.E(errs.Unauthenticated, "sign in first")
	}
	sess, err := s.Store.Session(ctx, TokenHash(token), s.now())
	if errs.Is(err, errs.NotFound) {
		return nil, errs.E(errs.Unauthenticated, "your session has ended; sign in again")
	}
	return sess, err
}

// SignOut ends the session of token.
func (s *Service) SignOut(ctx context.Context, sess *Session, a Actor) error {
	if err := s.Store.RevokeSession(ctx, sess.TokenHash, s.now()); err != nil {
		return err
	}
	return s.Audit(ctx, a, "signout", "staff "+a.Email, "")
}

// TokenHash is what is stored of a session token.
func TokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Audit appends an entry to the audit log.
func (s *Service) Audit(ctx context.Context, a Actor, action, target, detail string) error {
	e := &Entry{At: s.now().UTC(), Actor: a.Email, Action: action, Target: target, Detail: detail, IP: a.IP, UserAgent: clip(a.UserAgent, 512)}
	if err := s.Store.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("staff: write audit entry %s: %w", action, err)
	}
	return nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// AuditPage lists the audit log, newest first.
func (s *Service) AuditPage(ctx context.Context, p page.Request) (page.Result[Entry], error) {
	return s.Store.AuditPage(ctx, p)
}

// VerifyAudit walks the whole chain and reports the entries checked and
// the first break (nil when the chain holds).
func (s *Service) VerifyAudit(ctx context.Context) (checked int64, broken error, err error) {
	var v Verifier
	err = s.Store.EachAudit(ctx, func(e *Entry) error { v.Add(e); return nil })
	return v.Checked, v.Broken, err
}

// Take claims a review item for the actor for ClaimTTL. When someone else
// holds it, the error is errs.Conflict naming them.
func (s *Service) Take(ctx context.Context, queue, item string, a Actor) (Claim, error) {
	now := s.now()
	c, err := s.Store.Claim(ctx, Claim{Queue: queue, Item: item, Holder: a.Email, ExpiresAt: now.Add(s.Config.ClaimTTL)}, now)
	if err != nil {
		return c, err
	}
	if c.Holder != a.Email {
		return c, errs.E(errs.Conflict, "%s %s is being reviewed by %s until %s UTC", queue, item, c.Holder, c.ExpiresAt.UTC().Format(time.TimeOnly))
	}
	return c, s.Audit(ctx, a, queue+".take", queue+" "+item, "")
}

// Holding returns nil when the actor holds a live claim on the item, and
// otherwise an error saying who does (or that nobody does).
func (s *Service) Holding(ctx context.Context, queue, item string, a Actor) error {
	c, err := s.Store.ClaimOf(ctx, queue, item)
	if err != nil {
		return err
	}
	switch {
	case !c.Held(s.now()):
		return errs.E(errs.Conflict, "take %s %s before deciding it", queue, item)
	case c.Holder != a.Email:
		return errs.E(errs.Conflict, "%s %s is being reviewed by %s", queue, item, c.Holder)
	}
	return nil
}

// ClaimOf returns the item's live claim, if any.
func (s *Service) ClaimOf(ctx context.Context, queue, item string) (*Claim, error) {
	c, err := s.Store.ClaimOf(ctx, queue, item)
	if err != nil || !c.Held(s.now()) {
		return nil, err
	}
	return &c, nil
}

// Claims lists the queue's live claims by item.
func (s *Service) Claims(ctx context.Context, queue string) (map[string]Claim, error) {
	cs, err := s.Store.Claims(ctx, queue, s.now())
	out := make(map[string]Claim, len(cs))
	for _, c := range cs {
		out[c.Item] = c
	}
	return out, err
}

// Release gives up the actor's claim (after a decision).
func (s *Service) Release(ctx context.Context, queue, item string, a Actor) error {
	return s.Store.ReleaseClaim(ctx, queue, item, a.Email)
}
