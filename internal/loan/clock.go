package loan

import "time"

// Clock is the loan engine's time: Now (time.Now when nil) in Location,
// the business time zone (UTC when nil). Every flow of the engine fixes
// "now" once per transaction from one.
type Clock struct {
	Now      func() time.Time
	Location *time.Location
}

// Time is now in the business time zone.
func (c Clock) Time() time.Time {
	t := time.Now()
	if c.Now != nil {
		t = c.Now()
	}
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc)
}
