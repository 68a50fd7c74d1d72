// Package config holds the server's configuration: defaults, then
// environment variables (CREDITPOCKET_*), then command-line flags. Printing a
// Config masks secrets.
package config

import (
	"encoding/base64"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"creditpocket/internal/clientip"
	"creditpocket/internal/ledger"
	"creditpocket/internal/membudget"
)

// Config is everything a creditpocket process needs to start.
type Config struct {
	Addr               string        // listen address
	DataDir            string        // SQLite database, blobs and the dev key live here
	DatabaseURL        string        // postgres://… ; empty means embedded SQLite under DataDir
	EncryptionKey      string        // base64 of 32 bytes, from the environment only (never argv); see EncryptionKeyFile
	LogLevel           string        // debug, info, warn, error
	Timezone           string        // IANA zone used for the app's "YYYY-MM-DD HH:MM:SS" times
	DefaultCallingCode int           // E.164 calling code assumed when a request sends none
	SMSProvider        string        // only "sandbox" today (dev mode); empty is unset
	PaymentProvider    string        // only "sandbox" today (dev mode); empty is unset
	SessionTTL         time.Duration // borrower session lifetime
	SessionCacheTTL    time.Duration // how long a validated token is trusted without a database look-up
	SeedDemo           bool          // seed demo data (products, banks, dictionaries, lender capital) on start; dev mode only
	// ConsoleSecureCookies marks the console's cookies Secure on plain-HTTP
	// requests too, for a TLS-terminating proxy in front (requests that
	// arrive over TLS always get Secure cookies).
	ConsoleSecureCookies bool
	// TrustedProxies lists the reverse proxies (addresses and CIDR
	// prefixes, comma-separated) whose X-Forwarded-For names the client;
	// empty trusts none.
	TrustedProxies string
	// Dev is the quick start (serve --dev): sandbox providers, the
	// /sandbox/* routes (loopback clients only), a dev key under DataDir
	// and demo data. Without it serve refuses those (ProductionRefusals).
	Dev bool
	// EncryptionKeyFile names a file holding the base64 of the 32-byte
	// key; at most one of EncryptionKey and EncryptionKeyFile is set, and
	// with neither only dev mode starts (on a dev key under DataDir/keys).
	EncryptionKeyFile string
	// PublicURL is the server's address as borrowers' browsers reach it
	// (checkout links, photo links); empty derives it from Addr
	// (BaseURL).
	PublicURL string
	// DrainDelay is how long serve keeps accepting requests after SIGINT
	// or SIGTERM while /readyz answers 503, so a load balancer stops
	// sending traffic before the listener closes.
	DrainDelay time.Duration

	seedDemoSet bool // SeedDemo was set by env or flag, so dev mode leaves it
	addrSet     bool // likewise Addr
	// Payouts bounds failed payouts' automatic retries (payouts.go).
	Payouts Payouts
	// PaymentSurplus is how many minor units more than a loan can absorb a
	// reported payment may bring before it is refused (repay.CheckPaymentFits).
	PaymentSurplus int64
	// MemoryBudget caps the bytes all requests together may hold while
	// their bodies are read, decoded and parsed; a request that finds it
	// full waits briefly, then is answered 503 with Retry-After.
	MemoryBudget int64
	// OpsToken is the Bearer token of the /ops endpoints; empty refuses
	// them all. From the environment only, as the key is.
	OpsToken string
	// PaymentWebhookSecret signs and verifies payment webhooks; empty
	// derives one from the master key. From the environment only.
	PaymentWebhookSecret string
	// SandboxTransferDelay is how long a sandbox payout takes to arrive.
	SandboxTransferDelay time.Duration
	// KYC holds the card-binding KYC settings (kyc.go).
	KYC KYC
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Addr:               ":8080",
		DataDir:            "./data",
		LogLevel:           "info",
		Timezone:           "Africa/Lagos",
		DefaultCallingCode: 234,
		SessionTTL:         30 * 24 * time.Hour,
		SessionCacheTTL:    5 * time.Second,
		MemoryBudget:       membudget.DefaultSize,
		PaymentSurplus:     10_000_000, // repay.DefaultPaymentSurplus
		Payouts:            DefaultPayouts(),
		KYC:                DefaultKYC(),

		SandboxTransferDelay: 2 * time.Second,
	}
}

