package loan

import (
	"context"
	"fmt"
	"time"
)

// Decision is the outcome of a risk decision on an application.
type Decision int

const (
	Accept Decision = iota + 1 // approve automatically
	Review                     // refer to a person (manual review queue)
	Reject                     // refuse
)

func (d Decision) String() string {
	switch d {
	case Accept:
		return "accept"
	case Review:
		return "review"
	case Reject:
		return "reject"
	}
	return fmt.Sprintf("decision(%d)", int(d))
}

// Borrower is what the risk decision and the loan record need to know
// about an applicant, gathered once per application.
type Borrower struct {
	UserID   int64
	Phone    string // E.164 digits without '+'
	Mobile   string // national number, as the app shows it
	Email    string
	IDType   string
	IDNumber string // in the clear: only for list look-ups, never stored on the loan
	IDMask   string
	First    string
	Middle   string
	Last     string
	// Complete reports whether every profile step is done (basic, contacts,
	// work, default bank card).
	Complete bool
	Card     Card // the default bank card; zero when there is none
	// File is the borrower's file as the Borrowers source read it, handed
	// to the Decider as it is so the decision does not read it again. The
	// loan engine never looks inside.
	File any
}

// Card is the bank account a loan pays out to, as it was at application.
type Card struct {
	ID            int64
	BankCode      string
	BankName      string
	AccountMask   string
	AccountName   string
	PANMask       string
	RecipientCode string // the payment provider's code for the account
}

// DecisionInput is what a Decider judges.
type DecisionInput struct {
	Borrower Borrower
	Product  Product
	History  History
	Terminal int // the app's applyTerminal
	Now      time.Time
	Device   Device
	Photos   []string // blob keys of the photos taken at application, already stored
}

// Verdict is a Decider's answer. Reason and Detail fill the app's
// auditRiskReson and auditRiskDetail.
type Verdict struct {
	Decision Decision
	Reason   string
	Detail   string
	Score    int
	// SequenceID names the risk engine's stored decision, when one made it.
	SequenceID string
}

// Decider makes the automatic risk decision on an application;
// internal/underwriting implements it with the risk engine.
type Decider interface {
	Decide(ctx context.Context, in DecisionInput) (Verdict, error)
}

// DetailRejected is the seed's words to a borrower whose application is
// refused by a rule of the loan engine itself (product eligibility).
const DetailRejected = "We sincerely apologize as you do not meet our lending criteria."
