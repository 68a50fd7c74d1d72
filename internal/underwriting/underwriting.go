// Package underwriting decides loan applications with the risk engine. It
// is the loan engine's Decider: it turns the application and the
// borrower's file, as the loan engine read them, into a risk Loan event,
// scores it in-process with the live policy and the loan engine's history
// of the borrower, stores the decision so it can be explained and
// replayed, and maps the outcome to the loan's verdict. It also reads the
// borrower's file for the loan engine (Borrowers) and registers the
// payout account when a payout needs it (Recipients).
//
// The package holds no SQL and no HTTP: the borrower's typed file and the
// risk decisions (engine and store, internal/risk/decision) come in through
// small interfaces wired in cmd/.
package underwriting

import (
	"context"
	"errors"
	"fmt"
	"time"

	"creditpocket/internal/account"
	"creditpocket/internal/loan"
	"creditpocket/internal/risk"
)

// Decisions scores a risk event with the live policy and stores the
// decision; *decision.Service implements it (the partner risk API decides
// through the same service).
type Decisions interface {
	Decide(ctx context.Context, in risk.Input, source risk.Source, partnerID string) (*risk.Record, error)
}

// Dossiers reads a borrower's file (account.Service implements it).
type Dossiers interface {
	Dossier(ctx context.Context, userID int64) (*account.Dossier, error)
}

// Decider implements loan.Decider with the risk engine.
type Decider struct {
	Decisions Decisions
	// PhotoURL is where an operator can view a borrower's application
	// photo, put in the event as the face images; nil leaves photos out.
	PhotoURL func(userID int64, key string) string
	// Location is the business time zone event_time is written in (the
	// policy's event_hour reads it); nil means UTC.
	Location *time.Location
}

// Texts of verdicts the Decider makes itself, without the engine.
const (
	// ReasonUnscorable refers an application whose data the risk event
	// refuses (it should not happen: the profile is checked when saved);
	// a person decides rather than the borrower getting an error.
	ReasonUnscorable = "Application data could not be scored: manual review"
	DetailReview     = "Your application is being reviewed; we will notify you shortly."
)

// Decide implements loan.Decider. It scores with what it is handed: the
// borrower's file and loan history as the loan engine read them (the
// history goes in as the engine's, so the risk store does not derive it
// again). The decision is stored before the verdict is returned, so every
// loan's decision can be looked up by its sequence id. The loan engine has
// checked the product's eligibility rules before.
func (d *Decider) Decide(ctx context.Context, in loan.DecisionInput) (loan.Verdict, error) {
	var urls []string
	if d.PhotoURL != nil {
		for _, k := range in.Photos {
			urls = append(urls, d.PhotoURL(in.Borrower.UserID, k))
		}
	}
	history := LoanHistory(in.History)
	rec, err := d.Decisions.Decide(ctx, risk.Input{
		Event: Event(in, urls, d.Location), CreditReport: CreditReport(in.Borrower.File.CreditReport), History: &history,
	}, risk.SourceLoanApply, "")
	var invalid *risk.ValidationError
	if errors.As(err, &invalid) {
		return loan.Verdict{Decision: loan.Review, Reason: ReasonUnscorable, Detail: DetailReview}, nil
	}
	if err != nil {
		return loan.Verdict{}, fmt.Errorf("underwriting: risk decision: %w", err)
	}
	return Verdict(rec), nil
}

// LoanHistory is the risk engine's view of the loan engine's history of a
// borrower. The two mean the same: loans paid out, of those settled
// (a loan reaches settled only after its payout), paid-out loans still
// owing, and the worst and current days overdue.
func LoanHistory(h loan.History) risk.LoanHistory {
	return risk.LoanHistory{
		Loans: h.Disbursed, Settled: h.Settled, Open: h.Owing,
		WorstDaysOverdue: h.WorstDaysOverdue, CurrentDaysOverdue: h.CurrentDaysOverdue,
	}
}

// Verdict maps a risk decision to the loan engine's verdict: the decision,
// the reason (auditRiskReson), the borrower-facing detail (auditRiskDetail),
// the score (the policy's risk points: higher is riskier) and the sequence
// id that names the stored decision.
func Verdict(rec *risk.Record) loan.Verdict {
	v := loan.Verdict{
		Reason: rec.Outcome.Reason, Detail: rec.Outcome.ReasonDetail,
		Score: rec.Outcome.FinalScore, SequenceID: rec.SequenceID,
	}
	switch rec.Outcome.FinalDecision {
	case risk.Accept:
		v.Decision = loan.Accept
	case risk.Reject:
		v.Decision = loan.Reject
	default: // Review, and anything a future policy format adds: a person decides
		v.Decision = loan.Review
	}
	return v
}

// CreditReport is the risk engine's view of an attached report's summary;
// nil when there is none.
func CreditReport(cr *loan.CreditReport) *risk.CreditReport {
	if cr == nil {
		return nil
	}
	return &risk.CreditReport{
		OverdueAccounts:      cr.OverdueAccounts,
		LongestOverdueMonths: cr.LongestOverdueMonths,
		BadDebts:             cr.BadDebts,
		QueriesLastMonth:     cr.QueriesLastMonth,
	}
}
