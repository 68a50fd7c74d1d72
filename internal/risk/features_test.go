package risk

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/expr-lang/expr"
)

var update = flag.Bool("update", false, "rewrite golden files (features.md)")

// TestFeatureCatalog keeps the Features struct, the catalog and features.md
// in step: every field has a definition, in order, with the same name in
// rules and in stored records.
func TestFeatureCatalog(t *testing.T) {
	typ := reflect.TypeFor[Features]()
	if typ.NumField() != len(featureCatalog) {
		t.Fatalf("Features has %d fields, the catalog %d entries", typ.NumField(), len(featureCatalog))
	}
	for i := range typ.NumField() {
		field, doc := typ.Field(i), featureCatalog[i]
		if field.Tag.Get("expr") != doc.Name || field.Tag.Get("json") != doc.Name {
			t.Errorf("field %s is tagged expr:%q json:%q, catalog entry %d is %q", field.Name, field.Tag.Get("expr"), field.Tag.Get("json"), i, doc.Name)
		}
		if field.Type.Kind().String() != doc.Type {
			t.Errorf("feature %s is %s, catalog says %s", doc.Name, field.Type.Kind(), doc.Type)
		}
		if doc.Definition == "" || doc.Group == "" {
			t.Errorf("feature %s is not documented", doc.Name)
		}
	}

	var md bytes.Buffer
	md.WriteString("# Risk features\n\n")
	md.WriteString("Generated from `featureCatalog` in features.go by `go test -run TestFeatureCatalog -update`; do not edit.\n\n")
	md.WriteString("Policy rules name these features in expr-lang conditions, e.g. `id_events_24h > 5 && age < 21`.\n")
	md.WriteString("Time-based features are relative to the event's `event_time`, never to the clock, so a decision replays identically.\n")
	group := ""
	for _, d := range featureCatalog {
		if d.Group != group {
			group = d.Group
			fmt.Fprintf(&md, "\n## %s\n\n| feature | type | definition |\n|---|---|---|\n", group)
		}
		fmt.Fprintf(&md, "| `%s` | %s | %s |\n", d.Name, d.Type, d.Definition)
	}
	if *update {
		if err := os.WriteFile("features.md", md.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile("features.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(golden, md.Bytes()) {
		t.Error("features.md is stale; run go test -run TestFeatureCatalog -update")
	}
}

// feature reads a feature by its rule name.
func feature(t *testing.T, f Features, name string) any {
	t.Helper()
	v, err := expr.Eval(name, f)
	if err != nil {
		t.Fatalf("feature %s: %v", name, err)
	}
	return v
}

func TestFeatures(t *testing.T) {
	list := func(kind ListKind, value string, list ListName) func(*testBundle) {
		return func(tb *testBundle) {
			if err := tb.lists.Add(ListEntry{Kind: kind, Value: value, List: list, Reason: "test", CreatedBy: "test"}); err != nil {
				panic(err)
			}
		}
	}
	priorApplicant := func(tb *testBundle) {
		// Another borrower listed the fixture's first contact last week.
		if _, err := tb.contacts.Observe(context.Background(), "OTHER1", []string{"2348039876543"}); err != nil {
			panic(err)
		}
	}
	report := &CreditReport{OverdueAccounts: 2, LongestOverdueMonths: 4, BadDebts: 1, QueriesLastMonth: 7}
	fx := fixture(t)
	tests := []struct {
		name    string
		body    []byte
		prepare func(*testBundle)
		report  *CreditReport
		feature string
		want    any
	}{
		{"event_type is the canonical type", fx, nil, nil, "event_type", "Loan"},
		{"scenario is copied", fx, nil, nil, "scenario", "cashloan"},
		{"event_hour is the borrower's local hour", mutate(t, "event_time", "2026-11-20T03:10:00+01:00"), nil, nil, "event_hour", 3},
		{"account_age_days counts whole days since registration", fx, nil, nil, "account_age_days", 50},
		{"account_age_days is -1 without register_time", mutate(t, "account.register_time", deleted), nil, nil, "account_age_days", -1},

		{"age is in completed years on the event date", fx, nil, nil, "age", 31},
		{"age is 17 the day before the 18th birthday", mutate(t, "profile.birthdate", "2008-11-21"), nil, nil, "age", 17},
		{"age is 18 on the 18th birthday", mutate(t, "profile.birthdate", "2008-11-20"), nil, nil, "age", 18},
		{"age is -1 without birthdate", mutate(t, "profile.birthdate", deleted), nil, nil, "age", -1},
		{"id_country is copied", fx, nil, nil, "id_country", "NG"},
		{"id_type is copied", fx, nil, nil, "id_type", "others"},
		{"an ID valid until tomorrow has not expired", fx, nil, nil, "id_expired", false},
		{"an ID valid through the event date has not expired", mutate(t, "profile.id.valid_date", "2026-11-20"), nil, nil, "id_expired", false},
		{"an ID valid until yesterday has expired", mutate(t, "profile.id.valid_date", "2026-11-19"), nil, nil, "id_expired", true},
		{"a missing valid_date is flagged", mutate(t, "profile.id.valid_date", deleted), nil, nil, "id_valid_date_missing", true},
		{"a Chinese ID with a wrong check digit is invalid", chineseID(t, "110105194912310021", "1949-12-31"), nil, nil, "cn_id_invalid", true},
		{"a Chinese ID with the right check digit is valid", chineseID(t, "11010519491231002X", "1949-12-31"), nil, nil, "cn_id_invalid", false},
		{"a Chinese ID matching the birthdate", chineseID(t, "11010519491231002X", "1949-12-31"), nil, nil, "cn_id_birth_mismatch", false},
		{"a Chinese ID contradicting the birthdate", chineseID(t, "11010519491231002X", "1950-01-01"), nil, nil, "cn_id_birth_mismatch", true},
		{"a passport is not checked as a Chinese resident ID", mutate(t, "profile.id", map[string]any{"id_country": "CN", "id_type": "passport", "id_number": "E12345678"}), nil, nil, "cn_id_invalid", false},
		{"an 11-digit BVN is well-formed", fx, nil, nil, "bvn_invalid", false},
		{"a 10-digit BVN is malformed", mutate(t, "profile.id.id_number", "2221234567"), nil, nil, "bvn_invalid", true},
		{"a Nigerian passport is not a BVN", mutate(t, "profile.id", map[string]any{"id_country": "NG", "id_type": "passport", "id_number": "A01234567"}), nil, nil, "bvn_invalid", false},
		{"a Nigerian mobile number is valid", fx, nil, nil, "phone_invalid", false},
		{"a number too short for Nigeria is invalid", mutate(t, "profile.phone.phone_number", "80312"), nil, nil, "phone_invalid", true},
		{"the account phone in E.164 matches the profile", fx, nil, nil, "account_phone_differs", false},
		{"the account phone in national form matches the profile", mutate(t, "account.phone", "08031234567"), nil, nil, "account_phone_differs", false},
		{"another account phone differs", mutate(t, "account.phone", "+2348039999999"), nil, nil, "account_phone_differs", true},
		{"an event with e-mail has one", fx, nil, nil, "email_missing", false},
		{"no e-mail anywhere is flagged", withoutEmails(t), nil, nil, "email_missing", true},
		{"a mailinator address is disposable", mutate(t, "profile.email", "ada@mailinator.com"), nil, nil, "email_disposable", true},
		{"an ordinary address is not disposable", fx, nil, nil, "email_disposable", false},
		{"account and profile e-mail differing only in case agree", mutate(t, "account.email", "ADA@example.com"), nil, nil, "account_email_differs", false},
		{"account and profile e-mail differ", mutate(t, "account.email", "obi@example.com"), nil, nil, "account_email_differs", true},
		{"a nationality other than the ID country is flagged", mutate(t, "profile.nationality", "GH"), nil, nil, "nationality_differs", true},
		{"face images are counted", mutate(t, "identity_ext.face_image", urls(3)), nil, nil, "face_images", 3},
		{"a card number failing Luhn", mutate(t, "card.card_number", "4111111111111112"), nil, nil, "card_luhn_invalid", true},
		{"a grouped card number passing Luhn", mutate(t, "card.card_number", "4111-1111-1111-1111"), nil, nil, "card_luhn_invalid", false},
		{"a 10-digit account number is not Luhn-checked", fx, nil, nil, "card_luhn_invalid", false},
		{"no terminal means no device", mutate(t, "terminal", deleted), nil, nil, "device_missing", true},

		{"a blacklisted phone in any notation", fx, list(KindPhone, "+234 803 123 4567", Blacklist), nil, "phone_blacklisted", true},
		{"a greylisted phone", fx, list(KindPhone, "2348031234567", Greylist), nil, "phone_greylisted", true},
		{"a whitelisted ID number", fx, list(KindIDNumber, "22212345678", Whitelist), nil, "id_whitelisted", true},
		{"a blacklisting hides a whitelisting", fx, func(tb *testBundle) {
			list(KindIDNumber, "22212345678", Whitelist)(tb)
			list(KindIDNumber, "22212345678", Blacklist)(tb)
		}, nil, "id_whitelisted", false},
		{"an ID number listed with hyphens", fx, list(KindIDNumber, "222-1234-5678", Blacklist), nil, "id_blacklisted", true},
		{"an expired blacklisting no longer matches", fx, func(tb *testBundle) {
			e := ListEntry{Kind: KindIDNumber, Value: "22212345678", List: Blacklist, Reason: "test", ExpiresAt: testNow}
			if err := tb.lists.Add(e); err != nil {
				panic(err)
			}
		}, nil, "id_blacklisted", false},
		{"a blacklisted card listed with spaces", fx, list(KindCard, "0123 456 789", Blacklist), nil, "card_blacklisted", true},
		{"a blacklisted device", fx, list(KindDevice, "bb-7f3a9c0e", Blacklist), nil, "device_blacklisted", true},
		{"a greylisted IP", fx, list(KindIP, "102.89.34.10", Greylist), nil, "ip_greylisted", true},
		{"an IPv4-mapped IPv6 listing matches the IPv4 address", fx, list(KindIP, "::ffff:102.89.34.10", Blacklist), nil, "ip_blacklisted", true},
		{"an e-mail listed in capitals", fx, list(KindEmail, "ADA@EXAMPLE.COM", Blacklist), nil, "email_blacklisted", true},
		{"a whitelisted e-mail", fx, list(KindEmail, "ada@example.com", Whitelist), nil, "email_whitelisted", true},
		{"another borrower's listing does not match", fx, list(KindIDNumber, "22299999999", Blacklist), nil, "id_blacklisted", false},

		{"the first event of an ID counts itself", fx, nil, nil, "id_events_1h", 1},
		{"a phone's earlier event in the hour counts", fx, observe(Observation{At: testNow.Add(-30 * time.Minute), IDNumber: "X", Phone: "2348031234567"}), nil, "phone_events_1h", 2},
		{"an event 2 hours ago counts in 24 h", fx, observe(Observation{At: testNow.Add(-2 * time.Hour), IDNumber: "22212345678"}), nil, "id_events_24h", 2},
		{"an event 2 hours ago does not count in 1 h", fx, observe(Observation{At: testNow.Add(-2 * time.Hour), IDNumber: "22212345678"}), nil, "id_events_1h", 1},
		{"a device's event 3 days ago counts in 7 d", fx, observe(Observation{At: testNow.Add(-72 * time.Hour), IDNumber: "Y", Device: "bb-7f3a9c0e"}), nil, "device_events_7d", 2},
		{"an IP's event 20 days ago counts in 30 d", fx, observe(Observation{At: testNow.Add(-20 * 24 * time.Hour), IDNumber: "Y", IP: "102.89.34.10"}), nil, "ip_events_30d", 2},
		{"a card's event 40 days ago counts nowhere", fx, observe(Observation{At: testNow.Add(-40 * 24 * time.Hour), IDNumber: "Y", Card: "0123456789"}), nil, "card_events_30d", 1},
		{"a card's event in the last day", fx, observe(Observation{At: testNow.Add(-time.Hour), IDNumber: "Y", Card: "0123456789"}), nil, "card_events_24h", 2},
		{"an ID used with another phone", fx, observe(Observation{At: testNow.Add(-24 * time.Hour), IDNumber: "22212345678", Phone: "2348050000000"}), nil, "id_distinct_phones_30d", 2},
		{"a device used by another ID", fx, observe(Observation{At: testNow.Add(-24 * time.Hour), IDNumber: "OTHER", Device: "bb-7f3a9c0e"}), nil, "device_distinct_ids_30d", 2},
		{"a device's other ID 31 days ago is forgotten", fx, observe(Observation{At: testNow.Add(-31 * 24 * time.Hour), IDNumber: "OTHER", Device: "bb-7f3a9c0e"}), nil, "device_distinct_ids_30d", 1},

		{"contacts are counted", fx, nil, nil, "contact_count", 2},
		{"a repeated contact phone is a duplicate", mutate(t, "contact.1.phone.phone_number", "08039876543"), nil, nil, "contact_duplicates", 1},
		{"the applicant as own contact, with trunk zero", mutate(t, "contact.1.phone.phone_number", "08031234567"), nil, nil, "contact_is_applicant", true},
		{"a parent is family", fx, nil, nil, "contact_family", 1},
		{"a spouse and a cousin are family", mutate(t, "contact.1.relationship", "cousin"), nil, nil, "contact_family", 2},
		{"relationships are counted once each", mutate(t, "contact.1.relationship", "parent"), nil, nil, "contact_relationships", 1},
		{"a contact another applicant lists is shared", fx, priorApplicant, nil, "contact_shared", 1},
		{"the ring size is the most other applicants on one contact", fx, func(tb *testBundle) {
			priorApplicant(tb)
			if _, err := tb.contacts.Observe(context.Background(), "OTHER2", []string{"2348039876543"}); err != nil {
				panic(err)
			}
		}, nil, "contact_shared_max", 2},
		{"the applicant's own earlier listing is not a ring", fx, func(tb *testBundle) {
			if _, err := tb.contacts.Observe(context.Background(), "22212345678", []string{"2348039876543"}); err != nil {
				panic(err)
			}
		}, nil, "contact_shared", 0},

		{"previous loans come from the history", fx, history(LoanHistory{Loans: 4, Settled: 3, Open: 1, WorstDaysOverdue: 12, CurrentDaysOverdue: 2}), nil, "history_loans", 4},
		{"settled loans come from the history", fx, history(LoanHistory{Loans: 4, Settled: 3}), nil, "history_settled", 3},
		{"open loans come from the history", fx, history(LoanHistory{Loans: 4, Open: 1}), nil, "history_open", 1},
		{"the worst days overdue come from the history", fx, history(LoanHistory{WorstDaysOverdue: 12}), nil, "history_worst_dpd", 12},
		{"the current days overdue come from the history", fx, history(LoanHistory{CurrentDaysOverdue: 2}), nil, "history_current_dpd", 2},

		{"no report attached", fx, nil, nil, "report_attached", false},
		{"a report attached", fx, nil, report, "report_attached", true},
		{"overdue accounts from the report", fx, nil, report, "report_overdue_accounts", 2},
		{"longest overdue months from the report", fx, nil, report, "report_longest_overdue_months", 4},
		{"bad debts from the report", fx, nil, report, "report_bad_debts", 1},
		{"queries in the last month from the report", fx, nil, report, "report_queries_1m", 7},
		{"all sources answered", fx, nil, nil, "source_unavailable", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := setup(t)
			if tt.prepare != nil {
				tt.prepare(tb)
			}
			ev, err := DecodeEvent(bytes.NewReader(tt.body), testNow)
			if err != nil {
				t.Fatal(err)
			}
			rec, err := tb.engine.Decide(context.Background(), Input{Event: ev, CreditReport: tt.report})
			if err != nil {
				t.Fatal(err)
			}
			if got := feature(t, rec.Features, tt.feature); got != tt.want {
				t.Errorf("%s = %v, want %v", tt.feature, got, tt.want)
			}
		})
	}
}

func chineseID(t *testing.T, number, birthdate string) []byte {
	body := mutate(t, "profile.id", map[string]any{"id_country": "CN", "id_type": "identity_card", "id_number": number, "valid_date": "2030-01-01"})
	return mutateJSON(t, body, "profile.birthdate", birthdate)
}

func withoutEmails(t *testing.T) []byte {
	return mutateJSON(t, mutate(t, "profile.email", deleted), "account.email", deleted)
}

func observe(o Observation) func(*testBundle) {
	return func(tb *testBundle) {
		if _, err := tb.velocity.Observe(context.Background(), o); err != nil {
			panic(err)
		}
	}
}

func history(h LoanHistory) func(*testBundle) {
	return func(tb *testBundle) { tb.history.Set("22212345678", h) }
}

func TestNormalizeListValue(t *testing.T) {
	tests := []struct {
		name      string
		kind      ListKind
		raw, want string
	}{
		{"a phone with + and spaces becomes digits", KindPhone, "+234 803 123-4567", "2348031234567"},
		{"a phone with the 00 international prefix", KindPhone, "002348031234567", "2348031234567"},
		{"an e-mail is lower-cased", KindEmail, " Ada@Example.COM ", "ada@example.com"},
		{"a card keeps only digits", KindCard, "4111-1111 1111-1111", "4111111111111111"},
		{"an ID number is upper-cased without separators", KindIDNumber, "11010519491231002x", "11010519491231002X"},
		{"an IPv6 address is canonical", KindIP, "2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
		{"a device token is kept verbatim", KindDevice, " Bb-01 ", "Bb-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeListValue(tt.kind, tt.raw)
			if err != nil || got != tt.want {
				t.Errorf("NormalizeListValue(%s, %q) = %q, %v; want %q", tt.kind, tt.raw, got, err, tt.want)
			}
		})
	}
	for _, bad := range []struct {
		kind ListKind
		raw  string
	}{{KindPhone, "call me"}, {KindCard, "4111x"}, {KindIP, "300.1.1.1"}, {KindEmail, "ada"}, {KindIDNumber, "22/1"}, {KindDevice, " "}, {"passport", "x"}} {
		t.Run(fmt.Sprintf("%s %q is refused", bad.kind, bad.raw), func(t *testing.T) {
			if v, err := NormalizeListValue(bad.kind, bad.raw); err == nil {
				t.Errorf("got %q, want an error", v)
			}
		})
	}
}

func TestListEntryValidate(t *testing.T) {
	e := ListEntry{Kind: KindEmail, Value: "X@Y.COM", List: "red", Reason: "r"}
	if err := e.Validate(); err == nil || !strings.Contains(err.Error(), "black, grey or white") {
		t.Errorf("an unknown list: %v", err)
	}
	e.List = Blacklist
	e.Reason = ""
	if err := e.Validate(); err == nil || !strings.Contains(err.Error(), "reason") {
		t.Errorf("a missing reason: %v", err)
	}
	e.Reason = "fraud"
	if err := e.Validate(); err != nil || e.Value != "x@y.com" {
		t.Errorf("a good entry: %v, value %q", err, e.Value)
	}
}

func FuzzNormalizeListValue(f *testing.F) {
	for _, s := range []string{"+234 803 123 4567", "ADA@x.io", "::ffff:1.2.3.4", "4111-1111", "11010519491231002x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, kind := range ListKinds {
			v, err := NormalizeListValue(kind, raw)
			if err != nil {
				continue
			}
			// Normalising is idempotent, so stored and looked-up values meet.
			if again, err := NormalizeListValue(kind, v); err != nil || again != v {
				t.Fatalf("%s %q → %q → %q, %v", kind, raw, v, again, err)
			}
		}
	})
}
