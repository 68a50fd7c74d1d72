package risk

import "slices"

// Features are every value a policy rule can test, computed once per
// decision. A rule names them by their expr tag (e.g. `id_blacklisted`,
// `id_events_24h > 3`). They are a plain struct rather than a map so that a
// decision allocates nothing per feature and expr resolves each name to a
// field offset when the policy is compiled.
//
// The exact definition of each feature is in featureCatalog (rendered to
// features.md); a test keeps the struct, the catalog and the file in step.
// Counts are 0 and booleans false when the input they need is absent,
// unless the catalog says otherwise.
type Features struct {
	// Event.
	EventType      string `json:"event_type" expr:"event_type"`
	Scenario       string `json:"scenario" expr:"scenario"`
	EventHour      int    `json:"event_hour" expr:"event_hour"`
	AccountAgeDays int    `json:"account_age_days" expr:"account_age_days"`

	// Identity.
	Age                 int    `json:"age" expr:"age"`
	IDCountry           string `json:"id_country" expr:"id_country"`
	IDType              string `json:"id_type" expr:"id_type"`
	IDExpired           bool   `json:"id_expired" expr:"id_expired"`
	IDValidDateMissing  bool   `json:"id_valid_date_missing" expr:"id_valid_date_missing"`
	CNIDInvalid         bool   `json:"cn_id_invalid" expr:"cn_id_invalid"`
	CNIDBirthMismatch   bool   `json:"cn_id_birth_mismatch" expr:"cn_id_birth_mismatch"`
	BVNInvalid          bool   `json:"bvn_invalid" expr:"bvn_invalid"`
	PhoneInvalid        bool   `json:"phone_invalid" expr:"phone_invalid"`
	AccountPhoneDiffers bool   `json:"account_phone_differs" expr:"account_phone_differs"`
	EmailMissing        bool   `json:"email_missing" expr:"email_missing"`
	EmailDisposable     bool   `json:"email_disposable" expr:"email_disposable"`
	AccountEmailDiffers bool   `json:"account_email_differs" expr:"account_email_differs"`
	NationalityDiffers  bool   `json:"nationality_differs" expr:"nationality_differs"`
	FaceImages          int    `json:"face_images" expr:"face_images"`
	CardLuhnInvalid     bool   `json:"card_luhn_invalid" expr:"card_luhn_invalid"`
	DeviceMissing       bool   `json:"device_missing" expr:"device_missing"`

	// Lists.
	PhoneBlacklisted  bool `json:"phone_blacklisted" expr:"phone_blacklisted"`
	PhoneGreylisted   bool `json:"phone_greylisted" expr:"phone_greylisted"`
	PhoneWhitelisted  bool `json:"phone_whitelisted" expr:"phone_whitelisted"`
	IDBlacklisted     bool `json:"id_blacklisted" expr:"id_blacklisted"`
	IDGreylisted      bool `json:"id_greylisted" expr:"id_greylisted"`
	IDWhitelisted     bool `json:"id_whitelisted" expr:"id_whitelisted"`
	CardBlacklisted   bool `json:"card_blacklisted" expr:"card_blacklisted"`
	CardGreylisted    bool `json:"card_greylisted" expr:"card_greylisted"`
	CardWhitelisted   bool `json:"card_whitelisted" expr:"card_whitelisted"`
	DeviceBlacklisted bool `json:"device_blacklisted" expr:"device_blacklisted"`
	DeviceGreylisted  bool `json:"device_greylisted" expr:"device_greylisted"`
	DeviceWhitelisted bool `json:"device_whitelisted" expr:"device_whitelisted"`
	IPBlacklisted     bool `json:"ip_blacklisted" expr:"ip_blacklisted"`
	IPGreylisted      bool `json:"ip_greylisted" expr:"ip_greylisted"`
	IPWhitelisted     bool `json:"ip_whitelisted" expr:"ip_whitelisted"`
	EmailBlacklisted  bool `json:"email_blacklisted" expr:"email_blacklisted"`
	EmailGreylisted   bool `json:"email_greylisted" expr:"email_greylisted"`
	EmailWhitelisted  bool `json:"email_whitelisted" expr:"email_whitelisted"`
	ListsUnavailable  bool `json:"lists_unavailable" expr:"lists_unavailable"`

	// Velocity.
	IDEvents1h           int  `json:"id_events_1h" expr:"id_events_1h"`
	IDEvents24h          int  `json:"id_events_24h" expr:"id_events_24h"`
	IDEvents7d           int  `json:"id_events_7d" expr:"id_events_7d"`
	IDEvents30d          int  `json:"id_events_30d" expr:"id_events_30d"`
	PhoneEvents1h        int  `json:"phone_events_1h" expr:"phone_events_1h"`
	PhoneEvents24h       int  `json:"phone_events_24h" expr:"phone_events_24h"`
	PhoneEvents7d        int  `json:"phone_events_7d" expr:"phone_events_7d"`
	PhoneEvents30d       int  `json:"phone_events_30d" expr:"phone_events_30d"`
	DeviceEvents1h       int  `json:"device_events_1h" expr:"device_events_1h"`
	DeviceEvents24h      int  `json:"device_events_24h" expr:"device_events_24h"`
	DeviceEvents7d       int  `json:"device_events_7d" expr:"device_events_7d"`
	DeviceEvents30d      int  `json:"device_events_30d" expr:"device_events_30d"`
	IPEvents1h           int  `json:"ip_events_1h" expr:"ip_events_1h"`
	IPEvents24h          int  `json:"ip_events_24h" expr:"ip_events_24h"`
	IPEvents7d           int  `json:"ip_events_7d" expr:"ip_events_7d"`
	IPEvents30d          int  `json:"ip_events_30d" expr:"ip_events_30d"`
	CardEvents1h         int  `json:"card_events_1h" expr:"card_events_1h"`
	CardEvents24h        int  `json:"card_events_24h" expr:"card_events_24h"`
	CardEvents7d         int  `json:"card_events_7d" expr:"card_events_7d"`
	CardEvents30d        int  `json:"card_events_30d" expr:"card_events_30d"`
	IDDistinctPhones30d  int  `json:"id_distinct_phones_30d" expr:"id_distinct_phones_30d"`
	DeviceDistinctIDs30d int  `json:"device_distinct_ids_30d" expr:"device_distinct_ids_30d"`
	VelocityUnavailable  bool `json:"velocity_unavailable" expr:"velocity_unavailable"`

	// Contacts.
	ContactCount         int  `json:"contact_count" expr:"contact_count"`
	ContactDuplicates    int  `json:"contact_duplicates" expr:"contact_duplicates"`
	ContactIsApplicant   bool `json:"contact_is_applicant" expr:"contact_is_applicant"`
	ContactFamily        int  `json:"contact_family" expr:"contact_family"`
	ContactRelationships int  `json:"contact_relationships" expr:"contact_relationships"`
	ContactShared        int  `json:"contact_shared" expr:"contact_shared"`
	ContactSharedMax     int  `json:"contact_shared_max" expr:"contact_shared_max"`
	ContactsUnavailable  bool `json:"contacts_unavailable" expr:"contacts_unavailable"`

	// Loan history.
	HistoryLoans       int  `json:"history_loans" expr:"history_loans"`
	HistorySettled     int  `json:"history_settled" expr:"history_settled"`
	HistoryOpen        int  `json:"history_open" expr:"history_open"`
	HistoryWorstDPD    int  `json:"history_worst_dpd" expr:"history_worst_dpd"`
	HistoryCurrentDPD  int  `json:"history_current_dpd" expr:"history_current_dpd"`
	HistoryUnavailable bool `json:"history_unavailable" expr:"history_unavailable"`

	// Credit report.
	ReportAttached             bool `json:"report_attached" expr:"report_attached"`
	ReportOverdueAccounts      int  `json:"report_overdue_accounts" expr:"report_overdue_accounts"`
	ReportLongestOverdueMonths int  `json:"report_longest_overdue_months" expr:"report_longest_overdue_months"`
	ReportBadDebts             int  `json:"report_bad_debts" expr:"report_bad_debts"`
	ReportQueries1m            int  `json:"report_queries_1m" expr:"report_queries_1m"`

	// Sources.
	SourceUnavailable bool `json:"source_unavailable" expr:"source_unavailable"`
}

