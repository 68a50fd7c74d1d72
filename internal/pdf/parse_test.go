package pdf

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in    string
		want  float64
		isInt bool
		ok    bool
	}{
		{"42", 42, true, true},
		{"-17", -17, true, true},
		{"+.5", 0.5, false, true},
		{"4.", 4, false, true},
		{"-.002", -0.002, false, true},
		{"--3", 3, true, true},
		{"1.2.3", 0, false, false},
		{"-", 0, false, false},
		{"12a", 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, isInt, ok := parseNumber([]byte(tt.in))
			if ok != tt.ok || (ok && (v != tt.want || isInt != tt.isInt)) {
				t.Errorf("parseNumber(%q) = %v, %v, %v; want %v, %v, %v", tt.in, v, isInt, ok, tt.want, tt.isInt, tt.ok)
			}
		})
	}
}

func TestParseObject(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want any
	}{
		{"a name decodes #xx escapes", "/A#20B", name("A B")},
		{"a literal string decodes escapes and nesting", `(a\(b\)c\n\101\0 (x) \
d)`, "a(b)c\nA\x00 (x) d"},
		{"a hex string with an odd digit count is padded", "<4E2D 4>", "N-@"},
		{"an integer pair followed by R is a reference", "12 0 R", ref{12, 0}},
		{"an integer not followed by G R stays an integer", "12 0 obj", int64(12)},
		{"a real is a float", "-3.25", -3.25},
		{"arrays and dictionaries nest", "<</A [1 (x) /N] /B <</C true>> /D null>>",
			dict{"A": array{int64(1), "x", name("N")}, "B": dict{"C": true}, "D": nil}},
		{"a key without a value is tolerated", "<</A /B /C>>", dict{"A": name("B"), "C": nil}},
		{"comments are whitespace", "[1 % comment\n 2]", array{int64(1), int64(2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &parser{scanner: scanner{buf: []byte(tt.in)}, maxDepth: 10}
			got, err := p.object(0)
			if err != nil {
				t.Fatalf("object(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("object(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseObjectErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"an unterminated array", "[1 2", errEOF},
		{"an unterminated string", "(abc", errEOF},
		{"a stray delimiter", ")", ErrMalformed},
		{"an unknown keyword", "bogus", ErrMalformed},
		{"nesting beyond the limit", "[[[[[[[[[[[[1]]]]]]]]]]]]", ErrLimit},
		{"a dictionary key that is not a name", "<<1 2>>", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &parser{scanner: scanner{buf: []byte(tt.in)}, maxDepth: 10}
			_, err := p.object(0)
			if !errors.Is(err, tt.want) {
				t.Errorf("object(%q) error = %v, want %v", tt.in, err, tt.want)
			}
			var located *Error
			if !errors.As(err, &located) || located.Offset < 0 {
				t.Errorf("error %v carries no offset", err)
			}
		})
	}
}

func TestIndirectStreamUsesLengthOrEndstream(t *testing.T) {
	for _, in := range []string{
		"7 0 obj <</Length 5>> stream\r\nhello\r\nendstream endobj",
		"7 0 obj <</Length 500>> stream\nhello\nendstream endobj",
		"7 0 obj <</Length 2>> stream\nhello\nendstream endobj",
	} {
		p := &parser{scanner: scanner{buf: []byte(in)}, maxDepth: 10}
		n, v, err := p.indirect()
		if err != nil {
			t.Fatalf("indirect(%q): %v", in, err)
		}
		s, ok := v.(*stream)
		if n != 7 || !ok || string(s.raw) != "hello" {
			t.Errorf("indirect(%q) = %d, %#v; want object 7, stream \"hello\"", in, n, v)
		}
	}
}
