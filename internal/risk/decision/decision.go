// Package decision is the one way a risk decision is made and kept: the
// live policy scores the event and the decision is stored, with who asked
// for it, before anyone is answered. The partner risk API and loan
// underwriting both decide through it, and the loan engine reports through
// it how decided loans turned out (the feedback simulations count).
//
// It holds no SQL and no HTTP; the engine and the store come in as fields.
package decision

import (
	"context"
	"fmt"
	"time"

	"creditpocket/internal/loan"
	"creditpocket/internal/risk"
)

// Store keeps decisions and the feedback on them.
type Store interface {
	// SaveDecision stores a decision with every feature value it used;
	// partnerID names the partner that asked ("" for the loan engine).
	SaveDecision(ctx context.Context, rec *risk.Record, source risk.Source, partnerID string) error
	// AddFeedback folds one reported outcome into a stored decision's
	// feedback: errs.NotFound for an unknown sequence id, errs.Conflict
	// for an outcome contradicting an earlier one.
	AddFeedback(ctx context.Context, sequenceID string, o risk.FeedbackOutcome, at time.Time, by string) (*risk.Feedback, error)
}

// Service decides risk events with the engine's live policy and stores
// every decision.
type Service struct {
	Engine *risk.Engine
	Store  Store
}

// loanEngine is who the loan engine's outcomes are recorded as coming from.
const loanEngine = "loan engine"

// Decide scores in with the live policy and stores the decision, marked
// with its source and, for the partner API, the partner. It returns once
// the decision is stored: a decision answered is a decision kept. The
// engine's errors come back unwrapped (a *risk.ValidationError for an event
// the engine refuses); a failed save is wrapped with the sequence id.
func (s *Service) Decide(ctx context.Context, in risk.Input, source risk.Source, partnerID string) (*risk.Record, error) {
	rec, err := s.Engine.Decide(ctx, in)
	if err != nil {
		return nil, err
	}
	if err := s.Store.SaveDecision(ctx, rec, source, partnerID); err != nil {
		return nil, fmt.Errorf("save decision %s: %w", rec.SequenceID, err)
	}
	return rec, nil
}

// Feedback records what became of a decision, as by reports it.
func (s *Service) Feedback(ctx context.Context, sequenceID string, o risk.FeedbackOutcome, at time.Time, by string) (*risk.Feedback, error) {
	return s.Store.AddFeedback(ctx, sequenceID, o, at, by)
}

// Report implements loan.Outcomes: how a decided loan turned out becomes
// feedback on its decision (the loan engine's outcomes are spelt as the
// feedback's).
func (s *Service) Report(ctx context.Context, sequenceID string, o loan.Outcome, at time.Time) error {
	_, err := s.Feedback(ctx, sequenceID, risk.FeedbackOutcome(o), at, loanEngine)
	return err
}

var _ loan.Outcomes = (*Service)(nil)
