package pdf

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// glyphList is the subset of the Adobe Glyph List that covers every name in
// the Standard, WinAnsi and MacRoman encodings plus common symbols. Names
// outside it still resolve through the uniXXXX, uXXXX[XX] and gXX forms.
const glyphList = `A 41 AE c6 Aacute c1 Acircumflex c2 Adieresis c4 Agrave c0 Aring c5 Atilde c3
B 42 C 43 Ccedilla c7 D 44 Delta 2206 E 45 Eacute c9 Ecircumflex ca Edieresis cb Egrave c8 Eth d0
Euro 20ac F 46 G 47 H 48 I 49 Iacute cd Icircumflex ce Idieresis cf Igrave cc J 4a K 4b L 4c
Lslash 141 M 4d N 4e Ntilde d1 O 4f OE 152 Oacute d3 Ocircumflex d4 Odieresis d6 Ograve d2
Omega 2126 Oslash d8 Otilde d5 P 50 Q 51 R 52 S 53 Scaron 160 T 54 Thorn de U 55 Uacute da
Ucircumflex db Udieresis dc Ugrave d9 V 56 W 57 X 58 Y 59 Yacute dd Ydieresis 178 Z 5a Zcaron 17d
a 61 aacute e1 acircumflex e2 acute b4 adieresis e4 ae e6 agrave e0 ampersand 26 apple f8ff
approxequal 2248 aring e5 asciicircum 5e asciitilde 7e asterisk 2a at 40 atilde e3 b 62
backslash 5c bar 7c braceleft 7b braceright 7d bracketleft 5b bracketright 5d breve 2d8
brokenbar a6 bullet 2022 c 63 caron 2c7 ccedilla e7 cedilla b8 cent a2 circumflex 2c6 colon 3a
comma 2c copyright a9 currency a4 d 64 dagger 2020 daggerdbl 2021 degree b0 dieresis a8 divide f7
dollar 24 dotaccent 2d9 dotlessi 131 e 65 eacute e9 ecircumflex ea edieresis eb egrave e8 eight 38
ellipsis 2026 emdash 2014 endash 2013 equal 3d eth f0 exclam 21 exclamdown a1 f 66 fi fb01
five 35 fl fb02 florin 192 four 34 fraction 2044 g 67 germandbls df grave 60 greater 3e
greaterequal 2265 guillemotleft ab guillemotright bb guilsinglleft 2039 guilsinglright 203a
h 68 hungarumlaut 2dd hyphen 2d i 69 iacute ed icircumflex ee idieresis ef igrave ec infinity 221e
integral 222b j 6a k 6b l 6c less 3c lessequal 2264 logicalnot ac lozenge 25ca lslash 142 m 6d
macron af minus 2212 mu b5 multiply d7 n 6e nbspace a0 nine 39 notequal 2260 ntilde f1
numbersign 23 o 6f oacute f3 ocircumflex f4 odieresis f6 oe 153 ogonek 2db ograve f2 one 31
onehalf bd onequarter bc onesuperior b9 ordfeminine aa ordmasculine ba oslash f8 otilde f5 p 70
paragraph b6 parenleft 28 parenright 29 partialdiff 2202 percent 25 period 2e periodcentered b7
perthousand 2030 pi 3c0 plus 2b plusminus b1 product 220f q 71 question 3f questiondown bf
quotedbl 22 quotedblbase 201e quotedblleft 201c quotedblright 201d quoteleft 2018 quoteright 2019
quotesinglbase 201a quotesingle 27 r 72 radical 221a registered ae ring 2da s 73 scaron 161
section a7 semicolon 3b seven 37 sfthyphen ad six 36 slash 2f space 20 sterling a3 summation 2211
t 74 thorn fe three 33 threequarters be threesuperior b3 tilde 2dc trademark 2122 two 32
twosuperior b2 u 75 uacute fa ucircumflex fb udieresis fc ugrave f9 underscore 5f v 76 w 77 x 78
y 79 yacute fd ydieresis ff yen a5 z 7a zcaron 17e zero 30 ff fb00 ffi fb03 ffl fb04
arrowleft 2190 arrowup 2191 arrowright 2192 arrowdown 2193 checkmark 2713 uni3000 3000
middot b7 overscore af commaaccent 326 Gamma 393 Theta 398 Sigma 3a3 Phi 3a6 alpha 3b1 beta 3b2
gamma 3b3 delta 3b4 epsilon 3b5 theta 3b8 lambda 3bb sigma 3c3 tau 3c4 phi 3c6 omega 3c9`

var glyphNames = func() map[string]rune {
	f := strings.Fields(glyphList)
	m := make(map[string]rune, len(f)/2)
	for i := 0; i+1 < len(f); i += 2 {
		v, err := strconv.ParseUint(f[i+1], 16, 32)
		if err != nil {
			panic("pdf: bad glyph list entry " + f[i])
		}
		m[f[i]] = rune(v)
	}
	return m
}()

