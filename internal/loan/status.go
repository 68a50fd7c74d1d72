package loan

import (
	"fmt"
	"sort"
	"strings"

	"creditpocket/internal/errs"
)

// Status is the app's numeric loan "status". 6, 8 and 31 are the seed's
// codes; the others are creditpocket's. Zero is not a status.
type Status int

const (
	StatusApplied            Status = 1  // submitted, waiting for risk
	StatusRiskReview         Status = 2  // in automatic risk review
	StatusManualReview       Status = 3  // referred to a person
	StatusApproved           Status = 4  // approved, not yet paid out
	StatusDisbursing         Status = 5  // payout sent to the provider
	StatusRepaying           Status = 6  // disbursed, being repaid (seed)
	StatusOverdue            Status = 7  // past due, accruing penalty
	StatusSettled            Status = 8  // fully repaid (seed)
	StatusExtended           Status = 9  // repaying within an extended cycle
	StatusWrittenOff         Status = 10 // given up as uncollectable
	StatusCancelled          Status = 11 // withdrawn before disbursement
	StatusRiskRejected       Status = 31 // rejected by risk (seed)
	StatusManualRejected     Status = 32 // rejected in manual review
	StatusDisbursementFailed Status = 33 // the provider refused the payout; may be retried
)

var statusNames = map[Status]string{
	StatusApplied:            "applied",
	StatusRiskReview:         "risk review",
	StatusManualReview:       "manual review",
	StatusApproved:           "approved",
	StatusDisbursing:         "disbursing",
	StatusRepaying:           "repaying",
	StatusOverdue:            "overdue",
	StatusSettled:            "settled",
	StatusExtended:           "extended",
	StatusWrittenOff:         "written off",
	StatusCancelled:          "cancelled",
	StatusRiskRejected:       "rejected by risk",
	StatusManualRejected:     "rejected in manual review",
	StatusDisbursementFailed: "disbursement failed",
}

// Statuses lists every status in numeric order.
func Statuses() []Status {
	out := make([]Status, 0, len(statusNames))
	for s := range statusNames {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, ok := statusNames[s]; return ok }

// Name is the status's name alone ("settled"), as messages to borrowers
// say it; empty for an unknown status.
func (s Status) Name() string { return statusNames[s] }

func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return fmt.Sprintf("%d (%s)", int(s), n)
	}
	return fmt.Sprintf("%d (unknown)", int(s))
}

// Owing reports whether a loan in s may have receivables: it has been paid
// out and is neither settled nor written off.
func (s Status) Owing() bool {
	return s == StatusRepaying || s == StatusOverdue || s == StatusExtended
}

// Finished reports whether a loan in s is over for eligibility purposes:
// nothing is owed and nothing more will happen to it. A failed disbursement
// is not finished: it may be retried.
func (s Status) Finished() bool {
	switch s {
	case StatusSettled, StatusWrittenOff, StatusCancelled, StatusRiskRejected, StatusManualRejected:
		return true
	}
	return false
}

// AuditRiskStatus is the app's "auditRiskStatus": 2 approved and −1
// rejected as in the seed; 0 not yet decided, 1 referred to manual review.
type AuditRiskStatus int

const (
	AuditRejected AuditRiskStatus = -1
	AuditPending  AuditRiskStatus = 0
	AuditReview   AuditRiskStatus = 1
	AuditApproved AuditRiskStatus = 2
)

// Event is something that happens to a loan.
type Event string

const (
	EventStartRiskReview    Event = "start-risk-review"
	EventRiskApprove        Event = "risk-approve"
	EventRiskReject         Event = "risk-reject"
	EventRiskRefer          Event = "risk-refer"
	EventManualApprove      Event = "manual-approve"
	EventManualReject       Event = "manual-reject"
	EventCancel             Event = "cancel"
	EventStartDisbursement  Event = "start-disbursement"
	EventDisbursementFailed Event = "disbursement-failed"
	EventDisbursed          Event = "disbursed"
	EventRepayPartly        Event = "repay-partly"
	EventSettle             Event = "settle"
	EventOverpay            Event = "overpay"
	EventBecomeOverdue      Event = "become-overdue"
	EventAccruePenalty      Event = "accrue-penalty"
	EventExtend             Event = "extend"
	EventWriteOff           Event = "write-off"
	EventRefundCredit       Event = "refund-credit"
	// EventKeepCredit books money that arrived on a closed checkout as
	// borrower credit; the status stays.
	EventKeepCredit Event = "keep-credit"
)

// Transition is one row of the state machine.
type Transition struct {
	From  Status
	Event Event
	To    Status
}

