package risk

import (
	"errors"
	"testing"
	"time"
)

func TestFeedbackFoldsOutcomes(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		outcomes  []FeedbackOutcome
		approved  bool
		repayment Repayment
		conflict  bool
	}{
		{"an accepted loan is approved without a repayment yet", []FeedbackOutcome{OutcomeAccept}, true, "", false},
		{"a default implies the loan was accepted", []FeedbackOutcome{OutcomeDefaulted}, true, Defaulted, false},
		{"the latest of repaid and defaulted wins", []FeedbackOutcome{OutcomeAccept, OutcomeDefaulted, OutcomeRepaid}, true, Repaid, false},
		{"repeating an outcome changes nothing", []FeedbackOutcome{OutcomeAccept, OutcomeAccept}, true, "", false},
		{"a declined loan is not approved", []FeedbackOutcome{OutcomeDecline}, false, "", false},
		{"declining an accepted loan is a conflict", []FeedbackOutcome{OutcomeAccept, OutcomeDecline}, true, "", true},
		{"repaying a declined loan is a conflict", []FeedbackOutcome{OutcomeDecline, OutcomeRepaid}, false, "", true},
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
			if errors.Is(err, ErrFeedbackConflict) != tt.conflict || f.Approved != tt.approved || f.Repayment != tt.repayment {
				t.Fatalf("got %+v, err %v", f, err)
			}
		})
	}
	if _, err := ParseFeedbackOutcome("maybe"); err == nil {
		t.Fatal(`"maybe" parsed as an outcome`)
	}
}
