package pdf

import "testing"

const toUnicodeCMap = `/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CMapName /Adobe-Identity-UCS def
1 begincodespacerange
<00> <80>
<8140> <FEFE>
endcodespacerange
3 beginbfchar
<01> <4E2A>
<8141> <4EBA>
<02> <D83DDE00>
endbfchar
2 beginbfrange
<10> <12> <0041>
<8150> <8152> [<4FE1> <7528> <0066006C>]
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end`

func TestToUnicodeCMap(t *testing.T) {
	cm := parseCMap([]byte(toUnicodeCMap))
	tests := []struct {
		name string
		code codeKey
		want string
		ok   bool
	}{
		{"a one-byte bfchar", codeKey{0x01, 1}, "个", true},
		{"a two-byte bfchar", codeKey{0x8141, 2}, "人", true},
		{"a surrogate pair", codeKey{0x02, 1}, "😀", true},
		{"the offset form of bfrange increments the last unit", codeKey{0x12, 1}, "C", true},
		{"the array form of bfrange", codeKey{0x8151, 2}, "用", true},
		{"an array entry with two characters", codeKey{0x8152, 2}, "fl", true},
		{"a code of the wrong length is not mapped", codeKey{0x0001, 2}, "", false},
		{"an unmapped code", codeKey{0x7F, 1}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := cm.lookupUnicode(tt.code)
			if got != tt.want || ok != tt.ok {
				t.Errorf("lookupUnicode(%v) = %q, %v; want %q, %v", tt.code, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestCodespaceSplitsMixedLengthCodes(t *testing.T) {
	cm := parseCMap([]byte(toUnicodeCMap))
	in := []byte{0x01, 0x81, 0x41, 0x10, 0xFF}
	var got []codeKey
	for len(in) > 0 {
		k, n := cm.nextCode(in)
		got = append(got, k)
		in = in[n:]
	}
	want := []codeKey{{0x01, 1}, {0x8141, 2}, {0x10, 1}, {0xFF, 1}}
	if len(got) != len(want) {
		t.Fatalf("codes = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("code %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestEncodingCMapMapsCodesToCIDs(t *testing.T) {
	cm := parseCMap([]byte(`1 begincodespacerange <0000> <FFFF> endcodespacerange
1 begincidchar <0005> 77 endcidchar
1 begincidrange <0100> <01FF> 1000 endcidrange`))
	for _, tt := range []struct {
		code uint32
		cid  uint32
		ok   bool
	}{{5, 77, true}, {0x0105, 1005, true}, {0x0300, 0, false}} {
		cid, ok := cm.lookupCID(codeKey{tt.code, 2})
		if cid != tt.cid || ok != tt.ok {
			t.Errorf("lookupCID(%#x) = %d, %v; want %d, %v", tt.code, cid, ok, tt.cid, tt.ok)
		}
	}
}

func TestGarbageCMapDoesNotPanic(t *testing.T) {
	for _, in := range []string{"", "begincodespacerange <00>", "] ] [ beginbfrange <01> endbfrange", "beginbfrange <FFFFFFFFFF> <00> <41> endbfrange"} {
		_ = parseCMap([]byte(in))
	}
}