// standardCodes lists StandardEncoding above ASCII as "code name" pairs; codes
// 32–126 are ASCII except quoteright (39) and quoteleft (96).
const standardCodes = `161 exclamdown 162 cent 163 sterling 164 fraction 165 yen 166 florin 167 section
168 currency 169 quotesingle 170 quotedblleft 171 guillemotleft 172 guilsinglleft 173 guilsinglright
174 fi 175 fl 177 endash 178 dagger 179 daggerdbl 180 periodcentered 182 paragraph 183 bullet
184 quotesinglbase 185 quotedblbase 186 quotedblright 187 guillemotright 188 ellipsis 189 perthousand
191 questiondown 193 grave 194 acute 195 circumflex 196 tilde 197 macron 198 breve 199 dotaccent
200 dieresis 202 ring 203 cedilla 205 hungarumlaut 206 ogonek 207 caron 208 emdash 225 AE
227 ordfeminine 232 Lslash 233 Oslash 234 OE 235 ordmasculine 241 ae 245 dotlessi 248 lslash
249 oslash 250 oe 251 germandbls`

// Base encodings as code → rune; 0 means undefined.
var (
	standardEncoding = func() (t [256]rune) {
		for c := 32; c < 127; c++ {
			t[c] = rune(c)
		}
		t[39], t[96] = 0x2019, 0x2018
		f := strings.Fields(standardCodes)
		for i := 0; i+1 < len(f); i += 2 {
			c, _ := strconv.Atoi(f[i])
			t[c] = glyphNames[f[i+1]]
		}
		return t
	}()
	winAnsiEncoding  = charmapTable(charmap.Windows1252)
	macRomanEncoding = charmapTable(charmap.Macintosh)
	// pdfDocEncoding is close enough to Latin-1 for symbolic fonts without an encoding.
	latin1Encoding = func() (t [256]rune) {
		for c := 32; c < 256; c++ {
			t[c] = rune(c)
		}
		return t
	}()
)

func charmapTable(cm *charmap.Charmap) (t [256]rune) {
	for c := 32; c < 256; c++ {
		if r := cm.DecodeByte(byte(c)); r != utf8.RuneError {
			t[c] = r
		}
	}
	// WinAnsi and MacRoman map 0x7F and the control range to nothing visible.
	t[127] = 0
	return t
}

// glyphText maps a glyph name to its text: the glyph list, then the
// uniXXXX[XXXX…], uXXXX[XX] and gXX forms, then the part before a '.' or
// ligature components separated by '_'.
func glyphText(n string) (string, bool) {
	if n == "" {
		return "", false
	}
	if r, ok := glyphNames[n]; ok {
		return string(r), true
	}
	switch {
	case strings.HasPrefix(n, "uni") && len(n) >= 7 && (len(n)-3)%4 == 0:
		var b strings.Builder
		for i := 3; i < len(n); i += 4 {
			v, err := strconv.ParseUint(n[i:i+4], 16, 16)
			if err != nil || (v >= 0xD800 && v <= 0xDFFF) {
				return "", false
			}
			b.WriteRune(rune(v))
		}
		return b.String(), true
	case n[0] == 'u' && len(n) >= 5 && len(n) <= 7:
		if v, err := strconv.ParseUint(n[1:], 16, 32); err == nil && v <= 0x10FFFF && (v < 0xD800 || v > 0xDFFF) {
			return string(rune(v)), true
		}
	case (n[0] == 'g' || n[0] == 'G') && len(n) == 3:
		if v, err := strconv.ParseUint(n[1:], 16, 8); err == nil && v >= 32 {
			return string(rune(v)), true
		}
	}
	if i := strings.IndexByte(n, '.'); i > 0 {
		return glyphText(n[:i])
	}
	if strings.Contains(n, "_") {
		var b strings.Builder
		for _, part := range strings.Split(n, "_") {
			if part == "" {
				return "", false
			}
			t, ok := glyphText(part)
			if !ok {
				return "", false
			}
			b.WriteString(t)
		}
		return b.String(), true
	}
	return "", false
}

// Built-in advance widths (1/1000 em) of ASCII 32–126 for standard 14 fonts
// used without /Widths, in StandardEncoding order.
var (
	helveticaWidths = [95]uint16{
		278, 278, 355, 556, 556, 889, 667, 222, 333, 333, 389, 584, 278, 333, 278, 278,
		556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
		1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
		667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
		222, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
		556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
	}
	timesWidths = [95]uint16{
		250, 333, 408, 500, 500, 833, 778, 333, 333, 333, 500, 564, 250, 333, 250, 278,
		500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444,
		921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722,
		556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500,
		333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500,
		500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
	}
)

// builtinWidth approximates the width of code in a standard 14 font.
func builtinWidth(base string, code int) float64 {
	switch {
	case strings.Contains(base, "Courier"):
		return 600
	case code < 32 || code > 126:
		return 500
	case strings.Contains(base, "Times"):
		return float64(timesWidths[code-32])
	}
	return float64(helveticaWidths[code-32])
}
