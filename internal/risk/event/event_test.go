package event

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"strconv"
	"strings"
	"testing"

	"creditpocket/internal/errs"
	"creditpocket/internal/risk/event/eventtest"
)

var (
	testNow = eventtest.Now
	deleted = eventtest.Deleted
	mutate  = eventtest.Mutate
)

func fixture(testing.TB) []byte { return eventtest.Fixture() }

// pngBase64 is a valid 2×2 PNG, base64-encoded.
func pngBase64(t testing.TB) string {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// urls returns n face image URLs.
func urls(n int) []string {
	u := make([]string, n)
	for i := range u {
		u[i] = "https://cdn.example.com/face/" + strconv.Itoa(i) + ".jpg"
	}
	return u
}

func TestDecodeEventAcceptsTheContract(t *testing.T) {
	img := pngBase64(t)
	tests := []struct {
		name string
		body []byte
		want func(t *testing.T, ev *Event)
	}{
		{"the fixture is a valid Loan event", fixture(t), func(t *testing.T, ev *Event) {
			if ev.EventType != EventLoan || ev.Profile.Phone.CountryCode != 234 || len(ev.Contact) != 2 {
				t.Errorf("decoded %+v", ev)
			}
		}},
		{"event_type is accepted in any case and canonicalised", mutate(t, "event_type", "lOAN"), func(t *testing.T, ev *Event) {
			if ev.EventType != EventLoan {
				t.Errorf("event_type = %q, want Loan", ev.EventType)
			}
		}},
		{"an omitted scenario means default", mutate(t, "scenario", deleted), func(t *testing.T, ev *Event) {
			if ev.Scenario != ScenarioDefault {
				t.Errorf("scenario = %q", ev.Scenario)
			}
		}},
		{"event_time keeps its offset", mutate(t, "event_time", "2026-11-20T17:15:00.123+08:00"), func(t *testing.T, ev *Event) {
			if _, off := ev.Time().Zone(); off != 8*3600 {
				t.Errorf("offset = %d", off)
			}
		}},
		{"base64 face images are accepted", mutate(t, "identity_ext", map[string]any{"face_image_type": "base64", "face_image": []string{img, img}}), nil},
		{"eight face images are the maximum allowed", mutate(t, "identity_ext.face_image", urls(8)), nil},
		{"a base64 ID image is accepted", mutate(t, "identity_ext", map[string]any{"id_image_type": "base64", "id_image": img}), nil},
		{"a base64 face video is accepted", mutate(t, "identity_ext", map[string]any{"face_video_type": "base64", "face_video": base64.StdEncoding.EncodeToString([]byte("\x00\x00\x00\x18ftypmp42"))}), nil},
		{"only the required Loan fields", []byte(`{"event_time":"2026-11-20T09:15:00Z","event_type":"Loan","order_id":"o1",
			"profile":{"phone":{"country_code":86,"phone_number":"13800138000"},"id":{"id_country":"CN","id_type":"identity_card","id_number":"11010519491231002X"}}}`), nil},
		{"an IPv6 terminal address", mutate(t, "terminal.ip", "2001:db8::1"), nil},
		{"a card number grouped by spaces", mutate(t, "card.card_number", "4111 1111 1111 1111"), nil},
		{"every relationship value of the contract", mutate(t, "contact.1.relationship", "other_cases"), nil},
		{"customary marriage", mutate(t, "profile.marital_status", "customary"), nil},
		{"below middle school", mutate(t, "profile.education", "below_middle_school"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := Decode(bytes.NewReader(tt.body), testNow)
			if err != nil {
				t.Fatalf("DecodeEvent: %v", err)
			}
			if tt.want != nil {
				tt.want(t, ev)
			}
		})
	}
}

func TestDecodeEventRefusesBadEvents(t *testing.T) {
	img := pngBase64(t)
	gif := base64.StdEncoding.EncodeToString([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	contacts := make([]any, MaxContacts+1)
	for i := range contacts {
		contacts[i] = map[string]any{"phone": map[string]any{"country_code": 234, "phone_number": "8039876543"}}
	}
	tests := []struct {
		name   string
		body   []byte
		reason ReasonCode
		field  string
	}{
		// Shape of the document.
		{"an empty body is malformed", []byte(""), ReasonMalformed, ""},
		{"truncated JSON is malformed", fixture(t)[:100], ReasonMalformed, ""},
		{"a JSON array is not an event", []byte(`[]`), ReasonWrongType, ""},
		{"two objects in one body are refused", append(fixture(t), []byte(`{}`)...), ReasonMalformed, ""},
		{"a syntax error is located", []byte(`{"event_type": Loan}`), ReasonMalformed, ""},
		{"an unknown top-level field is refused", mutate(t, "amount", 1000), ReasonUnknownField, "amount"},
		{"an unknown nested field is named by its path", mutate(t, "profile.phone.extension", "12"), ReasonUnknownField, "profile.phone.extension"},
		{"an unknown field in an array element is named with its index", mutate(t, "contact.1.email", "x@y.io"), ReasonUnknownField, "contact[1].email"},
		{"an unknown field after an array is named by its path", mutate(t, "identity_ext.zz_liveness", map[string]any{"score": []any{1, []any{2}}}), ReasonUnknownField, "identity_ext.zz_liveness"},
		{"country_code as a string names its path", mutate(t, "profile.phone.country_code", "234"), ReasonWrongType, "profile.phone.country_code"},
		{"country_code as a fraction is a wrong type", mutate(t, "profile.phone.country_code", 23.4), ReasonWrongType, "profile.phone.country_code"},
		{"face_image as a string is a wrong type", mutate(t, "identity_ext.face_image", "https://x.example/a.jpg"), ReasonWrongType, "identity_ext.face_image"},
		{"contact as an object is a wrong type", mutate(t, "contact", map[string]any{}), ReasonWrongType, "contact"},
		{"profile as a string is a wrong type", mutate(t, "profile", "Ada"), ReasonWrongType, "profile"},
		{"a numeric id_number is a wrong type", mutate(t, "profile.id.id_number", 22212345678), ReasonWrongType, "profile.id.id_number"},

		// Header.
		{"a missing event_type", mutate(t, "event_type", deleted), ReasonMissingField, "event_type"},
		{"an unknown event_type", mutate(t, "event_type", "Withdraw"), ReasonInvalidField, "event_type"},
		{"a Register event is not scored yet", mutate(t, "event_type", "register"), ReasonUnsupportedType, "event_type"},
		{"an unknown scenario", mutate(t, "scenario", "mortgage"), ReasonInvalidField, "scenario"},
		{"a scenario in the wrong case", mutate(t, "scenario", "CashLoan"), ReasonInvalidField, "scenario"},
		{"a missing event_time", mutate(t, "event_time", deleted), ReasonMissingField, "event_time"},
		{"an event_time without offset", mutate(t, "event_time", "2026-11-20T10:15:00"), ReasonInvalidField, "event_time"},
		{"an event_time that is only a date", mutate(t, "event_time", "2026-11-20"), ReasonInvalidField, "event_time"},
		{"an event_time in the future", mutate(t, "event_time", "2026-11-21T10:15:00+01:00"), ReasonInvalidField, "event_time"},
		{"an event_time before 2000", mutate(t, "event_time", "1970-01-01T00:00:00Z"), ReasonInvalidField, "event_time"},
		{"a missing order_id", mutate(t, "order_id", deleted), ReasonMissingField, "order_id"},
		{"an over-long order_id", mutate(t, "order_id", strings.Repeat("9", 65)), ReasonInvalidField, "order_id"},
		{"a terminal IP that is a host name", mutate(t, "terminal.ip", "example.com"), ReasonInvalidField, "terminal.ip"},
		{"a black_box with control characters", mutate(t, "terminal.black_box", "bb\x00x"), ReasonInvalidField, "terminal.black_box"},
		{"a register_time without offset", mutate(t, "account.register_time", "2026-10-01 09:00:00"), ReasonInvalidField, "account.register_time"},
		{"a register_time after the event", mutate(t, "account.register_time", "2026-11-20T11:00:00+01:00"), ReasonInvalidField, "account.register_time"},
		{"an account phone with letters", mutate(t, "account.phone", "080-CALL-ME"), ReasonInvalidField, "account.phone"},
		{"an account email without @", mutate(t, "account.email", "ada.example.com"), ReasonInvalidField, "account.email"},

		// Profile.
		{"a Loan event without profile", mutate(t, "profile", deleted), ReasonMissingField, "profile"},
		{"a profile without phone", mutate(t, "profile.phone", deleted), ReasonMissingField, "profile.phone"},
		{"a phone without country_code", mutate(t, "profile.phone.country_code", deleted), ReasonMissingField, "profile.phone.country_code"},
		{"a country_code with a + is not a number", mutate(t, "profile.phone.country_code", "+234"), ReasonWrongType, "profile.phone.country_code"},
		{"an unassigned country_code", mutate(t, "profile.phone.country_code", 999), ReasonInvalidField, "profile.phone.country_code"},
		{"a negative country_code", mutate(t, "profile.phone.country_code", -1), ReasonInvalidField, "profile.phone.country_code"},
		{"a missing phone_number", mutate(t, "profile.phone.phone_number", ""), ReasonMissingField, "profile.phone.phone_number"},
		{"a phone_number with a +", mutate(t, "profile.phone.phone_number", "+2348031234567"), ReasonInvalidField, "profile.phone.phone_number"},
		{"a phone_number that is too short", mutate(t, "profile.phone.phone_number", "123"), ReasonInvalidField, "profile.phone.phone_number"},
		{"a phone_number that is too long", mutate(t, "profile.phone.phone_number", strings.Repeat("8", 18)), ReasonInvalidField, "profile.phone.phone_number"},
		{"a profile without id", mutate(t, "profile.id", deleted), ReasonMissingField, "profile.id"},
		{"a missing id_country", mutate(t, "profile.id.id_country", deleted), ReasonMissingField, "profile.id.id_country"},
		{"a three-letter id_country", mutate(t, "profile.id.id_country", "NGA"), ReasonInvalidField, "profile.id.id_country"},
		{"a lower-case id_country", mutate(t, "profile.id.id_country", "ng"), ReasonInvalidField, "profile.id.id_country"},
		{"an unassigned id_country", mutate(t, "profile.id.id_country", "XX"), ReasonInvalidField, "profile.id.id_country"},
		{"a missing id_type", mutate(t, "profile.id.id_type", deleted), ReasonMissingField, "profile.id.id_type"},
		{"an id_type outside the enumeration", mutate(t, "profile.id.id_type", "national_id"), ReasonInvalidField, "profile.id.id_type"},
		{"driving_license in American spelling", mutate(t, "profile.id.id_type", "driving_license"), ReasonInvalidField, "profile.id.id_type"},
		{"a missing id_number", mutate(t, "profile.id.id_number", "  "), ReasonMissingField, "profile.id.id_number"},
		{"an id_number with punctuation", mutate(t, "profile.id.id_number", "222/1234"), ReasonInvalidField, "profile.id.id_number"},
		{"a valid_date in day-first form", mutate(t, "profile.id.valid_date", "01-01-2030"), ReasonInvalidField, "profile.id.valid_date"},
		{"a valid_date that does not exist", mutate(t, "profile.id.valid_date", "2030-02-30"), ReasonInvalidField, "profile.id.valid_date"},
		{"a profile email with two @", mutate(t, "profile.email", "ada@@example.com"), ReasonInvalidField, "profile.email"},
		{"a sex outside the enumeration", mutate(t, "profile.sex", "F"), ReasonInvalidField, "profile.sex"},
		{"a birthdate with slashes", mutate(t, "profile.birthdate", "1995/04/12"), ReasonInvalidField, "profile.birthdate"},
		{"a birthdate after the event", mutate(t, "profile.birthdate", "2026-12-01"), ReasonInvalidField, "profile.birthdate"},
		{"a birthdate before 1900", mutate(t, "profile.birthdate", "1899-12-31"), ReasonInvalidField, "profile.birthdate"},
		{"a birthplace without country", mutate(t, "profile.birthplace.country", deleted), ReasonMissingField, "profile.birthplace.country"},
		{"a birthplace without region", mutate(t, "profile.birthplace.region", ""), ReasonMissingField, "profile.birthplace.region"},
		{"an address without city", mutate(t, "profile.address.city", deleted), ReasonMissingField, "profile.address.city"},
		{"an address country that is a name", mutate(t, "profile.address.country", "Nigeria"), ReasonInvalidField, "profile.address.country"},
		{"an address detail over 512 characters", mutate(t, "profile.address.detail", strings.Repeat("a", 513)), ReasonInvalidField, "profile.address.detail"},
		{"a zip_code with punctuation", mutate(t, "profile.address.zip_code", "10#12"), ReasonInvalidField, "profile.address.zip_code"},
		{"a marital_status outside the enumeration", mutate(t, "profile.marital_status", "engaged"), ReasonInvalidField, "profile.marital_status"},
		{"an education outside the enumeration", mutate(t, "profile.education", "phd"), ReasonInvalidField, "profile.education"},
		{"a company_phone with letters", mutate(t, "profile.company_phone", "01-CALL-ACME"), ReasonInvalidField, "profile.company_phone"},
		{"a profession over 128 characters", mutate(t, "profile.profession", strings.Repeat("é", 129)), ReasonInvalidField, "profile.profession"},
		{"a nationality that is not ISO 3166", mutate(t, "profile.nationality", "Nigerian"), ReasonInvalidField, "profile.nationality"},
		{"a name with a line break", mutate(t, "profile.name", "Ada\nObi"), ReasonInvalidField, "profile.name"},

		// Contacts.
		{"too many contacts", mutate(t, "contact", contacts), ReasonInvalidField, "contact"},
		{"a contact without phone", mutate(t, "contact.0.phone", deleted), ReasonMissingField, "contact[0].phone"},
		{"a contact country_code that is unassigned", mutate(t, "contact.1.phone.country_code", 999), ReasonInvalidField, "contact[1].phone.country_code"},
		{"a contact phone_number with spaces", mutate(t, "contact.1.phone.phone_number", "803 987 6543"), ReasonInvalidField, "contact[1].phone.phone_number"},
		{"a relationship outside the enumeration", mutate(t, "contact.1.relationship", "neighbour"), ReasonInvalidField, "contact[1].relationship"},
		{"the relationship brother is not in the contract", mutate(t, "contact.0.relationship", "brother"), ReasonInvalidField, "contact[0].relationship"},

		// Card.
		{"a card number with letters", mutate(t, "card.card_number", "0123ABC789"), ReasonInvalidField, "card.card_number"},
		{"a card number that is too short", mutate(t, "card.card_number", "12345"), ReasonInvalidField, "card.card_number"},
		{"a bank name over 128 characters", mutate(t, "card.bank_name", strings.Repeat("b", 129)), ReasonInvalidField, "card.bank_name"},

		// Identity extension.
		{"a face_image_type outside the enumeration", mutate(t, "identity_ext.face_image_type", "file"), ReasonInvalidField, "identity_ext.face_image_type"},
		{"face images without their type", mutate(t, "identity_ext.face_image_type", deleted), ReasonMissingField, "identity_ext.face_image_type"},
		{"a face image type without images", mutate(t, "identity_ext.face_image", []string{}), ReasonInvalidField, "identity_ext.face_image"},
		{"nine face images", mutate(t, "identity_ext.face_image", urls(9)), ReasonInvalidField, "identity_ext.face_image"},
		{"a face image URL with an ftp scheme", mutate(t, "identity_ext.face_image.0", "ftp://cdn.example.com/f.jpg"), ReasonInvalidField, "identity_ext.face_image[0]"},
		{"a face image URL without host", mutate(t, "identity_ext.face_image.0", "https:///f.jpg"), ReasonInvalidField, "identity_ext.face_image[0]"},
		{"a relative face image URL", mutate(t, "identity_ext.face_image.0", "/face/1.jpg"), ReasonInvalidField, "identity_ext.face_image[0]"},
		{"a base64 face image that is a GIF", mutate(t, "identity_ext", map[string]any{"face_image_type": "base64", "face_image": []string{img, gif}}), ReasonInvalidField, "identity_ext.face_image[1]"},
		{"a base64 face image that is not base64", mutate(t, "identity_ext", map[string]any{"face_image_type": "base64", "face_image": []string{"not base64!"}}), ReasonInvalidField, "identity_ext.face_image[0]"},
		{"a base64 face image over 2 MB", mutate(t, "identity_ext", map[string]any{"face_image_type": "base64", "face_image": []string{strings.Repeat("A", 3<<20)}}), ReasonTooLarge, "identity_ext.face_image[0]"},
		{"a URL where base64 is declared", mutate(t, "identity_ext", map[string]any{"id_image_type": "base64", "id_image": "https://cdn.example.com/id.jpg"}), ReasonInvalidField, "identity_ext.id_image"},
		{"an id_image without its type", mutate(t, "identity_ext.id_image_type", deleted), ReasonMissingField, "identity_ext.id_image_type"},
		{"an id_image_type without the image", mutate(t, "identity_ext.id_image", deleted), ReasonMissingField, "identity_ext.id_image"},
		{"a face_video_type outside the enumeration", mutate(t, "identity_ext.face_video_type", "mp4"), ReasonInvalidField, "identity_ext.face_video_type"},
		{"a face video URL with a javascript scheme", mutate(t, "identity_ext", map[string]any{"face_video_type": "url", "face_video": "javascript:alert(1)"}), ReasonInvalidField, "identity_ext.face_video"},
		{"a base64 face video that is not base64", mutate(t, "identity_ext", map[string]any{"face_video_type": "base64", "face_video": "%%%"}), ReasonInvalidField, "identity_ext.face_video"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(bytes.NewReader(tt.body), testNow)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			if ve.Reason != tt.reason || ve.Field != tt.field {
				t.Errorf("got %s at %q (%v), want %s at %q", ve.Reason, ve.Field, ve, tt.reason, tt.field)
			}
			if ve.Rule == "" {
				t.Error("the error does not state the rule")
			}
			if !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.TooLarge) {
				t.Errorf("errs.ErrorCode = %s, want invalid or too_large", errs.ErrorCode(err))
			}
			if !strings.Contains(ve.Error(), tt.field) {
				t.Errorf("the message %q does not name the field", ve.Error())
			}
		})
	}
	if len(tests) < 60 {
		t.Errorf("only %d bad events; the contract needs at least 60", len(tests))
	}
}

func TestDecodeEventRefusesOversizedBodies(t *testing.T) {
	body := bytes.Repeat([]byte(" "), MaxEventBytes+1)
	_, err := Decode(bytes.NewReader(body), testNow)
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Reason != ReasonTooLarge {
		t.Fatalf("err = %v, want event_too_large", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(fixture(f))
	f.Add([]byte(`{"event_type":"loan","event_time":"2026-11-20T09:15:00Z","order_id":"1","profile":{"phone":{"country_code":86,"phone_number":"13800138000"},"id":{"id_country":"CN","id_type":"identity_card","id_number":"11010519491231002X","valid_date":"2020-01-01"},"birthdate":"1949-12-31"},"contact":[{"phone":{"country_code":86,"phone_number":"13800138000"}}]}`))
	f.Add([]byte(`{"identity_ext":{"face_image_type":"base64","face_image":["iVBORw0KGgo="]}}`))
	f.Add([]byte(`[1,2,{"a":null}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := Decode(bytes.NewReader(body), testNow)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("non-validation error %T: %v", err, err)
			}
			return
		}
		// A decoded event must survive a round trip; that it can be
		// scored is FuzzDecideDecodedEvent's part (package risk).
		again, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(bytes.NewReader(again), testNow); err != nil {
			t.Fatalf("re-encoded event refused: %v\n%s", err, again)
		}
	})
}
