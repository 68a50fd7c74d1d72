package main

import (
	"context"
	"flag"
	"io"

	"creditpocket/internal/config"
	"creditpocket/internal/httpapi"
	"creditpocket/internal/risk"
	"creditpocket/internal/risk/decision"
	"creditpocket/internal/risk/riskcmd"
	"creditpocket/internal/store/riskdb"
	"creditpocket/internal/vault"
)

// wireRisk builds the risk engine over the store's sources, running the
// stored active policy, or the shipped default when none is stored or the
// stored one no longer compiles.
func (a *App) wireRisk(ctx context.Context, v *vault.Vault, opt Options) *httpapi.RiskAPI {
	a.RiskStore = riskdb.New(a.DB, v.Hash, opt.Now)
	a.Risk = risk.NewEngine(risk.DefaultPolicy(), risk.Config{Sources: a.RiskStore.Sources(), Now: opt.Now})
	if _, err := a.Risk.Sync(ctx, a.RiskStore); err != nil {
		a.Log.Error("risk: stored policy refused, running the default", "version", a.Risk.Policy().Version, "err", err)
	}
	if _, err := a.Risk.SyncShadow(ctx, a.RiskStore); err != nil {
		a.Log.Error("risk: stored shadow policy refused, shadowing nothing", "err", err)
	}
	a.Decisions = &decision.Service{Engine: a.Risk, Store: a.RiskStore}
	return &httpapi.RiskAPI{Engine: a.Risk, Decisions: a.Decisions, Store: a.RiskStore, Now: opt.Now}
}

// cmdRisk runs "creditpocket risk …" (internal/risk/riskcmd) on the
// existing, migrated database of the configuration its flags give.
func cmdRisk(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	cfg := config.Default()
	return riskcmd.Run(ctx, args, riskcmd.Opener{
		Bind: func(fs *flag.FlagSet) error { return cfg.Bind(fs, env) },
		Open: func(ctx context.Context) (riskcmd.Store, func(), error) {
			db, v, err := openSealed(ctx, cfg, newLogger(stderr, cfg.LogLevel))
			if err != nil {
				return nil, nil, err
			}
			return riskdb.New(db, v.Hash, nil), func() { db.Close() }, nil
		},
	}, stdout, stderr)
}
