package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestValidateNamesTheSettingItRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Config)
		flag   string // "" when the configuration is good
	}{
		{"the defaults are valid", func(*Config) {}, ""},
		{"trusted proxies as addresses and prefixes", func(c *Config) { c.TrustedProxies = "10.0.0.0/8, 192.0.2.7, 2001:db8::/32" }, ""},
		{"a trusted proxy given by name", func(c *Config) { c.TrustedProxies = "10.0.0.0/8, lb.internal" }, "trusted-proxies"},
		{"an encryption key of the wrong size", func(c *Config) { c.EncryptionKey = "c2hvcnQ=" }, "encryption-key"},
		{"an unknown time zone", func(c *Config) { c.Timezone = "Mars/Olympus" }, "timezone"},
		{"an unknown log level", func(c *Config) { c.LogLevel = "loud" }, "log-level"},
		{"an SMS provider that does not exist", func(c *Config) { c.SMSProvider = "twilio" }, "sms-provider"},
		{"a payment provider that does not exist", func(c *Config) { c.PaymentProvider = "stripe" }, "payment-provider"},
		{"a session cache longer than a minute", func(c *Config) { c.SessionCacheTTL = 2 * time.Minute }, "session-cache-ttl"},
		{"sessions shorter than a minute", func(c *Config) { c.SessionTTL = time.Second }, "session-ttl"},
		{"a database URL that is not PostgreSQL", func(c *Config) { c.DatabaseURL = "mysql://x" }, "database-url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.change(&c)
			err := c.Validate()
			switch {
			case tc.flag == "" && err != nil:
				t.Fatalf("Validate() = %v", err)
			case tc.flag != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.flag+":")):
				t.Fatalf("Validate() = %v, want an error naming %s", err, tc.flag)
			}
		})
	}
}

func TestFlagsOverrideTheEnvironmentWhichOverridesTheDefaults(t *testing.T) {
	env := map[string]string{"CREDITPOCKET_TRUSTED_PROXIES": "10.0.0.0/8", "CREDITPOCKET_LOG_LEVEL": "debug"}
	c := Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := c.Bind(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"--trusted-proxies", "192.0.2.0/24"}); err != nil {
		t.Fatal(err)
	}
	if c.TrustedProxies != "192.0.2.0/24" || c.LogLevel != "debug" || c.Addr != ":8080" {
		t.Fatalf("trusted proxies %q (flag), log level %q (env), addr %q (default)", c.TrustedProxies, c.LogLevel, c.Addr)
	}
}

func TestMemoryBudgetIsASizeFromTheEnvironmentOrTheFlag(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		args    []string
		want    int64
		wantErr string
	}{
		{"the default is 512MiB", nil, nil, 512 << 20, ""},
		{"the environment sets it in MiB", map[string]string{"CREDITPOCKET_MEMORY_BUDGET": "256MiB"}, nil, 256 << 20, ""},
		{"the flag overrides the environment", map[string]string{"CREDITPOCKET_MEMORY_BUDGET": "256MiB"}, []string{"--memory-budget", "1GiB"}, 1 << 30, ""},
		{"a size without a number is refused", map[string]string{"CREDITPOCKET_MEMORY_BUDGET": "lots"}, nil, 0, "CREDITPOCKET_MEMORY_BUDGET"},
		{"a budget too small for one report is refused", nil, []string{"--memory-budget", "1MiB"}, 0, "memory-budget:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			err := c.Bind(fs, func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			if err == nil {
				err = fs.Parse(tc.args)
			}
			if err == nil {
				err = c.Validate()
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v; want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil || c.MemoryBudget != tc.want {
				t.Fatalf("budget %d, err %v; want %d", c.MemoryBudget, err, tc.want)
			}
		})
	}
}