// FeatureDoc documents one feature.
type FeatureDoc struct {
	Name       string // as written in rules
	Type       string // bool, int or string
	Group      string
	Definition string
}

// featureCatalog is the reference for what each feature means. Keep it in
// struct order; TestFeatureCatalog checks it against Features and
// features.md.
var featureCatalog = []FeatureDoc{
	{"event_type", "string", "Event", "Canonical event type, e.g. `Loan`."},
	{"scenario", "string", "Event", "Scenario of the event; `default` when omitted."},
	{"event_hour", "int", "Event", "Hour of day (0–23) of `event_time` in the offset the event was sent with, i.e. the borrower's local hour."},
	{"account_age_days", "int", "Event", "Whole days from `account.register_time` to `event_time`; -1 when `register_time` is absent."},

	{"age", "int", "Identity", "Age in whole years on the date of `event_time` (in its own offset) from `profile.birthdate`; -1 when the birth date is absent."},
	{"id_country", "string", "Identity", "`profile.id.id_country`."},
	{"id_type", "string", "Identity", "`profile.id.id_type`."},
	{"id_expired", "bool", "Identity", "`profile.id.valid_date` is before the date of `event_time` (a document is valid through its valid date)."},
	{"id_valid_date_missing", "bool", "Identity", "`profile.id.valid_date` is absent."},
	{"cn_id_invalid", "bool", "Identity", "The ID is a Chinese resident ID (`id_country` CN, `id_type` identity_card) and fails the GB 11643 format, check digit or embedded-date check."},
	{"cn_id_birth_mismatch", "bool", "Identity", "The ID is a valid Chinese resident ID, `profile.birthdate` is given, and the birth date embedded in the ID differs from it."},
	{"bvn_invalid", "bool", "Identity", "`id_country` is NG, `id_type` is identity_card or others (where the app sends the BVN), and `id_number` is not 11 digits."},
	{"phone_invalid", "bool", "Identity", "`profile.phone` is not a valid phone number for the country of its calling code (libphonenumber rules)."},
	{"account_phone_differs", "bool", "Identity", "`account.phone` is given and its digits are neither the E.164 digits nor the national number of `profile.phone`."},
	{"email_missing", "bool", "Identity", "Neither `profile.email` nor `account.email` is given."},
	{"email_disposable", "bool", "Identity", "The domain of `profile.email` (else `account.email`) is a known disposable-mail domain."},
	{"account_email_differs", "bool", "Identity", "`profile.email` and `account.email` are both given and differ, ignoring case."},
	{"nationality_differs", "bool", "Identity", "`profile.nationality` is given and differs from `id_country`."},
	{"face_images", "int", "Identity", "Number of entries in `identity_ext.face_image`."},
	{"card_luhn_invalid", "bool", "Identity", "`card.card_number` is given, has 12 to 19 digits (a payment card, not an account number) and fails the Luhn check."},
	{"device_missing", "bool", "Identity", "`terminal.black_box` is absent, so device features cannot be computed."},

	{"phone_blacklisted", "bool", "Lists", "The E.164 digits of `profile.phone` are on the blacklist (active entry)."},
	{"phone_greylisted", "bool", "Lists", "… on the greylist and not on the blacklist."},
	{"phone_whitelisted", "bool", "Lists", "… on the whitelist and on neither of the others."},
	{"id_blacklisted", "bool", "Lists", "`profile.id.id_number` (upper-cased, spaces and hyphens removed; for Nigerian borrowers the BVN) is on the blacklist."},
	{"id_greylisted", "bool", "Lists", "… on the greylist and not on the blacklist."},
	{"id_whitelisted", "bool", "Lists", "… on the whitelist and on neither of the others."},
	{"card_blacklisted", "bool", "Lists", "The digits of `card.card_number` are on the blacklist."},
	{"card_greylisted", "bool", "Lists", "… on the greylist and not on the blacklist."},
	{"card_whitelisted", "bool", "Lists", "… on the whitelist and on neither of the others."},
	{"device_blacklisted", "bool", "Lists", "`terminal.black_box` is on the blacklist."},
	{"device_greylisted", "bool", "Lists", "… on the greylist and not on the blacklist."},
	{"device_whitelisted", "bool", "Lists", "… on the whitelist and on neither of the others."},
	{"ip_blacklisted", "bool", "Lists", "`terminal.ip` (canonical form) is on the blacklist."},
	{"ip_greylisted", "bool", "Lists", "… on the greylist and not on the blacklist."},
	{"ip_whitelisted", "bool", "Lists", "… on the whitelist and on neither of the others."},
	{"email_blacklisted", "bool", "Lists", "`profile.email` (else `account.email`), lower-cased, is on the blacklist."},
	{"email_greylisted", "bool", "Lists", "… on the greylist and not on the blacklist."},
	{"email_whitelisted", "bool", "Lists", "… on the whitelist and on neither of the others."},
	{"lists_unavailable", "bool", "Lists", "A list lookup failed or timed out; all list features are then false."},

	{"id_events_1h", "int", "Velocity", "Scored events with the same ID number in (event_time − 1 h, event_time], this one included."},
	{"id_events_24h", "int", "Velocity", "… in the last 24 h."},
	{"id_events_7d", "int", "Velocity", "… in the last 7 days."},
	{"id_events_30d", "int", "Velocity", "… in the last 30 days."},
	{"phone_events_1h", "int", "Velocity", "Scored events with the same profile phone in the last hour, this one included."},
	{"phone_events_24h", "int", "Velocity", "… in the last 24 h."},
	{"phone_events_7d", "int", "Velocity", "… in the last 7 days."},
	{"phone_events_30d", "int", "Velocity", "… in the last 30 days."},
	{"device_events_1h", "int", "Velocity", "Scored events from the same `black_box` in the last hour, this one included; 0 without a device."},
	{"device_events_24h", "int", "Velocity", "… in the last 24 h."},
	{"device_events_7d", "int", "Velocity", "… in the last 7 days."},
	{"device_events_30d", "int", "Velocity", "… in the last 30 days."},
	{"ip_events_1h", "int", "Velocity", "Scored events from the same IP in the last hour, this one included; 0 without an IP."},
	{"ip_events_24h", "int", "Velocity", "… in the last 24 h."},
	{"ip_events_7d", "int", "Velocity", "… in the last 7 days."},
	{"ip_events_30d", "int", "Velocity", "… in the last 30 days."},
	{"card_events_1h", "int", "Velocity", "Scored events paying into the same card number in the last hour, this one included; 0 without a card."},
	{"card_events_24h", "int", "Velocity", "… in the last 24 h."},
	{"card_events_7d", "int", "Velocity", "… in the last 7 days."},
	{"card_events_30d", "int", "Velocity", "… in the last 30 days."},
	{"id_distinct_phones_30d", "int", "Velocity", "Distinct profile phones used with this ID number in the last 30 days, this event's included."},
	{"device_distinct_ids_30d", "int", "Velocity", "Distinct ID numbers seen on this device in the last 30 days, this event's included; 0 without a device."},
	{"velocity_unavailable", "bool", "Velocity", "Velocity counting failed or timed out; all velocity features are then 0."},

	{"contact_count", "int", "Contacts", "Number of entries in `contact`."},
	{"contact_duplicates", "int", "Contacts", "Contacts whose phone repeats an earlier contact's. Contact phones are compared as calling code + national number without leading zeros."},
	{"contact_is_applicant", "bool", "Contacts", "A contact's phone is the applicant's own `profile.phone` (compared as for `contact_duplicates`)."},
	{"contact_family", "int", "Contacts", "Contacts whose relationship is parent, spouse, child, sibling, cousin or other_relative."},
	{"contact_relationships", "int", "Contacts", "Distinct relationship values among the contacts (omitted ones not counted)."},
	{"contact_shared", "int", "Contacts", "Distinct contact phones that at least one OTHER applicant (another ID number) also lists as a contact."},
	{"contact_shared_max", "int", "Contacts", "The largest number of other applicants listing any one of this applicant's contact phones — the size of the suspected ring."},
	{"contacts_unavailable", "bool", "Contacts", "The contact index failed or timed out; `contact_shared` and `contact_shared_max` are then 0."},

	{"history_loans", "int", "History", "Loans ever disbursed to this borrower by us."},
	{"history_settled", "int", "History", "Of those, loans fully repaid."},
	{"history_open", "int", "History", "Loans not yet settled."},
	{"history_worst_dpd", "int", "History", "Most days past due any of the borrower's loans has reached."},
	{"history_current_dpd", "int", "History", "Days past due of the borrower's oldest unpaid instalment now; 0 when nothing is overdue."},
	{"history_unavailable", "bool", "History", "The loan history failed or timed out; history features are then 0."},

	{"report_attached", "bool", "Credit report", "A credit report summary was attached to the decision."},
	{"report_overdue_accounts", "int", "Credit report", "Accounts with any overdue record in the report."},
	{"report_longest_overdue_months", "int", "Credit report", "Longest run of overdue months on any account."},
	{"report_bad_debts", "int", "Credit report", "Accounts written off as bad debt."},
	{"report_queries_1m", "int", "Credit report", "Lender enquiries in the month before the report."},

	{"source_unavailable", "bool", "Sources", "Any of lists, velocity, contacts or history failed or timed out. The engine never accepts such a decision: an Accept becomes Review."},
}

// FeatureCatalog returns the definition of every feature, in the order of
// features.md, for consoles and policy editors.
func FeatureCatalog() []FeatureDoc { return slices.Clone(featureCatalog) }