// sandbox is the only provider this version has; it simulates SMS and
// payments and is for dev mode only.
const sandbox = "sandbox"

// DevAddr is where dev mode listens unless told otherwise: loopback only,
// as the sandbox is for this machine.
const DevAddr = "127.0.0.1:8080"

// UseDev turns dev mode on: the sandbox providers where none is set, demo
// data unless seed-demo was set, and the loopback DevAddr unless addr was
// set. --dev and CREDITPOCKET_DEV call it.
func (c *Config) UseDev() {
	c.Dev = true
	if !c.addrSet {
		c.Addr = DevAddr
	}
	if c.SMSProvider == "" {
		c.SMSProvider = sandbox
	}
	if c.PaymentProvider == "" {
		c.PaymentProvider = sandbox
	}
	if !c.seedDemoSet {
		c.SeedDemo = true
	}
}

// Bind registers the flags of c on fs, with defaults taken from env (a
// lookup function such as os.LookupEnv) so that flag > env > default.
func (c *Config) Bind(fs *flag.FlagSet, env func(string) (string, bool)) error {
	var err error
	str := func(p *string, name, envName, usage string) {
		if v, ok := env(envName); ok {
			*p = v
		}
		fs.StringVar(p, name, *p, usage+" (env "+envName+")")
	}
	if v, ok := env("CREDITPOCKET_ADDR"); ok {
		c.Addr, c.addrSet = v, true
	}
	fs.Func("addr", "listen address: default :8080, or 127.0.0.1:8080 with --dev (env CREDITPOCKET_ADDR)", func(v string) error {
		c.Addr, c.addrSet = v, true
		return nil
	})
	str(&c.DataDir, "data", "CREDITPOCKET_DATA", "data folder for the SQLite database, blobs and dev key")
	str(&c.DatabaseURL, "database-url", "CREDITPOCKET_DATABASE_URL", "postgres://… to use PostgreSQL instead of embedded SQLite")
	// The key itself is read from the environment only: a flag's value
	// shows in ps and shell history.
	if v, ok := env("CREDITPOCKET_ENCRYPTION_KEY"); ok {
		c.EncryptionKey = v
	}
	str(&c.EncryptionKeyFile, "encryption-key-file", "CREDITPOCKET_ENCRYPTION_KEY_FILE",
		"file holding the base64 of the 32-byte master key for personal data at rest (or set CREDITPOCKET_ENCRYPTION_KEY)")
	str(&c.PublicURL, "public-url", "CREDITPOCKET_PUBLIC_URL", "the server's absolute http(s) URL as browsers reach it, for checkout links; default derived from --addr")
	str(&c.LogLevel, "log-level", "CREDITPOCKET_LOG_LEVEL", "debug, info, warn or error")
	str(&c.Timezone, "timezone", "CREDITPOCKET_TIMEZONE", "IANA time zone of the app's timestamps")
	str(&c.SMSProvider, "sms-provider", "CREDITPOCKET_SMS_PROVIDER", "SMS provider: sandbox")
	str(&c.PaymentProvider, "payment-provider", "CREDITPOCKET_PAYMENT_PROVIDER", "payment provider: sandbox")
	str(&c.TrustedProxies, "trusted-proxies", "CREDITPOCKET_TRUSTED_PROXIES",
		"reverse proxies whose X-Forwarded-For names the client, as addresses and CIDR prefixes, comma-separated (a load balancer's subnet); empty trusts none")
	if v, ok := env("CREDITPOCKET_DEFAULT_CALLING_CODE"); ok {
		if c.DefaultCallingCode, err = strconv.Atoi(v); err != nil {
			return fmt.Errorf("CREDITPOCKET_DEFAULT_CALLING_CODE: %w", err)
		}
	}
	fs.IntVar(&c.DefaultCallingCode, "default-calling-code", c.DefaultCallingCode, "E.164 calling code assumed when a request sends none (env CREDITPOCKET_DEFAULT_CALLING_CODE)")
	if v, ok := env("CREDITPOCKET_SESSION_TTL"); ok {
		if c.SessionTTL, err = time.ParseDuration(v); err != nil {
			return fmt.Errorf("CREDITPOCKET_SESSION_TTL: %w", err)
		}
	}
	if v, ok := env("CREDITPOCKET_SESSION_CACHE_TTL"); ok {
		if c.SessionCacheTTL, err = time.ParseDuration(v); err != nil {
			return fmt.Errorf("CREDITPOCKET_SESSION_CACHE_TTL: %w", err)
		}
	}
	fs.DurationVar(&c.SessionCacheTTL, "session-cache-ttl", c.SessionCacheTTL, "how long this process trusts a validated token without the database; a token revoked by another process works here for at most this long; 0 disables (env CREDITPOCKET_SESSION_CACHE_TTL)")
	fs.DurationVar(&c.SessionTTL, "session-ttl", c.SessionTTL, "borrower session lifetime (env CREDITPOCKET_SESSION_TTL)")
	if v, ok := env("CREDITPOCKET_SEED_DEMO"); ok {
		if c.SeedDemo, err = strconv.ParseBool(v); err != nil {
			return fmt.Errorf("CREDITPOCKET_SEED_DEMO: %w", err)
		}
		c.seedDemoSet = true
	}
	fs.BoolFunc("seed-demo", "seed demo products, banks, dictionaries and lender capital; dev mode only, default on with --dev (env CREDITPOCKET_SEED_DEMO)", func(v string) error {
		b, err := strconv.ParseBool(v)
		c.SeedDemo, c.seedDemoSet = b, true
		return err
	})
	if v, ok := env("CREDITPOCKET_CONSOLE_SECURE_COOKIES"); ok {
		if c.ConsoleSecureCookies, err = strconv.ParseBool(v); err != nil {
			return fmt.Errorf("CREDITPOCKET_CONSOLE_SECURE_COOKIES: %w", err)
		}
	}
	if v, ok := env("CREDITPOCKET_PAYMENT_SURPLUS"); ok {
		if c.PaymentSurplus, err = strconv.ParseInt(v, 10, 64); err != nil {
			return fmt.Errorf("CREDITPOCKET_PAYMENT_SURPLUS: %w", err)
		}
	}
	fs.Int64Var(&c.PaymentSurplus, "payment-surplus", c.PaymentSurplus,
		"minor units a reported payment may bring beyond what the loan owes (or its checkout asked) before it is refused (env CREDITPOCKET_PAYMENT_SURPLUS)")
	fs.BoolVar(&c.ConsoleSecureCookies, "console-secure-cookies", c.ConsoleSecureCookies,
		"mark console cookies Secure on plain-HTTP requests too, behind a TLS proxy (env CREDITPOCKET_CONSOLE_SECURE_COOKIES)")
	if v, ok := env("CREDITPOCKET_MEMORY_BUDGET"); ok {
		if c.MemoryBudget, err = membudget.ParseSize(v); err != nil {
			return fmt.Errorf("CREDITPOCKET_MEMORY_BUDGET: %w", err)
		}
	}
	fs.Var((*sizeFlag)(&c.MemoryBudget), "memory-budget",
		"bytes all requests together may hold while bodies are read, decoded and parsed, e.g. 512MiB; over it a request waits up to 2s, then gets 503 (env CREDITPOCKET_MEMORY_BUDGET)")
	if v, ok := env("CREDITPOCKET_DRAIN_DELAY"); ok {
		if c.DrainDelay, err = time.ParseDuration(v); err != nil {
			return fmt.Errorf("CREDITPOCKET_DRAIN_DELAY: %w", err)
		}
	}
	fs.DurationVar(&c.DrainDelay, "drain-delay", c.DrainDelay,
		"after SIGINT/SIGTERM, keep serving this long with /readyz answering 503 before closing the listener (env CREDITPOCKET_DRAIN_DELAY)")
	// Secrets, like the key, come from the environment only.
	if v, ok := env("CREDITPOCKET_OPS_TOKEN"); ok {
		c.OpsToken = v
	}
	if v, ok := env("CREDITPOCKET_PAYMENT_WEBHOOK_SECRET"); ok {
		c.PaymentWebhookSecret = v
	}
	if v, ok := env("CREDITPOCKET_SANDBOX_TRANSFER_DELAY"); ok {
		if c.SandboxTransferDelay, err = time.ParseDuration(v); err != nil {
			return fmt.Errorf("CREDITPOCKET_SANDBOX_TRANSFER_DELAY: %w", err)
		}
	}
	fs.DurationVar(&c.SandboxTransferDelay, "sandbox-transfer-delay", c.SandboxTransferDelay,
		"how long a sandbox payout takes to arrive, 0 to 1h (env CREDITPOCKET_SANDBOX_TRANSFER_DELAY)")
	if err := c.KYC.bind(fs, env); err != nil {
		return err
	}
	// Dev mode last: its defaults fill only what the environment left
	// unset, and flags after --dev still override them.
	if v, ok := env("CREDITPOCKET_DEV"); ok {
		dev, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("CREDITPOCKET_DEV: %w", err)
		}
		if dev {
			c.UseDev()
		}
	}
	fs.BoolFunc("dev", "dev mode, the quick start: sandbox SMS and payments, /sandbox/* for loopback clients, a dev key under --data, demo data; never for real borrowers (env CREDITPOCKET_DEV)", func(v string) error {
		dev, err := strconv.ParseBool(v)
		if err != nil {
			return err
		}
		if dev {
			c.UseDev()
		} else {
			c.Dev = false
		}
		return nil
	})
	return c.Payouts.bind(fs, env)
}

