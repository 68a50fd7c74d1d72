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
		{"a public URL", func(c *Config) { c.PublicURL = "https://loans.example.com/app/" }, ""},
		{"a public URL without a scheme", func(c *Config) { c.PublicURL = "loans.example.com" }, "public-url"},
		{"a public URL that is not http", func(c *Config) { c.PublicURL = "ftp://loans.example.com" }, "public-url"},
		{"a public URL with a query", func(c *Config) { c.PublicURL = "https://loans.example.com/?a=1" }, "public-url"},
		{"a public URL with credentials", func(c *Config) { c.PublicURL = "https://u:p@loans.example.com" }, "public-url"},
		{"a relative public URL", func(c *Config) { c.PublicURL = "/pay" }, "public-url"},
		{"a key in both the environment and a file", func(c *Config) {
			c.EncryptionKey, c.EncryptionKeyFile = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "/etc/key"
		}, "encryption-key-file"},
		{"a drain delay over a minute", func(c *Config) { c.DrainDelay = 2 * time.Minute }, "drain-delay"},
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

func TestBaseURLIsDerivedFromTheListenAddress(t *testing.T) {
	for _, tc := range []struct{ addr, public, want string }{
		{":8080", "", "http://localhost:8080"},
		{"127.0.0.1:18081", "", "http://127.0.0.1:18081"},
		{"0.0.0.0:8080", "", "http://localhost:8080"},
		{"[::]:8080", "", "http://localhost:8080"},
		{"[::1]:8080", "", "http://[::1]:8080"},
		{"loans.internal:80", "", "http://loans.internal:80"},
		{"127.0.0.1:18081", "https://pay.example.com/", "https://pay.example.com"},
	} {
		t.Run(tc.addr+" "+tc.public, func(t *testing.T) {
			c := Default()
			c.Addr, c.PublicURL = tc.addr, tc.public
			if got := c.BaseURL(); got != tc.want {
				t.Fatalf("BaseURL() = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestDevModeFillsOnlyWhatIsUnset: --dev (or CREDITPOCKET_DEV) brings the
// sandbox providers, demo data and a loopback address, but a provider,
// seed-demo or address set by the environment or a flag keeps its value,
// wherever the flag stands.
func TestDevModeFillsOnlyWhatIsUnset(t *testing.T) {
	for _, tc := range []struct {
		name     string
		env      map[string]string
		args     []string
		dev      bool
		sms      string
		seedDemo bool
		addr     string
	}{
		{"nothing set is production with no providers", nil, nil, false, "", false, ":8080"},
		{"--dev brings sandbox, demo data and a loopback address", nil, []string{"--dev"}, true, "sandbox", true, "127.0.0.1:8080"},
		{"CREDITPOCKET_DEV brings them too", map[string]string{"CREDITPOCKET_DEV": "true"}, nil, true, "sandbox", true, "127.0.0.1:8080"},
		{"seed-demo off before --dev stays off", nil, []string{"--seed-demo=false", "--dev"}, true, "sandbox", false, "127.0.0.1:8080"},
		{"seed-demo off after --dev is off", nil, []string{"--dev", "--seed-demo=false"}, true, "sandbox", false, "127.0.0.1:8080"},
		{"seed-demo off in the environment stays off", map[string]string{"CREDITPOCKET_SEED_DEMO": "false"}, []string{"--dev"}, true, "sandbox", false, "127.0.0.1:8080"},
		{"an address before --dev stays", nil, []string{"--addr", ":8080", "--dev"}, true, "sandbox", true, ":8080"},
		{"an address in the environment stays", map[string]string{"CREDITPOCKET_ADDR": ":9000"}, []string{"--dev"}, true, "sandbox", true, ":9000"},
		{"--dev=false turns dev mode off", map[string]string{"CREDITPOCKET_DEV": "1"}, []string{"--dev=false"}, false, "sandbox", true, "127.0.0.1:8080"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			if err := c.Bind(fs, func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }); err != nil {
				t.Fatal(err)
			}
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			if c.Dev != tc.dev || c.SMSProvider != tc.sms || c.PaymentProvider != tc.sms || c.SeedDemo != tc.seedDemo || c.Addr != tc.addr {
				t.Fatalf("dev %v sms %q payment %q seed %v addr %q, want dev %v providers %q seed %v addr %q",
					c.Dev, c.SMSProvider, c.PaymentProvider, c.SeedDemo, c.Addr, tc.dev, tc.sms, tc.seedDemo, tc.addr)
			}
			if refused := len(c.ProductionRefusals()) > 0; refused == c.Dev {
				t.Fatalf("dev %v but refusals %q", c.Dev, c.ProductionRefusals())
			}
		})
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
