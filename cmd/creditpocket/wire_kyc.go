package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"creditpocket/internal/kyc"
	"creditpocket/internal/kyc/notify"
	"creditpocket/internal/screening"
	"creditpocket/internal/store/kycdb"
	"creditpocket/internal/vault"
)

// KYCOptions are the card-binding KYC settings, read from the environment
// by kycOptions.
type KYCOptions struct {
	// WatchList is a screening CSV (CREDITPOCKET_KYC_WATCHLIST); empty
	// means no screening.
	WatchList string
	// Config overrides the contract's defaults; nil keeps them.
	Config *kyc.Config
	// AllowPrivateWebhooks lets merchant webhooks reach loopback and
	// private addresses (CREDITPOCKET_KYC_ALLOW_PRIVATE_WEBHOOKS=true; for
	// development only).
	AllowPrivateWebhooks bool
}

// kycOptions reads:
//
//	CREDITPOCKET_KYC_WATCHLIST         path of the watch-list CSV (id,name,aliases,country,program)
//	CREDITPOCKET_KYC_SCREEN_THRESHOLD  Jaro-Winkler similarity sending a KYC to review (default 0.92)
//	CREDITPOCKET_KYC_DOC_TYPES         accepted doc_type values, "1" (passport only, the default) or "1,2"
//	CREDITPOCKET_KYC_CARD_TYPES        path of a JSON file {"<card_type_id>": {"countries": ["CN"], "address_pattern": "…"}}
//	                                   merged over the defaults (71000003 and 71000002: Latin addresses)
//	CREDITPOCKET_KYC_ADDRESS_PATTERN   the default address rule (a Go regular expression)
func kycOptions(env func(string) (string, bool)) (KYCOptions, error) {
	var o KYCOptions
	o.WatchList, _ = env("CREDITPOCKET_KYC_WATCHLIST")
	if v, ok := env("CREDITPOCKET_KYC_ALLOW_PRIVATE_WEBHOOKS"); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return o, fmt.Errorf("CREDITPOCKET_KYC_ALLOW_PRIVATE_WEBHOOKS: %w", err)
		}
		o.AllowPrivateWebhooks = b
	}
	cfg := kyc.DefaultConfig()
	changed := false
	if v, ok := env("CREDITPOCKET_KYC_SCREEN_THRESHOLD"); ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return o, fmt.Errorf("CREDITPOCKET_KYC_SCREEN_THRESHOLD: %w", err)
		}
		cfg.ScreenThreshold, changed = f, true
	}
	if v, ok := env("CREDITPOCKET_KYC_DOC_TYPES"); ok {
		cfg.DocTypes, changed = nil, true
		for part := range strings.SplitSeq(v, ",") {
			t, err := strconv.Atoi(strings.TrimSpace(part))
			if err != nil {
				return o, fmt.Errorf("CREDITPOCKET_KYC_DOC_TYPES: %q is not a number", part)
			}
			cfg.DocTypes = append(cfg.DocTypes, t)
		}
	}
	if v, ok := env("CREDITPOCKET_KYC_ADDRESS_PATTERN"); ok {
		cfg.DefaultAddressPattern, changed = v, true
	}
	if path, ok := env("CREDITPOCKET_KYC_CARD_TYPES"); ok {
		raw, err := os.ReadFile(path)
		if err != nil {
			return o, fmt.Errorf("CREDITPOCKET_KYC_CARD_TYPES: %w", err)
		}
		var cts map[string]kyc.CardType
		if err := json.Unmarshal(raw, &cts); err != nil {
			return o, fmt.Errorf("CREDITPOCKET_KYC_CARD_TYPES %s: %w", path, err)
		}
		for id, ct := range cts {
			cfg.CardTypes[id] = ct
		}
		changed = true
	}
	if changed {
		o.Config = &cfg
	}
	return o, nil
}

// wireKYC builds the KYC service and its webhook notifier.
func (a *App) wireKYC(v *vault.Vault, opt Options) error {
	cfg := kyc.DefaultConfig()
	if opt.KYC.Config != nil {
		cfg = *opt.KYC.Config
	}
	rules, err := kyc.NewRules(cfg)
	if err != nil {
		return err
	}
	a.KYC = &kyc.Service{Store: kycdb.New(a.DB), Blobs: a.Blobs, Vault: v, Rules: rules, Log: a.Log, Now: opt.Now}
	if opt.KYC.WatchList != "" {
		f, err := os.Open(opt.KYC.WatchList)
		if err != nil {
			return fmt.Errorf("KYC watch list: %w", err)
		}
		defer f.Close()
		list, err := screening.LoadCSV(f)
		if err != nil {
			return fmt.Errorf("KYC watch list %s: %w", opt.KYC.WatchList, err)
		}
		a.KYC.Screen = list
	}
	a.KYCNotifier = &notify.Notifier{Outbox: kycdb.NewOutbox(a.DB), Log: a.Log, Now: opt.Now, AllowPrivate: opt.KYC.AllowPrivateWebhooks,
		Secret: a.KYC.WebhookKey}
	return nil
}

// runKYCWorkers delivers merchant webhooks until ctx ends.
func runKYCWorkers(ctx context.Context, app *App, log *slog.Logger) {
	go app.KYCNotifier.Run(ctx, 2*time.Second)
	log.Info("KYC webhooks delivering", "screening", app.KYC.Screen != nil)
}
