package staff

import (
	"crypto/subtle"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters: RFC 6238 defaults, which every authenticator app reads
// from the otpauth:// URI.
const (
	totpPeriod = 30 * time.Second
	totpDigits = otp.DigitsSix
	// totpSkew accepts the previous and the next step too, for clocks a
	// little apart.
	totpSkew = 1
)

// NewTOTP makes a fresh secret for account and its otpauth:// URI (what
// an authenticator app scans).
func NewTOTP(issuer, account string) (secret, uri string, err error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: uint(totpPeriod / time.Second),
		Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", err
	}
	return k.Secret(), k.URL(), nil
}

// Code returns the code of secret at t (tests and the CLI's self-check).
func Code(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totpOpts)
}

var totpOpts = totp.ValidateOpts{Period: uint(totpPeriod / time.Second), Digits: totpDigits, Algorithm: otp.AlgorithmSHA1}

// MatchTOTP checks code against secret at now, allowing one step of clock
// skew either way, and returns the step the code belongs to. A code is
// valid only if its step is after lastStep: each code signs in once.
func MatchTOTP(secret, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	if len(code) != totpDigits.Length() {
		return 0, false
	}
	for skew := -totpSkew; skew <= totpSkew; skew++ {
		t := now.Add(time.Duration(skew) * totpPeriod)
		want, err := totp.GenerateCodeCustom(secret, t, totpOpts)
		if err != nil {
			return 0, false
		}
		s := t.Unix() / int64(totpPeriod/time.Second)
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && s > lastStep {
			return s, true
		}
	}
	return 0, false
}
