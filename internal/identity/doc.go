// Package identity holds the format and checksum rules for the identity data
// a borrower or partner sends us: countries, calling codes and phone numbers,
// national IDs (China resident ID, Nigerian BVN and NIN), Nigerian bank
// account numbers (NUBAN), dates of birth, e-mail addresses and uploaded
// documents (JPEG, PNG, PDF, usually as base64 text).
//
// Every function is pure: no I/O, no clock, no global state that changes.
// Failures are one of the exported Err* sentinels (possibly wrapped with
// detail), whose message states the rule that was broken, for example
// "must be 11 digits". Callers prefix the field name:
//
//	if err := identity.ValidBVN(req.BVN); err != nil {
//		return fmt.Errorf("bvn: %w", err)
//	}
//
// and use errors.Is to map a rule to an API error code.
package identity