// sizeFlag is a byte count written as membudget.ParseSize reads it.
type sizeFlag int64

func (f *sizeFlag) String() string { return membudget.FormatSize(int64(*f)) }
func (f *sizeFlag) Set(s string) error {
	n, err := membudget.ParseSize(s)
	*f = sizeFlag(n)
	return err
}

// Validate checks values that flags cannot.
func (c Config) Validate() error {
	if _, _, err := c.Key(); err != nil {
		return err
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("public-url: must be an absolute http:// or https:// URL without user, query or fragment, e.g. https://loans.example.com")
		}
	}
	if c.DrainDelay < 0 || c.DrainDelay > time.Minute {
		return fmt.Errorf("drain-delay: must be from 0 to 1m")
	}
	if c.PaymentSurplus < 0 || c.PaymentSurplus > int64(ledger.MaxAmount) {
		return fmt.Errorf("payment-surplus: must be 0–%d minor units", ledger.MaxAmount)
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil {
		return fmt.Errorf("timezone: %w", err)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log-level: must be debug, info, warn or error")
	}
	if c.SMSProvider != "" && c.SMSProvider != sandbox {
		return fmt.Errorf("sms-provider: %q is not supported (this version has only sandbox, for --dev)", c.SMSProvider)
	}
	if c.PaymentProvider != "" && c.PaymentProvider != sandbox {
		return fmt.Errorf("payment-provider: %q is not supported (this version has only sandbox, for --dev)", c.PaymentProvider)
	}
	if c.SessionCacheTTL < 0 || c.SessionCacheTTL > time.Minute {
		return fmt.Errorf("session-cache-ttl: must be from 0 to 1m")
	}
	if c.SessionTTL < time.Minute {
		return fmt.Errorf("session-ttl: must be at least 1m")
	}
	if _, err := clientip.Parse(c.TrustedProxies); err != nil {
		return fmt.Errorf("trusted-proxies: %w", err)
	}
	if c.MemoryBudget < 16<<20 {
		return fmt.Errorf("memory-budget: must be at least 16MiB (a credit report alone needs a few)")
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return fmt.Errorf("database-url: must start with postgres:// or postgresql://")
	}
	if c.SandboxTransferDelay < 0 || c.SandboxTransferDelay > time.Hour {
		return fmt.Errorf("sandbox-transfer-delay: must be from 0 to 1h")
	}
	if err := c.KYC.validate(); err != nil {
		return err
	}
	return c.Payouts.validate()
}

