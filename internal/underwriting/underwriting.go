// Package underwriting decides loan applications with the risk engine. It
// is the loan engine's Decider: it checks the product's eligibility rules,
// turns the application and the borrower's file into a risk Loan event,
// scores it in-process with the live policy, stores the decision so it can
// be explained and replayed, and maps the outcome to the loan's verdict.
//
// The package holds no SQL and no HTTP: the borrower's file and the risk
// decisions (engine and store, internal/risk/decision) come in through
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
	Dossiers  Dossiers
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

// Decide implements loan.Decider. The product's eligibility rules come
// first (a product the borrower may not take is refused without scoring);
// then the engine decides and the decision is stored before the verdict
// is returned, so every loan's decision can be looked up by its sequence id.
func (d *Decider) Decide(ctx context.Context, in loan.DecisionInput) (loan.Verdict, error) {
	if rs := loan.CheckEligibility(in.Product, in.History); len(rs) > 0 {
		return loan.Verdict{Decision: loan.Reject, Reason: rs[0].Message, Detail: loan.DetailRejected}, nil
	}
	dos, ok := in.Borrower.File.(*account.Dossier)
	if !ok { // the application's Borrowers source read no dossier
		var err error
		if dos, err = d.Dossiers.Dossier(ctx, in.Borrower.UserID); err != nil {
			return loan.Verdict{}, fmt.Errorf("underwriting: borrower %d: %w", in.Borrower.UserID, err)
		}
	}
	var urls []string
	if d.PhotoURL != nil {
		for _, k := range in.Photos {
			urls = append(urls, d.PhotoURL(in.Borrower.UserID, k))
		}
	}
	ev := Event(in, dos, urls, d.Location)
	rec, err := d.Decisions.Decide(ctx, risk.Input{Event: ev, CreditReport: CreditReport(dos.CreditReport)}, risk.SourceLoanApply, "")
	var invalid *risk.ValidationError
	if errors.As(err, &invalid) {
		return loan.Verdict{Decision: loan.Review, Reason: ReasonUnscorable, Detail: DetailReview}, nil
	}
	if err != nil {
		return loan.Verdict{}, fmt.Errorf("underwriting: risk decision: %w", err)
	}
	return Verdict(rec), nil
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
func CreditReport(cr *account.CreditReport) *risk.CreditReport {
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
