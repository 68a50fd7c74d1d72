package parse

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// norm makes a printed label comparable across template versions and
// producers: no white space, half-width brackets, colons and commas, one
// hyphen for every dash, ASCII digits and straight quotes. It is for
// matching labels, never for values.
func norm(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), r == '\u200b', r == '\ufeff':
			continue
		case r == '（':
			r = '('
		case r == '）':
			r = ')'
		case r == '：':
			r = ':'
		case r == '，':
			r = ','
		case r == '；':
			r = ';'
		case r == '“' || r == '”' || r == '「' || r == '」' || r == '＂':
			r = '"'
		case isDash(r):
			r = '-'
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		case r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ':
			r = r - 'Ａ' + 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isDash(r rune) bool {
	switch r {
	case '-', '－', '—', '–', '‒', '―', '‐', '‑', '─', '━', '﹣', '−':
		return true
	}
	return false
}

// clean trims a value and removes spaces a producer put next to CJK text
// (LibreOffice separates Han and digits visually; some printers space
// 截至2025 年4 月25 日). Spaces between two ASCII words stay.
func clean(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, " \t\u3000\u00a0") {
		return s
	}
	rs := []rune(s)
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if !unicode.IsSpace(r) {
			b.WriteRune(r)
			continue
		}
		j := i
		for j < len(rs) && unicode.IsSpace(rs[j]) {
			j++
		}
		prev, next := rs[i-1], rs[j]
		if prev < utf8.RuneSelf && next < utf8.RuneSelf {
			b.WriteByte(' ')
		}
		i = j - 1
	}
	return b.String()
}

var chineseDigits = map[rune]int{'一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9, '十': 10}

// sectionHeading recognises "一 个人基本信息" / "一、个人基本信息" and returns
// the title without its numeral.
func sectionHeading(n string) (string, bool) {
	rest, ok := cutNumeral(n)
	if !ok {
		return "", false
	}
	rest = strings.TrimLeft(rest, "、.")
	if _, known := sectionTitles[rest]; !known {
		return "", false
	}
	return rest, true
}

// subsectionHeading recognises "(一)身份信息" and returns the title.
func subsectionHeading(n string) (string, bool) {
	if !strings.HasPrefix(n, "(") {
		return "", false
	}
	rest, ok := cutNumeral(n[1:])
	if !ok || !strings.HasPrefix(rest, ")") {
		return "", false
	}
	return rest[1:], rest[1:] != ""
}

func cutNumeral(s string) (string, bool) {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if _, ok := chineseDigits[r]; !ok {
			break
		}
		i += size
	}
	return s[i:], i > 0
}

// The section titles of the report; 报告说明 closes the last section.
var sectionTitles = map[string]bool{
	"个人基本信息": true, "信息概要": true, "信贷交易信息明细": true, "非信贷交易信息明细": true,
	"公共信息明细": true, "本人声明": true, "异议标注": true, "查询记录": true,
}

const notesTitle = "报告说明"
