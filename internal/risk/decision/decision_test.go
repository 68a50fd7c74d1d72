package decision

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"creditpocket/internal/loan"
	"creditpocket/internal/risk"
	"creditpocket/internal/risk/event/eventtest"
)

var now = time.Date(2026, 11, 20, 10, 20, 0, 0, time.FixedZone("WAT", 3600))

type saved struct {
	rec       *risk.Record
	source    risk.Source
	partnerID string
}

type feedback struct {
	sequenceID string
	outcome    risk.FeedbackOutcome
	by         string
}

// memStore records what the service stores.
type memStore struct {
	saved    []saved
	feedback []feedback
	err      error
}

func (m *memStore) SaveDecision(_ context.Context, rec *risk.Record, source risk.Source, partnerID string) error {
	if m.err != nil {
		return m.err
	}
	m.saved = append(m.saved, saved{rec, source, partnerID})
	return nil
}

func (m *memStore) AddFeedback(_ context.Context, seq string, o risk.FeedbackOutcome, at time.Time, by string) (*risk.Feedback, error) {
	m.feedback = append(m.feedback, feedback{seq, o, by})
	return &risk.Feedback{Approved: true, At: at}, m.err
}

// event is the risk package's sample Loan event.
func event(t *testing.T) *risk.Event {
	t.Helper()
	ev, err := risk.DecodeEvent(bytes.NewReader(eventtest.Fixture()), now)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func newService(st *memStore) *Service {
	return &Service{Engine: risk.NewEngine(risk.DefaultPolicy(), risk.Config{Now: func() time.Time { return now }}), Store: st}
}

func TestDecideStoresEveryDecisionWithWhoAskedForIt(t *testing.T) {
	for _, tt := range []struct {
		name      string
		source    risk.Source
		partnerID string
	}{
		{"a partner's decision", risk.SourcePartnerAPI, "pk_1"},
		{"the loan engine's decision", risk.SourceLoanApply, ""},
	} {
		t.Run(tt.name+" is stored with its source before it is answered", func(t *testing.T) {
			st := &memStore{}
			rec, err := newService(st).Decide(context.Background(), risk.Input{Event: event(t)}, tt.source, tt.partnerID)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.saved) != 1 || st.saved[0].rec != rec || st.saved[0].source != tt.source || st.saved[0].partnerID != tt.partnerID {
				t.Fatalf("stored %+v; want the record from %s by %q", st.saved, tt.source, tt.partnerID)
			}
		})
	}
}

func TestDecideAnswersNothingThatWasNotStored(t *testing.T) {
	st := &memStore{err: errors.New("database down")}
	rec, err := newService(st).Decide(context.Background(), risk.Input{Event: event(t)}, risk.SourcePartnerAPI, "pk_1")
	if rec != nil || err == nil || !strings.Contains(err.Error(), "save decision") || !strings.Contains(err.Error(), "database down") {
		t.Fatalf("= %v, %v; want no record and the store's error", rec, err)
	}
}

func TestDecidePassesTheEnginesRefusalOnUnwrapped(t *testing.T) {
	st := &memStore{}
	_, err := newService(st).Decide(context.Background(), risk.Input{Event: &risk.Event{EventType: "Nope"}}, risk.SourceLoanApply, "")
	if err == nil || len(st.saved) != 0 {
		t.Fatalf("err %v, %d stored; want a refusal and nothing stored", err, len(st.saved))
	}
}

func TestReportTurnsALoansOutcomeIntoFeedback(t *testing.T) {
	for _, o := range []loan.Outcome{loan.OutcomeAccepted, loan.OutcomeDeclined, loan.OutcomeRepaid, loan.OutcomeDefaulted} {
		t.Run(string(o)+" is recorded as the loan engine's feedback", func(t *testing.T) {
			if _, err := risk.ParseFeedbackOutcome(string(o)); err != nil {
				t.Fatalf("the loan outcome %q is not a feedback outcome: %v", o, err)
			}
			st := &memStore{}
			if err := newService(st).Report(context.Background(), "seq-1", o, now); err != nil {
				t.Fatal(err)
			}
			if want := (feedback{"seq-1", risk.FeedbackOutcome(o), "loan engine"}); len(st.feedback) != 1 || st.feedback[0] != want {
				t.Fatalf("feedback %+v; want %+v", st.feedback, want)
			}
		})
	}
}
