package pdf

import "testing"

func TestGlyphText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
		ok   bool
	}{
		{"a glyph list name", "Euro", "€", true},
		{"a uniXXXX name", "uni4E2D", "中", true},
		{"a uniXXXX sequence", "uni4E2D6587", "中文", true},
		{"a uXXXXX name beyond the BMP", "u1F600", "😀", true},
		{"a gXX name is a hex code", "g41", "A", true},
		{"a suffixed name uses its base", "a.sc", "a", true},
		{"a ligature name joins its parts", "f_i", "fi", true},
		{"an unknown name", "blorp", "", false},
		{"an empty name", "", "", false},
		{"a surrogate in uniXXXX is rejected", "uniD800", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := glyphText(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("glyphText(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestBaseEncodings(t *testing.T) {
	tests := []struct {
		name string
		enc  *[256]rune
		code byte
		want rune
	}{
		{"WinAnsi 0x80 is the euro sign", &winAnsiEncoding, 0x80, '€'},
		{"WinAnsi 0xE9 is e acute", &winAnsiEncoding, 0xE9, 'é'},
		{"MacRoman 0xA5 is a bullet", &macRomanEncoding, 0xA5, '•'},
		{"Standard 0x27 is a right quote", &standardEncoding, 0x27, '’'},
		{"Standard 0xAE is the fi ligature", &standardEncoding, 0xAE, 'ﬁ'},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.enc[tt.code]; got != tt.want {
				t.Errorf("code %#x = %q, want %q", tt.code, got, tt.want)
			}
		})
	}
}