// Key returns the configured master key: CREDITPOCKET_ENCRYPTION_KEY or
// the contents of the key file, base64 of 32 bytes. ok is false when
// neither is set (dev mode then uses a dev key under DataDir).
func (c Config) Key() (key []byte, ok bool, err error) {
	const rule = "must hold the base64 of exactly 32 bytes (make one with: head -c32 /dev/urandom | base64)"
	switch {
	case c.EncryptionKey != "" && c.EncryptionKeyFile != "":
		return nil, false, fmt.Errorf("encryption-key-file: set either it or CREDITPOCKET_ENCRYPTION_KEY, not both")
	case c.EncryptionKey != "":
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(c.EncryptionKey))
		if err != nil || len(k) != 32 {
			return nil, false, fmt.Errorf("encryption-key: CREDITPOCKET_ENCRYPTION_KEY %s", rule)
		}
		return k, true, nil
	case c.EncryptionKeyFile != "":
		b, err := os.ReadFile(c.EncryptionKeyFile)
		if err != nil {
			return nil, false, fmt.Errorf("encryption-key-file: %w", err)
		}
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) != 32 {
			return nil, false, fmt.Errorf("encryption-key-file: %s %s", c.EncryptionKeyFile, rule)
		}
		return k, true, nil
	}
	return nil, false, nil
}

