package pdf

import "strconv"

// The object model is deliberately plain Go values, so that a parsed file is
// cheap to build and easy to inspect:
//
//	null → nil, boolean → bool, integer → int64, real → float64,
//	string → string (raw bytes), name → name, array → array,
//	dictionary → dict, stream → *stream, indirect reference → ref.
type (
	name  string
	array []any
	dict  map[name]any
	ref   struct{ num, gen int }
)

// stream is a stream object; raw holds the still-encoded bytes (a slice of the
// file buffer, never copied).
type stream struct {
	dict dict
	raw  []byte
	off  int64 // file offset of raw, for error messages
	num  int   // object number, 0 if unknown
}

func (r ref) String() string { return strconv.Itoa(r.num) + " " + strconv.Itoa(r.gen) + " R" }

// num converts a numeric object to float64.
func num(o any) (float64, bool) {
	switch v := o.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// integer converts a numeric object to int64, truncating reals.
func integer(o any) (int64, bool) {
	switch v := o.(type) {
	case int64:
		return v, true
	case float64:
		if v > -9e18 && v < 9e18 {
			return int64(v), true
		}
	}
	return 0, false
}
