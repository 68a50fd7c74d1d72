package risk

import (
	"context"
	"iter"
	"time"
)

// Store is the risk engine's storage: list entries, the feature sources
// that count velocity and contacts and read the loan history, decisions
// with their feedback, and policy versions. Values that identify a person
// may be kept only as keyed hashes and masks. internal/store/riskdb
// implements it; risktest.Exercise is its contract.
type Store interface {
	ShadowStore
	BatchLists
	Gatherer

	// Sources are the store-backed feature sources of the engine.
	Sources() Sources
	// PruneVelocity deletes velocity events at or before before and
	// reports how many.
	PruneVelocity(ctx context.Context, before time.Time) (int64, error)

	// AddListEntry validates and stores an entry (errs.Invalid naming the
	// field when it is malformed); the entry returned carries its ID and
	// in Value only the value's mask.
	AddListEntry(ctx context.Context, e ListEntry) (ListEntry, error)
	// RemoveListEntry deletes an entry by ID; errs.NotFound when there is
	// none.
	RemoveListEntry(ctx context.Context, id string) error
	// ListEntries lists entries newest first, values masked; an empty kind
	// or list matches every one, and activeOnly leaves out expired ones.
	ListEntries(ctx context.Context, kind ListKind, list ListName, activeOnly bool) ([]ListEntry, error)

	// SaveDecision stores a decision with every feature value it used,
	// returning once it is committed; a sequence_id stored already is an
	// errs.Conflict. partnerID is the partner that asked, for
	// SourcePartnerAPI.
	SaveDecision(ctx context.Context, rec *Record, source Source, partnerID string) error
	// Decision returns a stored decision with its feedback folded in;
	// errs.NotFound for an unknown sequence_id.
	Decision(ctx context.Context, sequenceID string) (*Record, error)
	// AddFeedback records an outcome of a stored decision: the same
	// outcome again is harmless, a contradicting one an errs.Conflict, an
	// unknown sequence_id errs.NotFound.
	AddFeedback(ctx context.Context, sequenceID string, o FeedbackOutcome, at time.Time, by string) (*Feedback, error)
	// Decisions are the decisions made at or after since, oldest first,
	// with their feedback; the function reports the error that ended the
	// sequence early, if any.
	Decisions(ctx context.Context, since time.Time) (iter.Seq[*Record], func() error)

	// Policies lists the stored policy versions, newest first.
	Policies(ctx context.Context) ([]PolicyVersion, error)
}

// PolicyVersion is a stored policy version.
type PolicyVersion struct {
	Version     string
	Name        string
	CreatedBy   string
	CreatedAt   time.Time
	ActivatedAt time.Time // zero: never active
	Active      bool
}
