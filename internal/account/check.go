package account

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"creditpocket/internal/errs"
)

// Enumerations shared with the loan-event contract (the risk seed), so a
// borrower's profile maps onto a risk event without translation.
var (
	Genders         = []string{"male", "female"}
	MaritalStatuses = []string{"single", "married", "separated", "divorced", "widowed", "cohabited", "customary"}
	Educations      = []string{"doctorate", "master", "bachelor", "junior_college", "high_school", "middle_school", "below_middle_school"}
	IDTypes         = []string{"identity_card", "passport", "driving_licence", "birth_certificate", "others"}
	Relationships   = []string{"parent", "spouse", "child", "sibling", "cousin", "other_relative", "friend", "classmate", "coworker", "other_cases"}
)

// text trims v and checks its length in characters; min 0 makes it optional.
func text(field string, v *string, min, max int) error {
	*v = strings.TrimSpace(*v)
	n := utf8.RuneCountInString(*v)
	switch {
	case n == 0 && min > 0:
		return errs.Required(field)
	case n > max:
		return errs.InvalidField(field, "must be at most %d characters", max)
	case n < min:
		return errs.InvalidField(field, "must be at least %d characters", min)
	}
	for _, r := range *v {
		if unicode.IsControl(r) {
			return errs.InvalidField(field, "must not contain control characters")
		}
	}
	return nil
}

// name is text limited to letters, spaces and . ' - as in personal names.
func name(field string, v *string, min, max int) error {
	if err := text(field, v, min, max); err != nil {
		return err
	}
	for _, r := range *v {
		if !unicode.IsLetter(r) && !unicode.IsMark(r) && r != ' ' && r != '-' && r != '\'' && r != '.' {
			return errs.InvalidField(field, "must contain only letters, spaces, '.', ''' and '-'")
		}
	}
	return nil
}

func oneOf(field, v string, options []string) error {
	if v == "" {
		return errs.Required(field)
	}
	if !slices.Contains(options, v) {
		return errs.InvalidField(field, "must be one of %s", strings.Join(options, ", "))
	}
	return nil
}
