package jsonscan_test

import (
	"errors"
	"strings"
	"testing"

	"creditpocket/internal/kyc/jsonscan"
)

// skipAll scans one value and checks that nothing follows it.
func skipAll(body string, max int64) error {
	sc := jsonscan.New(strings.NewReader(body), max)
	if err := sc.Skip(); err != nil {
		return err
	}
	return sc.End()
}

func TestErrorsSayWhatWentWrongAndWhere(t *testing.T) {
	for _, c := range []struct {
		name, body string
		max        int64
		check      func(error) bool
	}{
		{"a well-formed object passes", `{"a":[1,"x",true,null,{"b":-1.5e3}]} `, 100, func(err error) bool { return err == nil }},
		{"a bad literal is a syntax error at its offset", `{"a":nul}`, 100, func(err error) bool {
			var e *jsonscan.SyntaxError
			return errors.As(err, &e) && e.Offset == 9
		}},
		{"a key twice in a nested object names its path", `{"a":{"b":1,"b":2}}`, 100, func(err error) bool {
			var e *jsonscan.DuplicateKeyError
			return errors.As(err, &e) && e.Path == "b"
		}},
		{"a body cut short is truncated", `{"a":"x`, 100, func(err error) bool {
			var e *jsonscan.ReadError
			return errors.As(err, &e) && e.Truncated && !e.TooLarge
		}},
		{"a body over the cap is too large", `{"a":"xxxxxxxxxxxxxxxxxxxx"}`, 10, func(err error) bool {
			var e *jsonscan.ReadError
			return errors.As(err, &e) && e.TooLarge
		}},
		{"nesting past the cap is a syntax error", strings.Repeat("[", 40), 100, func(err error) bool {
			var e *jsonscan.SyntaxError
			return errors.As(err, &e) && e.What == "nested too deeply"
		}},
		{"a second value after the first is a syntax error", `{} {}`, 100, func(err error) bool {
			var e *jsonscan.SyntaxError
			return errors.As(err, &e)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := skipAll(c.body, c.max); !c.check(err) {
				t.Fatalf("err = %v (%T)", err, err)
			}
		})
	}
}
