package risk

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// DefaultGatherTimeout bounds feature gathering when Config leaves it zero.
const DefaultGatherTimeout = 300 * time.Millisecond

// Config wires an Engine. Zero fields get defaults.
type Config struct {
	Sources       Sources
	GatherTimeout time.Duration
	Now           func() time.Time       // default time.Now
	NewSequenceID func(time.Time) string // default NewSequenceID
}

// Engine scores events with the live policy and, optionally, a shadow
// policy whose outcome is recorded but never returned. It is safe for
// concurrent use; Apply swaps policies atomically, and a decision in flight
// finishes with the policy it started with.
type Engine struct {
	cfg    Config
	live   atomic.Pointer[Policy]
	shadow atomic.Pointer[Policy]
}

// NewEngine returns an engine running the given live policy.
func NewEngine(live *Policy, cfg Config) *Engine {
	if cfg.GatherTimeout <= 0 {
		cfg.GatherTimeout = DefaultGatherTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewSequenceID == nil {
		cfg.NewSequenceID = NewSequenceID
	}
	e := &Engine{cfg: cfg}
	e.live.Store(live)
	return e
}

// Policy returns the live policy.
func (e *Engine) Policy() *Policy { return e.live.Load() }

// Apply compiles a policy document and, only if it compiles, makes it the
// live policy. A refused document leaves the live policy untouched.
func (e *Engine) Apply(src []byte) (*Policy, error) {
	p, err := CompilePolicy(src)
	if err != nil {
		return nil, err
	}
	e.live.Store(p)
	return p, nil
}

// SetShadow runs p beside the live policy on every decision from now on;
// nil stops shadowing.
func (e *Engine) SetShadow(p *Policy) { e.shadow.Store(p) }

// Shadow returns the shadow policy, or nil.
func (e *Engine) Shadow() *Policy { return e.shadow.Load() }

// Input is what Decide scores: an event and, when the caller has them, the
// summary of the borrower's credit report and their loan history.
type Input struct {
	Event        *Event
	CreditReport *CreditReport
	// History, when set, is the borrower's loan history as the caller (the
	// loan engine) read it for this application: the history features are
	// taken from it and the History source is not asked.
	History *LoanHistory
}

// Record is everything needed to explain and replay a decision: the
// features exactly as the policy saw them, and what it made of them.
type Record struct {
	SequenceID   string    `json:"sequence_id"`
	EventType    EventType `json:"event_type"`
	Scenario     Scenario  `json:"scenario"`
	OrderID      string    `json:"order_id"`
	EventTime    time.Time `json:"event_time"`
	DecidedAt    time.Time `json:"decided_at"`
	Subject      Subject   `json:"subject"`
	Features     Features  `json:"features"`
	Outcome      Outcome   `json:"outcome"`
	Shadow       *Outcome  `json:"shadow,omitempty"`
	SourceErrors []string  `json:"source_errors,omitempty"`
	SpendTime    int64     `json:"spend_time"` // milliseconds
	Feedback     *Feedback `json:"feedback,omitempty"`
}

// Answer is the response of the decision API.
type Answer struct {
	Success    bool       `json:"success"`
	ReasonCode ReasonCode `json:"reason_code,omitempty"` // set when Success is false
	Message    string     `json:"message,omitempty"`     // names the field and the rule
	SequenceID string     `json:"sequence_id,omitempty"`
	*Outcome
	SpendTime int64 `json:"spend_time"` // milliseconds
}

// Answer is the API response for the recorded decision.
func (r *Record) Answer() Answer {
	return Answer{Success: true, SequenceID: r.SequenceID, Outcome: &r.Outcome, SpendTime: r.SpendTime}
}

// FailedAnswer is the API response for an event Decide or DecodeEvent
// refused.
func FailedAnswer(err error) Answer {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return Answer{ReasonCode: ve.Reason, Message: ve.Error()}
	}
	return Answer{ReasonCode: ReasonInternal, Message: "internal error"}
}

// Decide validates the event if that has not been done, gathers its
// features within the gather timeout, and applies the live policy (and the
// shadow policy, if any). An invalid event yields a *ValidationError and no
// record. The returned record is what the store persists.
func (e *Engine) Decide(ctx context.Context, in Input) (*Record, error) {
	start := e.cfg.Now()
	ev := in.Event
	if ev == nil {
		return nil, &ValidationError{Reason: ReasonMalformed, Rule: "event is required"}
	}
	if ev.Time().IsZero() {
		if err := ev.Validate(start); err != nil {
			return nil, err
		}
	}
	live, shadow := e.live.Load(), e.shadow.Load()

	rec := &Record{
		SequenceID: e.cfg.NewSequenceID(start),
		EventType:  ev.EventType,
		Scenario:   ev.Scenario,
		OrderID:    ev.OrderID,
		EventTime:  ev.Time(),
	}
	contactPhones := eventFeatures(ev, in.CreditReport, &rec.Features, &rec.Subject)
	gctx, cancel := context.WithTimeout(ctx, e.cfg.GatherTimeout)
	rec.SourceErrors = gather(gctx, &e.cfg.Sources, ev, &rec.Subject, contactPhones, in.History, &rec.Features)
	cancel()

	env := any(rec.Features) // boxed once, shared by every rule of both policies
	rec.Outcome = evaluate(live, &rec.Features, env)
	if shadow != nil {
		o := evaluate(shadow, &rec.Features, env)
		rec.Shadow = &o
	}
	rec.DecidedAt = e.cfg.Now()
	rec.SpendTime = rec.DecidedAt.Sub(start).Milliseconds()
	return rec, nil
}

// Replay applies a policy to the features a decision recorded. With the
// policy version that made the decision it reproduces the recorded
// outcome exactly; with another it answers "what would this policy have
// done".
func Replay(rec *Record, p *Policy) Outcome {
	return evaluate(p, &rec.Features, any(rec.Features))
}
