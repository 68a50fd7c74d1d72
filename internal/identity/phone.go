package identity

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// IsCallingCode reports whether code is an assigned E.164 country calling
// code (1, 86, 234, and the non-geographic ones such as 800), according to
// the libphonenumber metadata shipped with github.com/nyaruka/phonenumbers.
func IsCallingCode(code int) bool {
	return phonenumbers.GetSupportedCallingCodes()[code]
}

// ParseCallingCode parses a country calling code written as bare digits
// ("86", "234"). It rejects a leading "+" or "0", signs, spaces, more than
// three digits and codes that are not assigned.
func ParseCallingCode(s string) (int, error) {
	if s == "" {
		return 0, ErrEmpty
	}
	if len(s) > 3 || s[0] == '0' || !Digits(s) {
		return 0, ErrCallingCodeFormat
	}
	code := atoi(s)
	if !IsCallingCode(code) {
		return 0, ErrUnknownCallingCode
	}
	return code, nil
}

// maxPhoneDigits bounds the national number we hand to phonenumbers: E.164
// allows 15 digits including the calling code, plus room for a trunk prefix.
const maxPhoneDigits = 17

// NormalizePhone returns the E.164 form ("+2347068425023") of a national
// number under a country calling code. number carries no "+" and no calling
// code; it may be written in national form with the trunk prefix
// ("07068425023" under 234) and may contain spaces or hyphens as separators.
// The result must be a valid number for one of the calling code's countries,
// so under 1 both US and Canadian numbers are accepted.
func NormalizePhone(callingCode int, number string) (e164 string, err error) {
	region := phonenumbers.GetRegionCodeForCountryCode(callingCode)
	if region == phonenumbers.UNKNOWN_REGION {
		return "", ErrUnknownCallingCode
	}
	digits, err := phoneDigitsOnly(number)
	if err != nil {
		return "", err
	}
	var num *phonenumbers.PhoneNumber
	if region == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY {
		// Global services (800, 808, 882 …) have no region to parse a
		// national number against; parse the international form instead.
		num, err = phonenumbers.Parse("+"+strconv.Itoa(callingCode)+digits, phonenumbers.UNKNOWN_REGION)
	} else {
		num, err = phonenumbers.Parse(digits, region)
	}
	if err != nil {
		return "", ErrPhoneInvalid
	}
	// Parse may recognise an international dialling prefix inside the
	// digits and move the number to another country; that is not the
	// country the caller asked for.
	if int(num.GetCountryCode()) != callingCode || !phonenumbers.IsValidNumber(num) {
		return "", ErrPhoneInvalid
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// phoneDigitsOnly strips the separators people type and insists that what
// is left is a plausible run of digits.
func phoneDigitsOnly(number string) (string, error) {
	if strings.TrimSpace(number) == "" {
		return "", ErrEmpty
	}
	if len(number) > 2*maxPhoneDigits {
		return "", ErrPhoneFormat
	}
	digits := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, number)
	if digits == "" || len(digits) > maxPhoneDigits || !Digits(digits) {
		return "", ErrPhoneFormat
	}
	return digits, nil
}

// PhoneDigits returns the digits of an E.164 number without the "+"
// ("+2347068425023" → "2347068425023"), the form some partner APIs and
// list lookups key on. It does not validate; use NormalizePhone for that.
func PhoneDigits(e164 string) string {
	return strings.TrimPrefix(e164, "+")
}

// Digits reports whether s is non-empty and made only of ASCII digits.
func Digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// KeepDigits returns the ASCII digits of s in order, dropping everything
// else ("+234 (0)803-123" → "2340803123"): how an operator's typed phone
// number is compared with stored ones.
func KeepDigits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
