package loan

import (
	"errors"
	"strings"
	"testing"

	"creditpocket/internal/errs"
)

// Every (status, event) pair: the table's rows lead where they say, every
// other pair is refused with a conflict naming from, event and — where the
// event has one target — to.
func TestNextCoversEveryStatusAndEvent(t *testing.T) {
	legal := map[transitionKey]Status{}
	for _, tr := range Transitions() {
		legal[transitionKey{tr.From, tr.Event}] = tr.To
	}
	for _, from := range Statuses() {
		for _, ev := range Events() {
			want, ok := legal[transitionKey{from, ev}]
			name := from.String() + " on " + string(ev)
			if ok {
				t.Run(name+" is allowed", func(t *testing.T) {
					got, err := Next(from, ev)
					if err != nil || got != want {
						t.Fatalf("Next = %v, %v; want %v", got, err, want)
					}
				})
				continue
			}
			t.Run(name+" is refused", func(t *testing.T) {
				got, err := Next(from, ev)
				var te *TransitionError
				if !errors.As(err, &te) {
					t.Fatalf("Next = %v, %v; want *TransitionError", got, err)
				}
				if te.From != from || te.Event != ev {
					t.Errorf("error names %v/%s", te.From, te.Event)
				}
				if errs.ErrorCode(err) != errs.Conflict {
					t.Errorf("code = %s, want conflict", errs.ErrorCode(err))
				}
				msg := err.Error()
				if !strings.Contains(msg, from.String()) || !strings.Contains(msg, string(ev)) {
					t.Errorf("message %q does not name from and event", msg)
				}
				if te.To != 0 && !strings.Contains(msg, "to "+te.To.String()) {
					t.Errorf("message %q does not name the target", msg)
				}
			})
		}
	}
}

func TestTransitionErrorMessage(t *testing.T) {
	_, err := Next(StatusRiskRejected, EventSettle)
	want := `loan: illegal transition from 31 (rejected by risk) to 8 (settled) on event "settle"; allowed only from 6 (repaying), 9 (extended), 7 (overdue)`
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	if _, err := Next(StatusApplied, "teleport"); err == nil || !strings.HasSuffix(err.Error(), "unknown event") {
		t.Errorf("unknown event: %v", err)
	}
}

func TestTransitionTableIsWellFormed(t *testing.T) {
	seen := map[transitionKey]bool{}
	for _, tr := range Transitions() {
		if !tr.From.Valid() || !tr.To.Valid() {
			t.Errorf("row %+v names an unknown status", tr)
		}
		k := transitionKey{tr.From, tr.Event}
		if seen[k] {
			t.Errorf("row %+v is not the only one for its status and event", tr)
		}
		seen[k] = true
		if tr.From.Finished() && tr.From != tr.To {
			t.Errorf("row %+v leaves a finished status", tr)
		}
	}
	t.Run("every status is reachable from applied", func(t *testing.T) {
		reached := map[Status]bool{StatusApplied: true}
		for changed := true; changed; {
			changed = false
			for _, tr := range Transitions() {
				if reached[tr.From] && !reached[tr.To] {
					reached[tr.To], changed = true, true
				}
			}
		}
		for _, s := range Statuses() {
			if !reached[s] {
				t.Errorf("%v is unreachable", s)
			}
		}
	})
	t.Run("only the seed's codes keep their numbers", func(t *testing.T) {
		if StatusRepaying != 6 || StatusSettled != 8 || StatusRiskRejected != 31 {
			t.Error("seed status codes changed")
		}
		if AuditApproved != 2 || AuditRejected != -1 {
			t.Error("seed auditRiskStatus codes changed")
		}
	})
}
