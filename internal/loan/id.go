package loan

import (
	"log/slog"
	"strconv"

	"creditpocket/internal/errs"
)

// ID is a loan's id: the database's BIGINT, positive once the loan is
// stored (0 before). Text is its decimal form, made only at the edges —
// HTTP and console input and output, ledger account names, logs.
type ID int64

// String is the id in decimal, as the app, the ledger's account names and
// the console show it.
func (id ID) String() string { return strconv.FormatInt(int64(id), 10) }

// LogValue logs the id as the text it has always been logged as.
func (id ID) LogValue() slog.Value { return slog.StringValue(id.String()) }

// ParseID reads a loan id sent as text in field: ASCII digits only (no
// sign, space, exponent or other script's digits), at least 1 and at
// most 9223372036854775807. Anything else is errs.Invalid naming field,
// so a malformed id is a 400, never a lookup.
func ParseID(field, s string) (ID, error) {
	if s == "" {
		return 0, errs.Required(field)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errs.InvalidField(field, "must be a positive whole number of ASCII digits")
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errs.InvalidField(field, "must be at most 9223372036854775807")
	}
	if n <= 0 {
		return 0, errs.InvalidField(field, "must be a positive whole number")
	}
	return ID(n), nil
}
