package main

import (
	"context"
	"time"

	"creditpocket/internal/console/manage"
	"creditpocket/internal/risk"
	"creditpocket/internal/risk/replay"
	"creditpocket/internal/store/riskdb"
)

// consoleRisk is the console's risk administration over the running
// engine and the risk store.
type consoleRisk struct {
	engine *risk.Engine
	store  *riskdb.Store
}

var _ manage.RiskAdmin = consoleRisk{}

func (r consoleRisk) Live() *risk.Policy   { return r.engine.Policy() }
func (r consoleRisk) Shadow() *risk.Policy { return r.engine.Shadow() }

func (r consoleRisk) SetShadow(ctx context.Context, p *risk.Policy, by string) error {
	return r.engine.PublishShadow(ctx, r.store, p, by)
}

func (r consoleRisk) Policies(ctx context.Context) ([]manage.PolicyVersion, error) {
	vs, err := r.store.Policies(ctx)
	out := make([]manage.PolicyVersion, len(vs))
	for i, v := range vs {
		out[i] = manage.PolicyVersion(v)
	}
	return out, err
}

func (r consoleRisk) PolicySource(ctx context.Context, version string) ([]byte, error) {
	return r.store.PolicySource(ctx, version)
}

func (r consoleRisk) Publish(ctx context.Context, src []byte, by string) (*risk.Policy, error) {
	return r.engine.Publish(ctx, r.store, src, by)
}

func (r consoleRisk) Simulate(ctx context.Context, candidate *risk.Policy, since time.Time) (replay.Report, error) {
	records, failed := r.store.Decisions(ctx, since)
	rep := replay.Simulate(records, candidate)
	return rep, failed()
}

func (r consoleRisk) ListEntries(ctx context.Context, kind risk.ListKind, list risk.ListName, activeOnly bool) ([]risk.ListEntry, error) {
	return r.store.ListEntries(ctx, kind, list, activeOnly)
}

func (r consoleRisk) AddListEntry(ctx context.Context, e risk.ListEntry) (risk.ListEntry, error) {
	return r.store.AddListEntry(ctx, e)
}

func (r consoleRisk) RemoveListEntry(ctx context.Context, id string) error {
	return r.store.RemoveListEntry(ctx, id)
}
