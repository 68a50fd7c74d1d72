package identity

import (
	"errors"
	"testing"
	"time"
)

func TestChinaResidentID(t *testing.T) {
	tests := []struct {
		name      string
		id        string
		wantBirth string // YYYY-MM-DD when valid
		wantErr   error
	}{
		{"the published example with check character X", "11010519491231002X", "1949-12-31", nil},
		{"a number with a digit check character", "320106199205140410", "1992-05-14", nil},
		{"a birthday on 29 February of a leap year", "440308200002291231", "2000-02-29", nil},
		{"a birth date in the future is not this function's business", "110101203001010022", "2030-01-01", nil},
		{"a lower-case x is not the canonical form", "11010519491231002x", "", ErrResidentIDFormat},
		{"one digit changed breaks the check", "11010519491231003X", "", ErrCheckDigit},
		{"two adjacent digits swapped break the check", "11010519491213002X", "", ErrCheckDigit},
		{"29 February of a common year is not a date", "440308200102291239", "", ErrBirthDate},
		{"month 13 is not a date", "110101209913010014", "", ErrBirthDate},
		{"30 February is not a date", "11010119800230001X", "", ErrBirthDate},
		{"the 15-digit first-generation number is refused", "110105491231002", "", ErrResidentIDFormat},
		{"19 characters are refused", "11010519491231002X1", "", ErrResidentIDFormat},
		{"a letter inside is refused", "1101051949123100AX", "", ErrResidentIDFormat},
		{"X in the middle is refused", "110105194912X10021", "", ErrResidentIDFormat},
		{"full-width digits are refused", "１１０１０５１９４９１２３１００２Ｘ", "", ErrResidentIDFormat},
		{"empty is refused", "", "", ErrEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			birth, err := ChinaResidentID(tt.id)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ChinaResidentID(%q) error = %v, want %v", tt.id, err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got := birth.Format(time.DateOnly); got != tt.wantBirth {
				t.Errorf("birth = %s, want %s", got, tt.wantBirth)
			}
		})
	}
}

func FuzzChinaResidentID(f *testing.F) {
	f.Add("11010519491231002X")
	f.Add("440308200102291239")
	f.Add("")
	f.Add("\xff\xfe")
	f.Fuzz(func(t *testing.T, id string) {
		birth, err := ChinaResidentID(id)
		if err != nil {
			return
		}
		// Whatever passes must be 18 characters whose embedded date is
		// the one returned.
		if len(id) != 18 || birth.Format("20060102") != id[6:14] {
			t.Fatalf("ChinaResidentID(%q) accepted with birth %v", id, birth)
		}
	})
}

func TestValidBVNAndNIN(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"eleven digits pass", "22123456789", nil},
		{"leading zeros are digits too", "01234567890", nil},
		{"ten digits fail", "2212345678", ErrElevenDigits},
		{"twelve digits fail", "221234567890", ErrElevenDigits},
		{"a letter fails", "2212345678A", ErrElevenDigits},
		{"a space fails", "22123 56789", ErrElevenDigits},
		{"a sign fails", "+2212345678", ErrElevenDigits},
		{"Arabic-Indic digits fail", "٢٢١٢٣٤٥٦٧٨٩", ErrElevenDigits},
		{"empty fails", "", ErrEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := ValidBVN(tt.in); !errors.Is(err, tt.wantErr) {
				t.Errorf("ValidBVN(%q) = %v, want %v", tt.in, err, tt.wantErr)
			}
			if err := ValidNIN(tt.in); !errors.Is(err, tt.wantErr) {
				t.Errorf("ValidNIN(%q) = %v, want %v", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestValidNUBAN(t *testing.T) {
	tests := []struct {
		name    string
		bank    string
		account string
		wantErr error
	}{
		{"a GTBank account passes", "058", "0163505447", nil},
		{"the CBN 2010 worked example 1 passes", "011", "0000014579", nil},
		{"the CBN 2010 worked example 2 (check 10 → 0) passes", "011", "0000000220", nil},
		{"a 5-digit microfinance code gets the 9 prefix", "50211", "1234567897", nil},
		{"a 6-digit institution code is used as is", "090267", "1234567893", nil},
		{"a 5-digit code is not a zero-padded 3-digit one", "00058", "1234567899", nil},
		{"the wrong last digit fails", "058", "0163505448", ErrCheckDigit},
		{"the right account at the wrong bank fails", "011", "0163505447", ErrCheckDigit},
		{"two swapped digits fail", "058", "0163505474", ErrCheckDigit},
		{"nine digits fail", "058", "016350544", ErrNUBANFormat},
		{"eleven digits fail", "058", "01635054470", ErrNUBANFormat},
		{"a letter in the account fails", "058", "01635O5447", ErrNUBANFormat},
		{"an empty account fails", "058", "", ErrEmpty},
		{"a 4-digit bank code fails", "0058", "0163505447", ErrBankCode},
		{"a letter in the bank code fails", "05B", "0163505447", ErrBankCode},
		{"an empty bank code fails", "", "0163505447", ErrBankCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := ValidNUBAN(tt.bank, tt.account); !errors.Is(err, tt.wantErr) {
				t.Errorf("ValidNUBAN(%q, %q) = %v, want %v", tt.bank, tt.account, err, tt.wantErr)
			}
		})
	}
}

func TestNUBANCheckDigitCatchesEverySingleDigitError(t *testing.T) {
	const bank, account = "058", "0163505447"
	for pos := 0; pos < len(account); pos++ {
		for d := byte('0'); d <= '9'; d++ {
			if d == account[pos] {
				continue
			}
			bad := []byte(account)
			bad[pos] = d
			if err := ValidNUBAN(bank, string(bad)); err == nil {
				t.Errorf("ValidNUBAN(%q, %q) passed", bank, bad)
			}
		}
	}
}
