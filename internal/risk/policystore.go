package risk

import (
	"context"
	"fmt"
)

// PolicyStore keeps policy versions and which one is active, so every
// server of a deployment runs the same policy and a new one survives
// restarts. The store implements it.
type PolicyStore interface {
	// SavePolicy stores p (refusing a version already stored with other
	// content) and makes it the active version.
	SavePolicy(ctx context.Context, p *Policy, by string) error
	// ActivePolicyVersion is the active version, "" when none was ever
	// stored. It is polled, so it must be cheap.
	ActivePolicyVersion(ctx context.Context) (string, error)
	// PolicySource returns the document of a stored version.
	PolicySource(ctx context.Context, version string) ([]byte, error)
}

// Publish compiles a policy document and, only if it compiles, stores it as
// the active version and makes it the engine's live policy. A refused
// document changes nothing, in the store or in the engine.
func (e *Engine) Publish(ctx context.Context, ps PolicyStore, src []byte, by string) (*Policy, error) {
	p, err := CompilePolicy(src)
	if err != nil {
		return nil, err
	}
	if err := ps.SavePolicy(ctx, p, by); err != nil {
		return nil, fmt.Errorf("risk: store policy %s: %w", p.Version, err)
	}
	e.live.Store(p)
	return p, nil
}

// Sync makes the store's active version the live policy if it is not
// already; it reports whether the policy changed. A stored version that no
// longer compiles (say, it names a feature this build removed) is an error
// and the live policy stays: decisions continue on the running policy.
func (e *Engine) Sync(ctx context.Context, ps PolicyStore) (changed bool, err error) {
	v, err := ps.ActivePolicyVersion(ctx)
	if err != nil || v == "" || v == e.Policy().Version {
		return false, err
	}
	src, err := ps.PolicySource(ctx, v)
	if err != nil {
		return false, fmt.Errorf("risk: load policy %s: %w", v, err)
	}
	if _, err := e.Apply(src); err != nil {
		return false, fmt.Errorf("risk: active policy %s refused, keeping %s: %w", v, e.Policy().Version, err)
	}
	return true, nil
}

// ShadowStore also keeps which stored version runs in shadow, so every
// server of a deployment shadows the same candidate and it keeps running
// across restarts.
type ShadowStore interface {
	PolicyStore
	// SaveShadow stores p as SavePolicy does, without making it active,
	// and makes it the shadow version; nil stops shadowing.
	SaveShadow(ctx context.Context, p *Policy, by string) error
	// ShadowPolicyVersion is the shadow version, "" for none. It is
	// polled, so it must be cheap.
	ShadowPolicyVersion(ctx context.Context) (string, error)
}

// PublishShadow stores p as the shadow version and runs it beside the live
// policy here at once; the other servers follow when they sync. nil stops
// shadowing everywhere.
func (e *Engine) PublishShadow(ctx context.Context, ss ShadowStore, p *Policy, by string) error {
	if err := ss.SaveShadow(ctx, p, by); err != nil {
		if p != nil {
			return fmt.Errorf("risk: store shadow policy %s: %w", p.Version, err)
		}
		return fmt.Errorf("risk: stop the shadow policy: %w", err)
	}
	e.SetShadow(p)
	return nil
}

// SyncShadow makes the store's shadow version the engine's shadow policy
// if it is not already, and reports whether it changed. A stored version
// that no longer compiles is an error and the running shadow stays (it
// affects no outcome either way).
func (e *Engine) SyncShadow(ctx context.Context, ss ShadowStore) (changed bool, err error) {
	v, err := ss.ShadowPolicyVersion(ctx)
	if err != nil {
		return false, err
	}
	running := ""
	if cur := e.Shadow(); cur != nil {
		running = cur.Version
	}
	switch {
	case v == running:
		return false, nil
	case v == "":
		e.SetShadow(nil)
		return true, nil
	}
	src, err := ss.PolicySource(ctx, v)
	if err != nil {
		return false, fmt.Errorf("risk: load shadow policy %s: %w", v, err)
	}
	p, err := CompilePolicy(src)
	if err != nil {
		return false, fmt.Errorf("risk: shadow policy %s refused: %w", v, err)
	}
	e.SetShadow(p)
	return true, nil
}
