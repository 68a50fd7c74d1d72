package config

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bind binds a default Config to a flag set over env and parses args.
func bind(t *testing.T, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	c := Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := c.Bind(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		return c, err
	}
	return c, fs.Parse(args)
}

func TestABadEnvironmentValueIsRefusedNamingTheVariable(t *testing.T) {
	for _, tc := range []struct{ env, value string }{
		{"CREDITPOCKET_SANDBOX_TRANSFER_DELAY", "soon"},
		{"CREDITPOCKET_KYC_SCREEN_THRESHOLD", "high"},
		{"CREDITPOCKET_KYC_DOC_TYPES", "1,passport"},
		{"CREDITPOCKET_KYC_ALLOW_PRIVATE_WEBHOOKS", "perhaps"},
	} {
		t.Run(fmt.Sprintf("%s=%s is refused", tc.env, tc.value), func(t *testing.T) {
			_, err := bind(t, map[string]string{tc.env: tc.value})
			if err == nil || !strings.HasPrefix(err.Error(), tc.env+":") {
				t.Fatalf("Bind = %v, want an error naming %s", err, tc.env)
			}
		})
	}
}

func TestASettingOutOfItsRangeIsRefusedNamingTheSettingAndTheRule(t *testing.T) {
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "cards.json")
	if err := os.WriteFile(notJSON, []byte("71000009: NG"), 0o600); err != nil {
		t.Fatal(err)
	}
	badPattern := filepath.Join(dir, "pattern.json")
	if err := os.WriteFile(badPattern, []byte(`{"71000009": {"address_pattern": "("}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		change     func(*Config)
		flag, rule string
	}{
		{"a negative transfer delay", func(c *Config) { c.SandboxTransferDelay = -time.Second }, "sandbox-transfer-delay", "from 0 to 1h"},
		{"a transfer delay over an hour", func(c *Config) { c.SandboxTransferDelay = 2 * time.Hour }, "sandbox-transfer-delay", "from 0 to 1h"},
		{"a screen threshold of 0", func(c *Config) { c.KYC.ScreenThreshold = 0 }, "kyc-screen-threshold", "above 0 and at most 1"},
		{"a screen threshold over 1", func(c *Config) { c.KYC.ScreenThreshold = 1.5 }, "kyc-screen-threshold", "above 0 and at most 1"},
		{"no doc types", func(c *Config) { c.KYC.DocTypes = nil }, "kyc-doc-types", "at least one"},
		{"an unknown doc type", func(c *Config) { c.KYC.DocTypes = []int{1, 3} }, "kyc-doc-types", "must be 1 (passport) or 2 (ID card)"},
		{"an address pattern that does not compile", func(c *Config) { c.KYC.AddressPattern = "[a-z" }, "kyc-address-pattern", "Go regular expression"},
		{"a watch list that does not exist", func(c *Config) { c.KYC.WatchList = filepath.Join(dir, "none.csv") }, "kyc-watchlist", "no such file"},
		{"a card types file that does not exist", func(c *Config) { c.KYC.CardTypesFile = filepath.Join(dir, "none.json") }, "kyc-card-types", "no such file"},
		{"a card types file that is not JSON", func(c *Config) { c.KYC.CardTypesFile = notJSON }, "kyc-card-types", "JSON object of card types"},
		{"a card type whose pattern does not compile", func(c *Config) { c.KYC.CardTypesFile = badPattern }, "kyc-card-types", "71000009"},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			c := Default()
			tc.change(&c)
			err := c.Validate()
			if err == nil || !strings.HasPrefix(err.Error(), tc.flag+":") || !strings.Contains(err.Error(), tc.rule) {
				t.Fatalf("Validate() = %v, want an error naming %s and saying %q", err, tc.flag, tc.rule)
			}
		})
	}
}

func TestTheMovedSettingsKeepTheirEnvironmentNamesAndDefaults(t *testing.T) {
	t.Run("unset, they are the old defaults", func(t *testing.T) {
		c, err := bind(t, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.SandboxTransferDelay != 2*time.Second || c.OpsToken != "" || c.PaymentWebhookSecret != "" ||
			c.KYC.ScreenThreshold != 0.92 || fmt.Sprint(c.KYC.DocTypes) != "[1]" || c.KYC.AllowPrivateWebhooks {
			t.Fatalf("defaults = %+v", c)
		}
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the environment sets them and a flag overrides it", func(t *testing.T) {
		c, err := bind(t, map[string]string{
			"CREDITPOCKET_OPS_TOKEN": "ops", "CREDITPOCKET_PAYMENT_WEBHOOK_SECRET": "whsec",
			"CREDITPOCKET_SANDBOX_TRANSFER_DELAY": "0s", "CREDITPOCKET_KYC_DOC_TYPES": "1, 2",
			"CREDITPOCKET_KYC_SCREEN_THRESHOLD": "0.8", "CREDITPOCKET_KYC_ALLOW_PRIVATE_WEBHOOKS": "true",
		}, "--kyc-screen-threshold=0.95")
		if err != nil {
			t.Fatal(err)
		}
		if c.OpsToken != "ops" || c.PaymentWebhookSecret != "whsec" || c.SandboxTransferDelay != 0 ||
			fmt.Sprint(c.KYC.DocTypes) != "[1 2]" || c.KYC.ScreenThreshold != 0.95 || !c.KYC.AllowPrivateWebhooks {
			t.Fatalf("bound = %+v", c)
		}
	})
	t.Run("the card types file is merged over the default card types", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "cards.json")
		if err := os.WriteFile(path, []byte(`{"71000009": {"countries": ["NG", "GH"]}}`), 0o600); err != nil {
			t.Fatal(err)
		}
		c := Default()
		c.KYC.CardTypesFile = path
		rules, err := c.KYC.Rules()
		if err != nil {
			t.Fatal(err)
		}
		if got := rules.CardTypes["71000009"].Countries; fmt.Sprint(got) != "[NG GH]" {
			t.Fatalf("card type 71000009 countries = %v", got)
		}
		if _, ok := rules.CardTypes["71000003"]; !ok {
			t.Fatal("the default card type 71000003 is gone")
		}
	})
}

func TestPrintingTheConfigurationMasksEverySecret(t *testing.T) {
	c := Default()
	c.OpsToken = "ops-token-value-1234"
	c.PaymentWebhookSecret = "webhook-secret-value-5678"
	c.EncryptionKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	c.DatabaseURL = "postgres://app:db-password-9@db/app"
	printed := fmt.Sprint(c.Masked()...)
	for _, secret := range []string{c.OpsToken, c.PaymentWebhookSecret, c.EncryptionKey, "db-password-9"} {
		if strings.Contains(printed, secret) {
			t.Errorf("the printed configuration shows a secret %q: %s", secret, printed)
		}
	}
	for _, want := range []string{"ops_token", "set (masked)", "payment_webhook_secret", "sandbox_transfer_delay", "kyc_screen_threshold"} {
		if !strings.Contains(printed, want) {
			t.Errorf("the printed configuration lacks %q: %s", want, printed)
		}
	}
	t.Run("an unset secret says so", func(t *testing.T) {
		printed := fmt.Sprint(Default().Masked()...)
		if !strings.Contains(printed, "unset: /ops refused") || !strings.Contains(printed, "derived from the master key") {
			t.Fatalf("printed = %s", printed)
		}
	})
}
