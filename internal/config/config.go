// Package config holds the server's configuration: defaults, then
// environment variables (CREDITPOCKET_*), then command-line flags. Printing a
// Config masks secrets.
package config

import (
	"encoding/base64"
	"flag"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"creditpocket/internal/clientip"
	"creditpocket/internal/membudget"
)

// Config is everything a creditpocket process needs to start.
type Config struct {
	Addr               string        // listen address
	DataDir            string        // SQLite database, blobs and the dev key live here
	DatabaseURL        string        // postgres://… ; empty means embedded SQLite under DataDir
	EncryptionKey      string        // base64 of 32 bytes; empty means a dev key under DataDir/keys
	LogLevel           string        // debug, info, warn, error
	Timezone           string        // IANA zone used for the app's "YYYY-MM-DD HH:MM:SS" times
	DefaultCallingCode int           // E.164 calling code assumed when a request sends none
	SMSProvider        string        // only "sandbox" today
	PaymentProvider    string        // only "sandbox" today
	SessionTTL         time.Duration // borrower session lifetime
	SessionCacheTTL    time.Duration // how long a validated token is trusted without a database look-up
	SeedDemo           bool          // seed demo data (products, banks, dictionaries) on start
	// ConsoleSecureCookies marks the console's cookies Secure on plain-HTTP
	// requests too, for a TLS-terminating proxy in front (requests that
	// arrive over TLS always get Secure cookies).
	ConsoleSecureCookies bool
	// TrustedProxies lists the reverse proxies (addresses and CIDR
	// prefixes, comma-separated) whose X-Forwarded-For names the client;
	// empty trusts none.
	TrustedProxies string
	// MemoryBudget caps the bytes all requests together may hold while
	// their bodies are read, decoded and parsed; a request that finds it
	// full waits briefly, then is answered 503 with Retry-After.
	MemoryBudget int64
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Addr:               ":8080",
		DataDir:            "./data",
		LogLevel:           "info",
		Timezone:           "Africa/Lagos",
		DefaultCallingCode: 234,
		SMSProvider:        "sandbox",
		PaymentProvider:    "sandbox",
		SessionTTL:         30 * 24 * time.Hour,
		SessionCacheTTL:    5 * time.Second,
		SeedDemo:           true,
		MemoryBudget:       membudget.DefaultSize,
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
	str(&c.Addr, "addr", "CREDITPOCKET_ADDR", "listen address")
	str(&c.DataDir, "data", "CREDITPOCKET_DATA", "data folder for the SQLite database, blobs and dev key")
	str(&c.DatabaseURL, "database-url", "CREDITPOCKET_DATABASE_URL", "postgres://… to use PostgreSQL instead of embedded SQLite")
	str(&c.EncryptionKey, "encryption-key", "CREDITPOCKET_ENCRYPTION_KEY", "base64 of a 32-byte key for personal data at rest")
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
	}
	fs.BoolVar(&c.SeedDemo, "seed-demo", c.SeedDemo, "seed demo products, banks and dictionaries (env CREDITPOCKET_SEED_DEMO)")
	if v, ok := env("CREDITPOCKET_CONSOLE_SECURE_COOKIES"); ok {
		if c.ConsoleSecureCookies, err = strconv.ParseBool(v); err != nil {
			return fmt.Errorf("CREDITPOCKET_CONSOLE_SECURE_COOKIES: %w", err)
		}
	}
	fs.BoolVar(&c.ConsoleSecureCookies, "console-secure-cookies", c.ConsoleSecureCookies,
		"mark console cookies Secure on plain-HTTP requests too, behind a TLS proxy (env CREDITPOCKET_CONSOLE_SECURE_COOKIES)")
	if v, ok := env("CREDITPOCKET_MEMORY_BUDGET"); ok {
		if c.MemoryBudget, err = membudget.ParseSize(v); err != nil {
			return fmt.Errorf("CREDITPOCKET_MEMORY_BUDGET: %w", err)
		}
	}
	fs.Var((*sizeFlag)(&c.MemoryBudget), "memory-budget",
		"bytes all requests together may hold while bodies are read, decoded and parsed, e.g. 512MiB; over it a request waits up to 2s, then gets 503 (env CREDITPOCKET_MEMORY_BUDGET)")
	return nil
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
	if c.EncryptionKey != "" {
		k, err := base64.StdEncoding.DecodeString(c.EncryptionKey)
		if err != nil || len(k) != 32 {
			return fmt.Errorf("encryption-key: must be base64 of exactly 32 bytes")
		}
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil {
		return fmt.Errorf("timezone: %w", err)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log-level: must be debug, info, warn or error")
	}
	if c.SMSProvider != "sandbox" {
		return fmt.Errorf("sms-provider: %q is not supported (sandbox)", c.SMSProvider)
	}
	if c.PaymentProvider != "sandbox" {
		return fmt.Errorf("payment-provider: %q is not supported (sandbox)", c.PaymentProvider)
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
	return nil
}

// Masked lists the effective settings as key/value pairs with secrets
// masked, for the startup log line.
func (c Config) Masked() []any {
	db := "sqlite (" + c.DataDir + "/creditpocket.db)"
	if c.DatabaseURL != "" {
		db = MaskURL(c.DatabaseURL)
	}
	key := "dev key under " + c.DataDir + "/keys"
	if c.EncryptionKey != "" {
		key = "set (masked)"
	}
	return []any{
		"addr", c.Addr, "data", c.DataDir, "database", db, "encryption_key", key,
		"log_level", c.LogLevel, "timezone", c.Timezone, "default_calling_code", c.DefaultCallingCode,
		"sms_provider", c.SMSProvider, "payment_provider", c.PaymentProvider,
		"session_ttl", c.SessionTTL.String(), "session_cache_ttl", c.SessionCacheTTL.String(), "seed_demo", c.SeedDemo, "console_secure_cookies", c.ConsoleSecureCookies,
		"trusted_proxies", c.TrustedProxies, "memory_budget", membudget.FormatSize(c.MemoryBudget),
	}
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
