package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"math/big"
	"net/netip"
	"time"

	"creditpocket/internal/errs"
)

// Counter scopes for daily limits.
const (
	scopeOTPPhone  = "otp.phone"
	scopeOTPIP     = "otp.ip"
	scopeLoginFail = "login.fail"
)

// otpKept is how long a code is kept after it expires (then pruned, a
// batch whenever a code is sent).
const otpKept = 24 * time.Hour

// SendCodeInput asks for a one-time code.
type SendCodeInput struct {
	Mobile      string
	CountryCode string // optional E.164 calling code without '+'
	Purpose     string // register or login
	IP          string
}

// SendCode generates a 6-digit code, stores its keyed hash and sends it by
// SMS. A phone gets at most one code per cooldown and OTPDailyPerPhone per
// day; an IP at most OTPDailyPerIP per day. The daily counters are bumped
// with an upsert that locks the counter row, so concurrent requests for one
// phone are serialised and the limits hold under concurrency.
//
// The answer never tells whether the phone has an account: every request
// that passes the limits is stored and answered alike. Only what is sent
// differs: a login code to a phone with no account is not sent at all
// (nobody can use it), and a sign-up code to a phone that already has an
// account is replaced by a message telling its owner to log in, so a
// borrower who forgot they signed up learns it from their own phone.
func (s *Service) SendCode(ctx context.Context, in SendCodeInput) error {
	phone, _, _, err := s.phone(in.Mobile, in.CountryCode, "mobile")
	if err != nil {
		return err
	}
	switch in.Purpose {
	case PurposeRegister, PurposeLogin:
	case "":
		return errs.Required("type")
	default:
		return errs.InvalidField("type", "must be one of register, login")
	}
	code, err := randomCode()
	if err != nil {
		return err
	}
	now := s.now()
	day := now.Format(time.DateOnly)
	var registered bool
	err = s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		_, err := tx.UserByPhone(ctx, phone)
		registered = err == nil
		if err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		if err := tx.PruneCounters(ctx, pruneBefore(day)); err != nil {
			return err
		}
		if err := tx.PruneOTPs(ctx, now.Add(-otpKept)); err != nil {
			return err
		}
		n, err := tx.BumpCounter(ctx, scopeOTPPhone, phone, day)
		if err != nil {
			return err
		}
		if n > s.Config.OTPDailyPerPhone {
			return &errs.Error{Code: errs.RateLimited, Field: "mobile", Message: fmt.Sprintf("has reached the limit of %d codes a day", s.Config.OTPDailyPerPhone)}
		}
		if in.IP != "" {
			n, err := tx.BumpCounter(ctx, scopeOTPIP, ipNetwork(in.IP), day)
			if err != nil {
				return err
			}
			if n > s.Config.OTPDailyPerIP {
				return errs.E(errs.RateLimited, "too many codes requested from this network today")
			}
		}
		last, err := tx.LatestOTP(ctx, phone, in.Purpose)
		if err == nil {
			if wait := last.CreatedAt.Add(s.Config.OTPCooldown).Sub(now); wait > 0 {
				return &errs.Error{Code: errs.RateLimited, Field: "mobile", Message: fmt.Sprintf("a code was sent recently; retry in %d seconds", int(wait.Seconds()+0.999))}
			}
		} else if !errs.Is(err, errs.NotFound) {
			return err
		}
		return tx.CreateOTP(ctx, &OTP{
			Phone: phone, Purpose: in.Purpose, CodeHash: s.codeHash(phone, in.Purpose, code),
			IP: in.IP, CreatedAt: now, ExpiresAt: now.Add(s.Config.OTPTTL),
		})
	})
	if err != nil {
		return err
	}
	var text string
	switch {
	case in.Purpose == PurposeLogin && !registered:
		return nil
	case in.Purpose == PurposeRegister && registered:
		text = "You already have a creditpocket account with this number, so no sign-up code was sent. Log in instead; if you forgot your password, log in with an SMS code."
	default:
		text = fmt.Sprintf("Your creditpocket code is %s. It expires in %d minutes. Never share it.", code, int(s.Config.OTPTTL.Minutes()))
	}
	if err := s.SMS.Send(ctx, phone, text); err != nil {
		return errs.E(errs.Unavailable, "could not send the SMS; try again later")
	}
	return nil
}

// ipNetwork is the key the per-IP code limit counts: an IPv4 address (an
// IPv4-mapped one as IPv4), or an IPv6 address's /64, the least a single
// subscriber is given, so one client cannot escape the limit by walking
// its own prefix. Anything else is counted as given.
func ipNetwork(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}

// VerifyCodeInput checks a code without using it up.
type VerifyCodeInput struct {
	Mobile      string
	CountryCode string
	Code        string
	Purpose     string
}

// VerifyCode checks a code (counting the attempt) and marks it verified.
// The code stays usable for the register or login call that follows.
func (s *Service) VerifyCode(ctx context.Context, in VerifyCodeInput) error {
	phone, _, _, err := s.phone(in.Mobile, in.CountryCode, "mobile")
	if err != nil {
		return err
	}
	if in.Purpose == "" {
		in.Purpose = PurposeRegister
	}
	if in.Purpose != PurposeRegister && in.Purpose != PurposeLogin {
		return errs.InvalidField("type", "must be one of register, login")
	}
	return s.checkCode(ctx, phone, in.Purpose, in.Code, false)
}

// checkCode verifies code for phone and purpose in its own transaction, so
// a wrong attempt is counted even though the caller then fails. When
// consume is true a right code is used up.
func (s *Service) checkCode(ctx context.Context, phone, purpose, code string, consume bool) error {
	if err := validCode(code); err != nil {
		return err
	}
	now := s.now()
	var result error
	err := s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		result = nil
		o, err := tx.LatestOTP(ctx, phone, purpose)
		if errs.Is(err, errs.NotFound) {
			result = errs.InvalidField("code", "no code was sent to this mobile; request one first")
			return nil
		}
		if err != nil {
			return err
		}
		if !o.ConsumedAt.IsZero() || !now.Before(o.ExpiresAt) {
			result = errs.InvalidField("code", "has expired or was already used; request a new one")
			return nil
		}
		ok, err := tx.AddOTPAttempt(ctx, o.ID, s.Config.OTPMaxAttempts)
		if err != nil {
			return err
		}
		if !ok {
			result = &errs.Error{Code: errs.RateLimited, Field: "code", Message: "too many wrong attempts; request a new code"}
			return nil
		}
		if subtle.ConstantTimeCompare([]byte(o.CodeHash), []byte(s.codeHash(phone, purpose, code))) != 1 {
			result = errs.InvalidField("code", "is wrong")
			return nil
		}
		if consume {
			used, err := tx.ConsumeOTP(ctx, o.ID, now)
			if err != nil {
				return err
			}
			if !used {
				result = errs.InvalidField("code", "has expired or was already used; request a new one")
			}
			return nil
		}
		return tx.MarkOTPVerified(ctx, o.ID, now)
	})
	if err != nil {
		return err
	}
	return result
}

func (s *Service) codeHash(phone, purpose, code string) string {
	return s.Vault.Hash("otp", phone+"|"+purpose+"|"+code)
}

func validCode(code string) error {
	if code == "" {
		return errs.Required("code")
	}
	if len(code) != 6 {
		return errs.InvalidField("code", "must be 6 digits")
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return errs.InvalidField("code", "must be 6 digits")
		}
	}
	return nil
}

func randomCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}
