package identity

import "time"

// China resident identity card number (GB 11643-1999): six digits of
// address code, eight of birth date (YYYYMMDD), three of sequence (odd for
// men, even for women) and one ISO 7064 MOD 11-2 check character, which is
// a digit or X (standing for 10).
var (
	residentIDWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	residentIDCheck   = "10X98765432" // indexed by weighted sum mod 11
)

// ChinaResidentID checks an 18-character China resident ID number and
// returns the birth date embedded in it (UTC midnight). It checks the
// format, the MOD 11-2 check character (upper-case X only, the canonical
// form) and that the date exists. It does not compare the date with today:
// the function is pure, callers decide what "in the future" means.
func ChinaResidentID(id string) (birth time.Time, err error) {
	if id == "" {
		return time.Time{}, ErrEmpty
	}
	if len(id) != 18 || !Digits(id[:17]) {
		return time.Time{}, ErrResidentIDFormat
	}
	last := id[17]
	if (last < '0' || last > '9') && last != 'X' {
		return time.Time{}, ErrResidentIDFormat
	}
	sum := 0
	for i, w := range residentIDWeights {
		sum += int(id[i]-'0') * w
	}
	if residentIDCheck[sum%11] != last {
		return time.Time{}, ErrCheckDigit
	}
	birth, ok := calendarDate(atoi(id[6:10]), atoi(id[10:12]), atoi(id[12:14]))
	if !ok {
		return time.Time{}, ErrBirthDate
	}
	return birth, nil
}

// ValidBVN checks the form of a Nigerian Bank Verification Number: exactly
// 11 ASCII digits. The BVN has no public check digit, so a well-formed
// number may still not exist; only NIBSS can confirm that.
func ValidBVN(s string) error { return elevenDigits(s) }

// ValidNIN checks the form of a Nigerian National Identification Number
// issued by NIMC: exactly 11 ASCII digits (no public check digit).
func ValidNIN(s string) error { return elevenDigits(s) }

func elevenDigits(s string) error {
	if s == "" {
		return ErrEmpty
	}
	if len(s) != 11 || !Digits(s) {
		return ErrElevenDigits
	}
	return nil
}

// nubanWeights is the CBN seed "373373373373373" applied to the 6-digit
// institution code followed by the 9-digit account serial number.
var nubanWeights = [15]int{3, 7, 3, 3, 7, 3, 3, 7, 3, 3, 7, 3, 3, 7, 3}

// ValidNUBAN checks a 10-digit Nigerian Uniform Bank Account Number against
// the code of the institution that holds it, using the CBN check-digit
// algorithm. It follows the revised standard of March 2020, which widened
// the institution code to six digits so that microfinance banks and other
// financial institutions are covered:
//
//   - a 3-digit deposit money bank code ("058") is padded with three
//     leading zeros ("000058"), which gives exactly the original 2010
//     algorithm (weights 3,7,3,3,7,3,3,7,3,3,7,3 over code + serial);
//   - a 5-digit OFI code ("50211") gets a leading 9 ("950211");
//   - a 6-digit code is used as is.
//
// The check digit is (10 − Σ digit×weight mod 10) mod 10 over the 15
// digits of institution code and the first nine account digits.
func ValidNUBAN(bankCode, account string) error {
	if account == "" {
		return ErrEmpty
	}
	if len(account) != 10 || !Digits(account) {
		return ErrNUBANFormat
	}
	var code string
	switch {
	case !Digits(bankCode):
		return ErrBankCode
	case len(bankCode) == 3:
		code = "000" + bankCode
	case len(bankCode) == 5:
		code = "9" + bankCode
	case len(bankCode) == 6:
		code = bankCode
	default:
		return ErrBankCode
	}
	if nubanCheckDigit(code+account[:9]) != account[9] {
		return ErrCheckDigit
	}
	return nil
}

// nubanCheckDigit computes the check digit over 15 ASCII digits.
func nubanCheckDigit(digits string) byte {
	sum := 0
	for i, w := range nubanWeights {
		sum += int(digits[i]-'0') * w
	}
	return byte('0' + (10-sum%10)%10)
}

// atoi converts a short run of ASCII digits already checked by Digits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
