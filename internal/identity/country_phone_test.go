package identity

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/language"
)

func TestIsCountry(t *testing.T) {
	tests := []struct {
		name string
		code string
		want bool
	}{
		{"Nigeria is a country", "NG", true},
		{"China is a country", "CN", true},
		{"Åland, a late addition, is a country code", "AX", true},
		{"South Sudan (2011) is a country code", "SS", true},
		{"lower case is not canonical", "ng", false},
		{"mixed case is not canonical", "Ng", false},
		{"the UK reservation is not the code for Britain", "UK", false},
		{"the EU reservation is not a country", "EU", false},
		{"user-assigned XK for Kosovo is refused", "XK", false},
		{"user-assigned ZZ is refused", "ZZ", false},
		{"withdrawn AN (Netherlands Antilles) is refused", "AN", false},
		{"alpha-3 is refused", "NGA", false},
		{"empty is refused", "", false},
		{"surrounding space is refused", " NG", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsCountry(tt.code); got != tt.want {
				t.Errorf("IsCountry(%q) = %v, want %v", tt.code, got, tt.want)
			}
		})
	}
}

func TestCountryListIsCompleteAndWellFormed(t *testing.T) {
	codes := strings.Fields(iso3166Alpha2)
	if len(codes) != 249 || len(countries) != 249 {
		t.Fatalf("have %d codes (%d distinct), ISO 3166-1 assigns 249", len(codes), len(countries))
	}
	for i, c := range codes {
		if i > 0 && codes[i-1] >= c {
			t.Errorf("%s is out of order after %s", c, codes[i-1])
		}
		// x/text knows the same registry: every code must be a country
		// region there, which catches typos in the embedded list.
		r, err := language.ParseRegion(c)
		if err != nil || !r.IsCountry() {
			t.Errorf("%s is not a country region in golang.org/x/text/language (err %v)", c, err)
		}
	}
}

func TestIsCallingCode(t *testing.T) {
	for _, code := range []int{1, 7, 44, 86, 234, 971, 800, 882} {
		if !IsCallingCode(code) {
			t.Errorf("IsCallingCode(%d) = false, want true", code)
		}
	}
	for _, code := range []int{-1, 0, 999, 1000, 2340} {
		if IsCallingCode(code) {
			t.Errorf("IsCallingCode(%d) = true, want false", code)
		}
	}
}

func TestParseCallingCode(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int
		wantErr error
	}{
		{"China parses", "86", 86, nil},
		{"Nigeria parses", "234", 234, nil},
		{"North America parses", "1", 1, nil},
		{"a plus sign is refused", "+86", 0, ErrCallingCodeFormat},
		{"a leading zero is refused", "086", 0, ErrCallingCodeFormat},
		{"empty is refused", "", 0, ErrEmpty},
		{"letters are refused", "8a", 0, ErrCallingCodeFormat},
		{"four digits are refused", "2340", 0, ErrCallingCodeFormat},
		{"a space is refused", " 86", 0, ErrCallingCodeFormat},
		{"non-ASCII digits are refused", "٨٦", 0, ErrCallingCodeFormat},
		{"a minus sign is refused", "-1", 0, ErrCallingCodeFormat},
		{"an unassigned code is refused", "999", 0, ErrUnknownCallingCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCallingCode(tt.in)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("ParseCallingCode(%q) = %d, %v; want %d, %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		name    string
		cc      int
		number  string
		want    string
		wantErr error
	}{
		{"a Nigerian mobile without trunk prefix", 234, "7068425023", "+2347068425023", nil},
		{"a Nigerian mobile with trunk prefix 0", 234, "07068425023", "+2347068425023", nil},
		{"a Nigerian mobile typed with spaces", 234, "0706 842 5023", "+2347068425023", nil},
		{"a Nigerian mobile typed with hyphens", 234, "0706-842-5023", "+2347068425023", nil},
		{"a Chinese mobile", 86, "13812345678", "+8613812345678", nil},
		{"a US number under calling code 1", 1, "2015550123", "+12015550123", nil},
		{"a Canadian number under calling code 1", 1, "5062345678", "+15062345678", nil},
		{"a UK mobile with trunk prefix", 44, "07911123456", "+447911123456", nil},
		{"an Italian landline keeps its leading 0", 39, "0212345678", "+390212345678", nil},
		{"a global freephone number", 800, "12345678", "+80012345678", nil},
		{"a Chinese mobile one digit short", 86, "1381234567", "", ErrPhoneInvalid},
		{"a Nigerian number too short", 234, "706842", "", ErrPhoneInvalid},
		{"a number sent with +", 234, "+2347068425023", "", ErrPhoneFormat},
		{"letters in the number", 234, "70684abc23", "", ErrPhoneFormat},
		{"an absurdly long number", 234, strings.Repeat("7", 40), "", ErrPhoneFormat},
		{"an international prefix to another country", 234, "009 86 13812345678", "", ErrPhoneInvalid},
		{"an empty number", 234, "", "", ErrEmpty},
		{"only separators", 234, " - ", "", ErrPhoneFormat},
		{"an unassigned calling code", 999, "12345678", "", ErrUnknownCallingCode},
		{"calling code zero", 0, "12345678", "", ErrUnknownCallingCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizePhone(tt.cc, tt.number)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("NormalizePhone(%d, %q) = %q, %v; want %q, %v", tt.cc, tt.number, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestPhoneDigits(t *testing.T) {
	if got := PhoneDigits("+2347068425023"); got != "2347068425023" {
		t.Errorf("PhoneDigits = %q", got)
	}
	if got := PhoneDigits("2347068425023"); got != "2347068425023" {
		t.Errorf("PhoneDigits without + = %q", got)
	}
}

func FuzzNormalizePhone(f *testing.F) {
	f.Add(234, "07068425023")
	f.Add(1, "2015550123")
	f.Add(800, "12345678")
	f.Add(86, "+86 138")
	f.Add(44, "\x00\xff")
	f.Fuzz(func(t *testing.T, cc int, number string) {
		got, err := NormalizePhone(cc, number)
		if err != nil {
			return
		}
		prefix := "+" + strconv.Itoa(cc)
		if !strings.HasPrefix(got, prefix) || !Digits(PhoneDigits(got)) || len(got) > 16 {
			t.Fatalf("NormalizePhone(%d, %q) = %q, not E.164 under %s", cc, number, got, prefix)
		}
		// The E.164 national part must normalise to itself.
		again, err := NormalizePhone(cc, strings.TrimPrefix(got, prefix))
		if err != nil || again != got {
			t.Fatalf("re-normalising %q gave %q, %v", got, again, err)
		}
	})
}
