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
