package feedback

import (
	"errors"
	"testing"
	"time"
)

func TestFeedbackFoldsOutcomes(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		outcomes  []Outcome
		approved  bool
		repayment Repayment
		conflict  bool
	}{
		{"an accepted loan is approved without a repayment yet", []Outcome{OutcomeAccept}, true, "", false},
		{"a default implies the loan was accepted", []Outcome{OutcomeDefaulted}, true, Defaulted, false},
		{"the latest of repaid and defaulted wins", []Outcome{OutcomeAccept, OutcomeDefaulted, OutcomeRepaid}, true, Repaid, false},
		{"repeating an outcome changes nothing", []Outcome{OutcomeAccept, OutcomeAccept}, true, "", false},
		{"a declined loan is not approved", []Outcome{OutcomeDecline}, false, "", false},
		{"declining an accepted loan is a conflict", []Outcome{OutcomeAccept, OutcomeDecline}, true, "", true},
		{"repaying a declined loan is a conflict", []Outcome{OutcomeDecline, OutcomeRepaid}, false, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f Feedback
			var err error
			for i, o := range tt.outcomes {
				if err = f.Add(o, t0.Add(time.Duration(i)*time.Hour)); err != nil {
					break
				}
			}
			if errors.Is(err, ErrConflict) != tt.conflict || f.Approved != tt.approved || f.Repayment != tt.repayment {
				t.Fatalf("got %+v, err %v", f, err)
			}
		})
	}
	if _, err := ParseOutcome("maybe"); err == nil {
		t.Fatal(`"maybe" parsed as an outcome`)
	}
}
