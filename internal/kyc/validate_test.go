package kyc_test

import (
	"errors"
	"net/http"
	"testing"

	"creditpocket/internal/errs"
	"creditpocket/internal/kyc"
	"creditpocket/internal/kyc/kyctest"
)

func validRequest(t *testing.T, change func(b map[string]any)) *kyc.Request {
	t.Helper()
	body := kyctest.Body("T1")
	if change != nil {
		change(body)
	}
	req, err := read(t, marshal(t, body))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func codeOf(err error) kyc.Code {
	c, _ := kyc.CodeOf(err)
	return c
}

func TestConfigurableRules(t *testing.T) {
	cfg := kyc.DefaultConfig()
	cfg.DocTypes = []int{kyc.DocPassport, kyc.DocIdentity}
	cfg.CardTypes["500"] = kyc.CardType{Countries: []string{"NG"}, AddressPattern: `^\d+ .+$`}
	rules := kyc.MustRules(cfg)
	idCard := validRequest(t, func(b map[string]any) { b["kyc_info"].(map[string]any)["doc_type"] = 2 })
	chinese := validRequest(t, func(b map[string]any) { b["kyc_info"].(map[string]any)["address"] = "北京市麦子店街28号" })
	numbered := validRequest(t, func(b map[string]any) {
		b["kyc_info"].(map[string]any)["address"] = "28 Maizidian Street"
		b["kyc_info"].(map[string]any)["country_id"] = "NG"
	})
	cases := []struct {
		name     string
		rules    *kyc.Rules
		req      *kyc.Request
		cardType string
		want     kyc.Code
	}{
		{"an identity number is refused while passport only", kyc.MustRules(kyc.DefaultConfig()), idCard, "1", kyc.UnsupportedDocType},
		{"an identity number is accepted when configured", rules, idCard, "1", kyc.OK},
		{"a Chinese address passes the default rule", rules, chinese, "1", kyc.OK},
		{"a Chinese address fails the Latin rule of 71000002", rules, chinese, "71000002", kyc.BadFormat},
		{"a card type's own address rule applies", rules, chinese, "500", kyc.BadFormat},
		{"a card type's own countries apply", rules, validRequest(t, func(b map[string]any) {
			b["kyc_info"].(map[string]any)["address"] = "28 Maizidian Street"
		}), "500", kyc.CountryNotAllowed},
		{"a request meeting the card type's rules passes", rules, numbered, "500", kyc.OK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := codeOf(c.rules.Validate(c.req, c.cardType, now)); got != c.want {
				t.Fatalf("got %s (%v), want %s", got, c.rules.Validate(c.req, c.cardType, now), c.want)
			}
		})
	}
}

func TestBadConfigurationsAreRefused(t *testing.T) {
	for name, change := range map[string]func(*kyc.Config){
		"no doc types":          func(c *kyc.Config) { c.DocTypes = nil },
		"doc type 3":            func(c *kyc.Config) { c.DocTypes = []int{3} },
		"a broken pattern":      func(c *kyc.Config) { c.DefaultAddressPattern = "([" },
		"an unknown country":    func(c *kyc.Config) { c.CardTypes["1"] = kyc.CardType{Countries: []string{"XX"}} },
		"a threshold above one": func(c *kyc.Config) { c.ScreenThreshold = 1.5 },
		"ages upside down":      func(c *kyc.Config) { c.MinAge, c.MaxAge = 30, 20 },
	} {
		t.Run(name+" is refused", func(t *testing.T) {
			cfg := kyc.DefaultConfig()
			change(&cfg)
			if _, err := kyc.NewRules(cfg); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestBirthdayOfAnAdultTurningEighteenToday(t *testing.T) {
	rules := kyc.MustRules(kyc.DefaultConfig())
	turning := validRequest(t, func(b map[string]any) { b["kyc_info"].(map[string]any)["birthday"] = "2008-11-23" })
	if err := rules.Validate(turning, "1", now); err != nil {
		t.Fatalf("eighteen today: %v", err)
	}
	if err := rules.Validate(turning, "1", now.AddDate(0, 0, -1)); codeOf(err) != kyc.InvalidValue {
		t.Fatalf("a day before: %v", err)
	}
}

func TestCodesMapToStatusesAndTheErrorVocabulary(t *testing.T) {
	seen := map[kyc.Code]bool{}
	for _, c := range kyc.Codes {
		if seen[c.Code] || len(c.Code) != 5 {
			t.Errorf("code %q repeated or not five digits", c.Code)
		}
		seen[c.Code] = true
	}
	err := error(&kyc.Error{Code: kyc.ImageTooLarge, Field: "kyc_info.front_doc", Rule: "too big"})
	if errs.ErrorCode(err) != errs.Invalid || kyc.ImageTooLarge.Status() != http.StatusBadRequest {
		t.Error("a KYC error is not classed as invalid input")
	}
	if c, msg := kyc.CodeOf(errs.E(errs.Conflict, "taken")); c != kyc.Conflict || msg != "taken" {
		t.Errorf("conflict maps to %s %q", c, msg)
	}
	if c, msg := kyc.CodeOf(errors.New("disk on fire")); c != kyc.InternalError || msg != "internal error" {
		t.Errorf("a bug maps to %s %q", c, msg)
	}
}
