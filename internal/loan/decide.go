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
	// File is what only the risk decision reads about the applicant, read
	// with the rest so the decision does not read it again. The loan
	// engine stores none of it.
	File BorrowerFile
}

// BorrowerFile is the part of an applicant's file the risk decision reads
// and the loan engine does not: the profile, work and contacts as the
// borrower gave them, the payout account's number and the newest credit
// report's summary.
type BorrowerFile struct {
	CallingCode  int       // of Mobile
	RegisteredAt time.Time // when the borrower signed up

	Gender, BirthDate, MaritalStatus, Education, Nationality string
	IDCountry, IDValidDate                                   string
	State, City, Address                                     string // City is the city code
	CompanyName, CompanyAddress, CompanyPhone, Profession    string // CompanyPhone in E.164 digits

	Contacts []Contact
	// AccountNumber is the default bank account's number in the clear,
	// only for look-ups; the loan keeps the mask (Card.AccountMask).
	AccountNumber string
	CreditReport  *CreditReport // nil when none is attached
}

// Contact is an emergency contact as the borrower typed it in.
type Contact struct {
	Name         string
	Phone        string // E.164 digits
	Relationship string
}

// CreditReport is the summary of the borrower's newest attached credit
// report.
type CreditReport struct {
	OverdueAccounts      int
	LongestOverdueMonths int
	BadDebts             int
	QueriesLastMonth     int
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
