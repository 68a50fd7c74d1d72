package risk

import (
	"errors"
	"time"

	"creditpocket/internal/identity"
)

// ParseExpiry reads a list entry's expiry as operators type it (the API
// and the CLI): a date YYYY-MM-DD means the end of that day (UTC), so the
// entry applies through the date given; a time is ISO-8601 with an offset.
func ParseExpiry(s string) (time.Time, error) {
	if d, err := identity.ParseDate(s); err == nil {
		return d.AddDate(0, 0, 1), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, errors.New("must be YYYY-MM-DD or ISO-8601 with an offset")
	}
	return t, nil
}