// transitions is the whole lifecycle. Anything not listed is illegal.
var transitions = []Transition{
	{StatusApplied, EventStartRiskReview, StatusRiskReview},
	{StatusApplied, EventCancel, StatusCancelled},

	{StatusRiskReview, EventRiskApprove, StatusApproved},
	{StatusRiskReview, EventRiskReject, StatusRiskRejected},
	{StatusRiskReview, EventRiskRefer, StatusManualReview},
	{StatusRiskReview, EventCancel, StatusCancelled},

	{StatusManualReview, EventManualApprove, StatusApproved},
	{StatusManualReview, EventManualReject, StatusManualRejected},
	{StatusManualReview, EventCancel, StatusCancelled},

	{StatusApproved, EventStartDisbursement, StatusDisbursing},
	{StatusApproved, EventCancel, StatusCancelled},

	{StatusDisbursing, EventDisbursed, StatusRepaying},
	{StatusDisbursing, EventDisbursementFailed, StatusDisbursementFailed},

	{StatusDisbursementFailed, EventStartDisbursement, StatusDisbursing},
	// The provider reports the failed attempt paid after all (package payout).
	{StatusDisbursementFailed, EventDisbursed, StatusRepaying},
	{StatusDisbursementFailed, EventCancel, StatusCancelled},

	{StatusRepaying, EventRepayPartly, StatusRepaying},
	{StatusRepaying, EventSettle, StatusSettled},
	{StatusRepaying, EventBecomeOverdue, StatusOverdue},
	{StatusRepaying, EventExtend, StatusExtended},
	{StatusRepaying, EventKeepCredit, StatusRepaying},

	{StatusExtended, EventRepayPartly, StatusExtended},
	{StatusExtended, EventSettle, StatusSettled},
	{StatusExtended, EventBecomeOverdue, StatusOverdue},
	{StatusExtended, EventExtend, StatusExtended},
	{StatusExtended, EventKeepCredit, StatusExtended},

	{StatusOverdue, EventRepayPartly, StatusOverdue},
	{StatusOverdue, EventSettle, StatusSettled},
	{StatusOverdue, EventAccruePenalty, StatusOverdue},
	{StatusOverdue, EventExtend, StatusExtended},
	{StatusOverdue, EventWriteOff, StatusWrittenOff},
	{StatusOverdue, EventKeepCredit, StatusOverdue},

	// A late or duplicate transfer after settlement is kept as credit and
	// can be refunded; nothing else happens to a settled loan.
	{StatusSettled, EventOverpay, StatusSettled},
	{StatusSettled, EventRefundCredit, StatusSettled},
	{StatusSettled, EventKeepCredit, StatusSettled},
	// Money arriving on a checkout closed at write-off is owed back to
	// the borrower, like any other.
	{StatusWrittenOff, EventKeepCredit, StatusWrittenOff},
}

type transitionKey struct {
	from  Status
	event Event
}

var transitionIndex = func() map[transitionKey]Status {
	m := make(map[transitionKey]Status, len(transitions))
	for _, t := range transitions {
		m[transitionKey{t.From, t.Event}] = t.To
	}
	return m
}()

// Transitions returns the state machine's table.
func Transitions() []Transition { return append([]Transition(nil), transitions...) }

// Events lists every event, in table order of first appearance.
func Events() []Event {
	var out []Event
	seen := map[Event]bool{}
	for _, t := range transitions {
		if !seen[t.Event] {
			seen[t.Event] = true
			out = append(out, t.Event)
		}
	}
	return out
}

// TransitionError is an event that the table does not allow from a status.
// It unwraps to an errs.Conflict so the HTTP layer answers 409.
type TransitionError struct {
	From  Status
	Event Event
	// To is where the event leads when it leads to one status only
	// (settle → 8); zero when the target depends on the starting status.
	To Status
	// AllowedFrom lists the statuses the event is legal from.
	AllowedFrom []Status
}

func (e *TransitionError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "loan: illegal transition from %v", e.From)
	if e.To != 0 {
		fmt.Fprintf(&b, " to %v", e.To)
	}
	fmt.Fprintf(&b, " on event %q", e.Event)
	if len(e.AllowedFrom) == 0 {
		b.WriteString(": unknown event")
		return b.String()
	}
	b.WriteString("; allowed only from ")
	for i, s := range e.AllowedFrom {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.String())
	}
	return b.String()
}

func (e *TransitionError) Unwrap() error { return errs.E(errs.Conflict, "%s", e.Error()) }

// Next returns the status event leads to from from, or a *TransitionError.
func Next(from Status, event Event) (Status, error) {
	if to, ok := transitionIndex[transitionKey{from, event}]; ok {
		return to, nil
	}
	e := &TransitionError{From: from, Event: event}
	targets := map[Status]bool{}
	for _, t := range transitions {
		if t.Event == event {
			e.AllowedFrom = append(e.AllowedFrom, t.From)
			targets[t.To] = true
		}
	}
	if len(targets) == 1 {
		for to := range targets {
			e.To = to
		}
	}
	return 0, e
}
