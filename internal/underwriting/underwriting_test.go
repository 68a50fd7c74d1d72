package underwriting

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"creditpocket/internal/account"
	"creditpocket/internal/loan"
	"creditpocket/internal/risk"
	"creditpocket/internal/risk/decision"
)

var now = time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)

func dossier() *account.Dossier {
	return &account.Dossier{
		Overview: account.Overview{
			User: &account.User{ID: 7, Phone: "2348031230001", CallingCode: 234, Mobile: "8031230001", CreatedAt: now.AddDate(0, -2, 0)},
			Profile: &account.Profile{
				FirstName: "Hussein", LastName: "Sulyman", Gender: "male", BirthDate: "1990-04-12",
				Email: "hussein@example.com", MaritalStatus: "married", Education: "bachelor",
				IDType: "identity_card", State: "Lagos", CityCode: "NG-LA-IKJ", Address: "12 Allen Avenue",
			},
			Contacts: []account.Contact{
				{Name: "Amina", Phone: "2348131230001", Relationship: "spouse"},
				{Name: "Tunde", Phone: "2349051230001", Relationship: "friend"},
				{Name: "Broken", Phone: "12", Relationship: "friend"},
			},
			Work:    &account.Work{CompanyName: "Acme", CompanyPhone: "2348021112222", Profession: "Driver"},
			Default: &account.BankCard{BankName: "GT Bank"},
		},
		AccountNumber: "0163505447",
	}
}

func input(dev loan.Device, photos ...string) loan.DecisionInput {
	return inputOf(dossier(), dev, photos...)
}

// inputOf is an application of the borrower whose dossier d is, as the
// loan engine hands it to the Decider.
func inputOf(d *account.Dossier, dev loan.Device, photos ...string) loan.DecisionInput {
	d.IDNumber = "22167288734"
	return loan.DecisionInput{
		Borrower: BorrowerOf(d),
		Product:  loan.DemoProducts()[0],
		Now:      now,
		Device:   dev,
		Photos:   photos,
	}
}