// ProductionRefusals lists, outside dev mode, each setting that keeps
// serve from starting for real borrowers: a sandbox (or no) provider, no
// encryption key (a dev key would be made or used), demo data. Each entry
// names the setting and how to fix it; dev mode has none.
func (c Config) ProductionRefusals() []string {
	if c.Dev {
		return nil
	}
	var out []string
	provider := func(name, value, what string) {
		switch value {
		case "":
			out = append(out, fmt.Sprintf("--%s is not set (configure a real %s provider with --%s)", name, what, name))
		case sandbox:
			out = append(out, fmt.Sprintf("--%s is sandbox, which is for --dev only (configure a real %s provider with --%s)", name, what, name))
		}
	}
	provider("sms-provider", c.SMSProvider, "SMS")
	provider("payment-provider", c.PaymentProvider, "payment")
	if c.EncryptionKey == "" && c.EncryptionKeyFile == "" {
		out = append(out, "no encryption key: a dev key under "+c.DataDir+"/keys is for --dev only (give --encryption-key-file or CREDITPOCKET_ENCRYPTION_KEY)")
	}
	if c.SeedDemo {
		out = append(out, "--seed-demo books demo products and lender capital that does not exist, for --dev only (drop it)")
	}
	return out
}

// BaseURL is PublicURL, or derived from Addr when it is empty: "host:port"
// is http://host:port, ":8080" and unspecified hosts are
// http://localhost:8080, IPv6 hosts keep their brackets.
func (c Config) BaseURL() string {
	if c.PublicURL != "" {
		return strings.TrimSuffix(c.PublicURL, "/")
	}
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return "http://localhost" // Addr is checked when serve listens
	}
	if a, err := netip.ParseAddr(host); host == "" || err == nil && a.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Masked lists the effective settings as key/value pairs with secrets
// masked, for the startup log line.
func (c Config) Masked() []any {
	db := "sqlite (" + c.DataDir + "/creditpocket.db)"
	if c.DatabaseURL != "" {
		db = MaskURL(c.DatabaseURL)
	}
	key := "none"
	switch {
	case c.EncryptionKey != "":
		key = "from CREDITPOCKET_ENCRYPTION_KEY (masked)"
	case c.EncryptionKeyFile != "":
		key = "from " + c.EncryptionKeyFile
	case c.Dev:
		key = "dev key under " + c.DataDir + "/keys"
	}
	return append([]any{
		"dev", c.Dev, "public_url", c.BaseURL(), "drain_delay", c.DrainDelay.String(),
		"addr", c.Addr, "data", c.DataDir, "database", db, "encryption_key", key,
		"log_level", c.LogLevel, "timezone", c.Timezone, "default_calling_code", c.DefaultCallingCode,
		"sms_provider", c.SMSProvider, "payment_provider", c.PaymentProvider,
		"session_ttl", c.SessionTTL.String(), "session_cache_ttl", c.SessionCacheTTL.String(), "seed_demo", c.SeedDemo, "console_secure_cookies", c.ConsoleSecureCookies,
		"trusted_proxies", c.TrustedProxies, "memory_budget", membudget.FormatSize(c.MemoryBudget),
		"ops_token", maskSecret(c.OpsToken, "unset: /ops refused"),
		"payment_webhook_secret", maskSecret(c.PaymentWebhookSecret, "derived from the master key"),
		"sandbox_transfer_delay", c.SandboxTransferDelay.String(),
	}, append(c.Payouts.masked(), c.KYC.masked()...)...)
}

// maskSecret says whether a secret is set, never what it is.
func maskSecret(v, unset string) string {
	if v == "" {
		return unset
	}
	return "set (masked)"
}

// MaskURL hides the password of a database URL.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}
