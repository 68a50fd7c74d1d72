package identity

import "errors"

// Rule errors. Their messages are written to follow a field name, e.g.
// "bvn: must be 11 digits".
var (
	ErrEmpty = errors.New("must not be empty")

	ErrCallingCodeFormat  = errors.New("must be 1 to 3 digits without a leading + or 0")
	ErrUnknownCallingCode = errors.New("is not an assigned country calling code")
	ErrPhoneFormat        = errors.New("must contain only digits, without + or the country calling code")
	ErrPhoneInvalid       = errors.New("is not a valid phone number for its country")

	ErrResidentIDFormat = errors.New("must be 17 digits followed by a digit or X")
	ErrCheckDigit       = errors.New("check digit does not match")
	ErrBirthDate        = errors.New("embedded birth date is not a real date")
	ErrElevenDigits     = errors.New("must be 11 digits")
	ErrNUBANFormat      = errors.New("must be 10 digits")
	ErrBankCode         = errors.New("bank code must be 3, 5 or 6 digits")

	ErrDateFormat = errors.New("must be a date in YYYY-MM-DD form")
	ErrNoSuchDate = errors.New("is not a real calendar date")

	ErrEmailFormat  = errors.New("must be a plain address like name@example.com")
	ErrEmailTooLong = errors.New("must be at most 254 characters, with at most 64 before the @")
	ErrEmailDomain  = errors.New("domain must be a host name with a dot, like example.com")
	ErrFileType     = errors.New("file type is not allowed")
	ErrUnknownType  = errors.New("file type is not recognised (JPEG, PNG or PDF expected)")
	ErrBadImage     = errors.New("image is corrupt or truncated")
	ErrImageSize    = errors.New("image width and height must each be 1 to 20000 pixels")
	ErrBadPDF       = errors.New("PDF is corrupt or truncated")
	ErrPolyglot     = errors.New("file carries a second file format inside it")
	ErrTooLarge     = errors.New("exceeds the size limit")
	ErrBase64       = errors.New("is not valid base64")
	ErrDataURL      = errors.New("data URL must look like data:image/png;base64,")
	ErrDeclaredType = errors.New("declared type does not match the content")
)
