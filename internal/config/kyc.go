package config

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"regexp"
	"strconv"
	"strings"

	"creditpocket/internal/kyc"
)

// KYC holds the card-binding KYC settings; unset ones keep the contract's
// defaults (kyc.DefaultConfig).
type KYC struct {
	// WatchList is a screening CSV (id,name,aliases,country,program);
	// empty means no screening.
	WatchList string
	// ScreenThreshold is the Jaro-Winkler similarity from which a name
	// sends a KYC to review.
	ScreenThreshold float64
	// DocTypes are the accepted doc_type values: 1 (passport) and 2 (ID card).
	DocTypes []int
	// AddressPattern is the default address rule, a Go regular expression.
	AddressPattern string
	// CardTypesFile names a JSON file {"<card_type_id>": {"countries":
	// ["NG"], "address_pattern": "…"}} merged over the default card types.
	CardTypesFile string
	// AllowPrivateWebhooks lets merchant webhooks reach loopback and
	// private addresses (development only).
	AllowPrivateWebhooks bool
}

// DefaultKYC is the contract's defaults, no watch list, public webhooks only.
func DefaultKYC() KYC {
	d := kyc.DefaultConfig()
	return KYC{ScreenThreshold: d.ScreenThreshold, DocTypes: d.DocTypes, AddressPattern: d.DefaultAddressPattern}
}

func (k *KYC) bind(fs *flag.FlagSet, env func(string) (string, bool)) error {
	str := func(p *string, name, usage string) {
		envName := "CREDITPOCKET_" + envCase(name)
		if v, ok := env(envName); ok {
			*p = v
		}
		fs.StringVar(p, name, *p, usage+" (env "+envName+")")
	}
	str(&k.WatchList, "kyc-watchlist", "watch-list CSV (id,name,aliases,country,program) KYC names are screened against; empty screens none")
	str(&k.AddressPattern, "kyc-address-pattern", "the default KYC address rule, a Go regular expression")
	str(&k.CardTypesFile, "kyc-card-types", `JSON file {"<card_type_id>": {"countries": ["NG"], "address_pattern": "…"}} merged over the default KYC card types`)
	if v, ok := env("CREDITPOCKET_KYC_SCREEN_THRESHOLD"); ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("CREDITPOCKET_KYC_SCREEN_THRESHOLD: %q is not a number", v)
		}
		k.ScreenThreshold = f
	}
	fs.Float64Var(&k.ScreenThreshold, "kyc-screen-threshold", k.ScreenThreshold,
		"Jaro-Winkler similarity from which a screened name sends a KYC to review, above 0 and at most 1 (env CREDITPOCKET_KYC_SCREEN_THRESHOLD)")
	if v, ok := env("CREDITPOCKET_KYC_DOC_TYPES"); ok {
		if err := (*docTypes)(&k.DocTypes).Set(v); err != nil {
			return fmt.Errorf("CREDITPOCKET_KYC_DOC_TYPES: %w", err)
		}
	}
	fs.Var((*docTypes)(&k.DocTypes), "kyc-doc-types", `accepted KYC doc_type values, comma-separated: "1" (passport only) or "1,2" (also ID cards) (env CREDITPOCKET_KYC_DOC_TYPES)`)
	if v, ok := env("CREDITPOCKET_KYC_ALLOW_PRIVATE_WEBHOOKS"); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("CREDITPOCKET_KYC_ALLOW_PRIVATE_WEBHOOKS: %w", err)
		}
		k.AllowPrivateWebhooks = b
	}
	fs.BoolVar(&k.AllowPrivateWebhooks, "kyc-allow-private-webhooks", k.AllowPrivateWebhooks,
		"let merchant KYC webhooks reach loopback and private addresses; development only (env CREDITPOCKET_KYC_ALLOW_PRIVATE_WEBHOOKS)")
	return nil
}

// docTypes is a comma-separated list of doc_type numbers.
type docTypes []int

func (d *docTypes) String() string {
	s := make([]string, len(*d))
	for i, t := range *d {
		s[i] = strconv.Itoa(t)
	}
	return strings.Join(s, ",")
}

func (d *docTypes) Set(v string) error {
	*d = nil
	for part := range strings.SplitSeq(v, ",") {
		t, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return fmt.Errorf("%q is not a number", part)
		}
		*d = append(*d, t)
	}
	return nil
}

// Rules is the kyc.Config these settings make: the defaults with the set
// values over them, the card types file read and merged.
func (k KYC) Rules() (kyc.Config, error) {
	cfg := kyc.DefaultConfig()
	cfg.ScreenThreshold = k.ScreenThreshold
	cfg.DocTypes = k.DocTypes
	cfg.DefaultAddressPattern = k.AddressPattern
	if k.CardTypesFile != "" {
		raw, err := os.ReadFile(k.CardTypesFile)
		if err != nil {
			return cfg, fmt.Errorf("kyc-card-types: %w", err)
		}
		var cts map[string]kyc.CardType
		if err := json.Unmarshal(raw, &cts); err != nil {
			return cfg, fmt.Errorf("kyc-card-types: %s must be a JSON object of card types: %w", k.CardTypesFile, err)
		}
		maps.Copy(cfg.CardTypes, cts)
	}
	return cfg, nil
}

func (k KYC) validate() error {
	if !(k.ScreenThreshold > 0 && k.ScreenThreshold <= 1) {
		return fmt.Errorf("kyc-screen-threshold: must be above 0 and at most 1")
	}
	if len(k.DocTypes) == 0 {
		return fmt.Errorf("kyc-doc-types: must name at least one doc type, 1 or 2")
	}
	for _, t := range k.DocTypes {
		if t != kyc.DocPassport && t != kyc.DocIdentity {
			return fmt.Errorf("kyc-doc-types: %d is not a doc type: must be 1 (passport) or 2 (ID card)", t)
		}
	}
	if _, err := regexp.Compile(k.AddressPattern); err != nil {
		return fmt.Errorf("kyc-address-pattern: must be a Go regular expression: %w", err)
	}
	if k.WatchList != "" {
		if _, err := os.Stat(k.WatchList); err != nil {
			return fmt.Errorf("kyc-watchlist: %w", err)
		}
	}
	cfg, err := k.Rules()
	if err != nil {
		return err
	}
	if _, err := kyc.NewRules(cfg); err != nil {
		return fmt.Errorf("kyc-card-types: %w", err)
	}
	return nil
}

func (k KYC) masked() []any {
	return []any{"kyc_watchlist", k.WatchList, "kyc_screen_threshold", k.ScreenThreshold,
		"kyc_doc_types", (*docTypes)(&k.DocTypes).String(), "kyc_address_pattern", k.AddressPattern,
		"kyc_card_types", k.CardTypesFile, "kyc_allow_private_webhooks", k.AllowPrivateWebhooks}
}
