package main

import (
	"fmt"
	"os"

	"creditpocket/internal/kyc"
	"creditpocket/internal/kyc/notify"
	"creditpocket/internal/screening"
	"creditpocket/internal/store/kycdb"
	"creditpocket/internal/vault"
)

// wireKYC builds the KYC service and its webhook notifier.
func (a *App) wireKYC(v *vault.Vault, opt Options) error {
	cfg, err := a.Config.KYC.Rules() // checked by config.Validate
	if err != nil {
		return err
	}
	rules, err := kyc.NewRules(cfg)
	if err != nil {
		return err
	}
	a.KYC = &kyc.Service{Store: kycdb.New(a.DB), Blobs: a.Blobs, Vault: v, Rules: rules, Log: a.Log, Now: opt.Now}
	if a.Config.KYC.WatchList != "" {
		f, err := os.Open(a.Config.KYC.WatchList)
		if err != nil {
			return fmt.Errorf("KYC watch list: %w", err)
		}
		defer f.Close()
		list, err := screening.LoadCSV(f)
		if err != nil {
			return fmt.Errorf("KYC watch list %s: %w", a.Config.KYC.WatchList, err)
		}
		a.KYC.Screen = list
	}
	a.KYCNotifier = &notify.Notifier{Outbox: kycdb.NewOutbox(a.DB), Log: a.Log, Now: opt.Now, AllowPrivate: a.Config.KYC.AllowPrivateWebhooks,
		Secret: a.KYC.WebhookKey}
	return nil
}