func TestEventIsAValidLoanEventBuiltFromTheBorrowersFile(t *testing.T) {
	ev := Event(input(loan.Device{IP: "102.89.1.7", Fingerprint: "bb-1", Consent: true}), []string{"https://lender.example/console/photos/k1"}, nil)
	if err := ev.Validate(now); err != nil {
		t.Fatalf("the event does not validate: %v", err)
	}
	p := ev.Profile
	checks := []struct{ name, got, want string }{
		{"name", p.Name, "Hussein Sulyman"},
		{"id number", p.ID.IDNumber, "22167288734"},
		{"id country falls back to the phone's region", p.ID.IDCountry, "NG"},
		{"address country", p.Address.Country, "NG"},
		{"company phone", p.CompanyPhone, "+2348021112222"},
		{"account phone", ev.Account.Phone, "+2348031230001"},
		{"card", ev.Card.CardNumber, "0163505447"},
		{"ip", ev.Terminal.IP, "102.89.1.7"},
		{"device", ev.Terminal.BlackBox, "bb-1"},
		{"scenario", string(ev.Scenario), "cashloan"},
		{"first contact", ev.Contact[0].Phone.PhoneNumber, "8131230001"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if len(ev.Contact) != 2 {
		t.Errorf("a contact phone that does not parse must be left out: %d contacts", len(ev.Contact))
	}
	if ev.IdentityExt == nil || len(ev.IdentityExt.FaceImage) != 1 || ev.IdentityExt.FaceImageType != "url" {
		t.Errorf("face images = %+v", ev.IdentityExt)
	}
}

func TestEventTerminal(t *testing.T) {
	tests := []struct {
		name     string
		dev      loan.Device
		ip, box  string
		terminal bool
	}{
		{"a public address and a consented fingerprint go in", loan.Device{IP: "41.58.0.1", Fingerprint: "bb", Consent: true}, "41.58.0.1", "bb", true},
		{"an IPv4-mapped address is written as IPv4", loan.Device{IP: "::ffff:41.58.0.1"}, "41.58.0.1", "", true},
		{"loopback is the lender's own network", loan.Device{IP: "127.0.0.1"}, "", "", false},
		{"a private address is the lender's own network", loan.Device{IP: "10.1.2.3"}, "", "", false},
		{"a link-local address is left out", loan.Device{IP: "fe80::1"}, "", "", false},
		{"a fingerprint without consent is never used", loan.Device{IP: "41.58.0.1", Fingerprint: "bb"}, "41.58.0.1", "", true},
		{"garbage is left out", loan.Device{IP: "not an ip"}, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := Event(input(tt.dev), nil, nil)
			if (ev.Terminal != nil) != tt.terminal {
				t.Fatalf("terminal = %+v", ev.Terminal)
			}
			if ev.Terminal != nil && (ev.Terminal.IP != tt.ip || ev.Terminal.BlackBox != tt.box) {
				t.Fatalf("terminal = %+v, want ip %q box %q", ev.Terminal, tt.ip, tt.box)
			}
		})
	}
}

func TestEventTimeIsInTheBusinessZone(t *testing.T) {
	lagos := time.FixedZone("WAT", 3600)
	ev := Event(input(loan.Device{}), nil, lagos)
	if ev.EventTime != "2026-11-23T11:30:00+01:00" {
		t.Fatalf("event_time = %s", ev.EventTime)
	}
}

func TestVerdictMapsEveryDecision(t *testing.T) {
	tests := []struct {
		in   risk.Decision
		want loan.Decision
	}{
		{risk.Accept, loan.Accept},
		{risk.Review, loan.Review},
		{risk.Reject, loan.Reject},
		{risk.Decision("Unknown"), loan.Review},
	}
	for _, tt := range tests {
		t.Run(string(tt.in), func(t *testing.T) {
			rec := &risk.Record{SequenceID: "s1", Outcome: risk.Outcome{FinalDecision: tt.in, FinalScore: 30, Reason: "r", ReasonDetail: "d"}}
			v := Verdict(rec)
			if v.Decision != tt.want || v.SequenceID != "s1" || v.Reason != "r" || v.Detail != "d" || v.Score != 30 {
				t.Fatalf("verdict = %+v", v)
			}
		})
	}
}

type dossiers struct {
	d   *account.Dossier
	err error
}

func (f dossiers) Dossier(context.Context, int64) (*account.Dossier, error) { return f.d, f.err }

type records struct{ saved []*risk.Record }

func (r *records) SaveDecision(_ context.Context, rec *risk.Record, source risk.Source, partnerID string) error {
	if source != risk.SourceLoanApply || partnerID != "" {
		return fmt.Errorf("decision stored as from %q by %q; want the loan engine's", source, partnerID)
	}
	r.saved = append(r.saved, rec)
	return nil
}

func (r *records) AddFeedback(context.Context, string, risk.FeedbackOutcome, time.Time, string) (*risk.Feedback, error) {
	return nil, errors.New("no feedback in these tests")
}

func newDecider() (*Decider, *records) {
	recs := &records{}
	eng := risk.NewEngine(risk.DefaultPolicy(), risk.Config{Now: func() time.Time { return now }})
	return &Decider{Decisions: &decision.Service{Engine: eng, Store: recs}}, recs
}

func TestDeciderRunsTheLivePolicyAndStoresTheDecision(t *testing.T) {
	d, recs := newDecider()
	v, err := d.Decide(context.Background(), input(loan.Device{Fingerprint: "bb", Consent: true}))
	if err != nil {
		t.Fatal(err)
	}
	if v.Decision != loan.Accept || len(recs.saved) != 1 || v.SequenceID != recs.saved[0].SequenceID {
		t.Fatalf("verdict %+v, %d saved", v, len(recs.saved))
	}
}

func TestDeciderReadsTheCreditReport(t *testing.T) {
	dos := dossier()
	dos.CreditReport = &account.CreditReport{BadDebts: 1}
	d, recs := newDecider()
	v, err := d.Decide(context.Background(), inputOf(dos, loan.Device{}))
	if err != nil {
		t.Fatal(err)
	}
	if v.Decision != loan.Reject || v.Reason != "Bad debt in the credit report" || !recs.saved[0].Features.ReportAttached {
		t.Fatalf("verdict %+v", v)
	}
}

// history answers a loan history and counts how often it was asked.
type history struct {
	h     risk.LoanHistory
	asked int
}

func (h *history) LoanHistory(context.Context, risk.BorrowerRef) (risk.LoanHistory, error) {
	h.asked++
	return h.h, nil
}

func TestDeciderScoresTheLoanEnginesHistoryWithoutAskingTheRiskStore(t *testing.T) {
	store := &history{h: risk.LoanHistory{Loans: 9, Settled: 9}} // what a look-up by phone would answer
	recs := &records{}
	d := &Decider{Decisions: &decision.Service{Store: recs, Engine: risk.NewEngine(risk.DefaultPolicy(), risk.Config{
		Now: func() time.Time { return now }, Sources: risk.Sources{History: store},
	})}}
	in := input(loan.Device{})
	in.History = loan.HistoryOf(
		loan.PastLoan{Status: loan.StatusSettled, Disbursed: true, OverDays: 5},
		loan.PastLoan{Status: loan.StatusRiskRejected},
		loan.PastLoan{Status: loan.StatusOverdue, Disbursed: true, OverDays: 2},
	)
	if _, err := d.Decide(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if store.asked != 0 {
		t.Fatalf("the risk engine asked its own history source %d times", store.asked)
	}
	f := recs.saved[0].Features
	got := [...]int{f.HistoryLoans, f.HistorySettled, f.HistoryOpen, f.HistoryWorstDPD, f.HistoryCurrentDPD}
	if want := [...]int{2, 1, 1, 5, 2}; got != want || f.HistoryUnavailable {
		t.Fatalf("history features (loans, settled, open, worst, current) = %v, want %v", got, want)
	}
}

func TestDeciderRefersDataTheEventRefuses(t *testing.T) {
	dos := dossier()
	dos.Profile.Gender = "unknown" // not an enumeration value of the event
	d, recs := newDecider()
	v, err := d.Decide(context.Background(), inputOf(dos, loan.Device{}))
	if err != nil {
		t.Fatal(err)
	}
	if v.Decision != loan.Review || v.Reason != ReasonUnscorable || len(recs.saved) != 0 {
		t.Fatalf("verdict %+v", v)
	}
}
