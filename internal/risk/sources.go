package risk

import (
	"context"
	"time"
)

// Window is a look-back period of velocity counts.
type Window int

// Velocity windows. Counts cover (t-window, t], t being the event time.
const (
	Hour Window = iota
	Day
	Week
	Month
	NumWindows
)

// Duration is the length of the window.
func (w Window) Duration() time.Duration {
	return [...]time.Duration{time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}[w]
}

// Observation is what velocity counting knows of one scored event. Empty
// keys are neither recorded nor counted.
type Observation struct {
	At       time.Time
	IDNumber string // normalised like list values
	Phone    string
	Device   string
	IP       string
	Card     string
}

// VelocityCounts are event counts per key and window, including the event
// being observed, plus two distinct-value counts over the Month window.
type VelocityCounts struct {
	IDNumber, Phone, Device, IP, Card [NumWindows]int

	PhonesPerID  int // distinct phones seen with this ID number
	IDsPerDevice int // distinct ID numbers seen on this device
}

// Velocity counts events. Observe records o and returns the counts as of
// o.At including o itself; recording and counting in one call keeps two
// simultaneous applications from each missing the other. The store
// implements it; MemVelocity is the exact in-memory reference.
type Velocity interface {
	Observe(ctx context.Context, o Observation) (VelocityCounts, error)
}

// ContactIndex links applicants through the phones they list as contacts —
// a fraud ring shares contacts. Observe records that applicant (a normalised
// ID number) lists phones and returns, for each phone, how many OTHER
// applicants list it too.
type ContactIndex interface {
	Observe(ctx context.Context, applicant string, phones []string) (others []int, err error)
}

// BorrowerRef identifies a borrower to the loan history.
type BorrowerRef struct {
	IDNumber  string // normalised
	Phone     string // E.164 digits
	AccountID string
}

// LoanHistory is a borrower's record with this lender. The loan engine
// implements History.
type LoanHistory struct {
	Loans              int // loans ever disbursed
	Settled            int // loans fully repaid
	Open               int // loans not yet settled
	WorstDaysOverdue   int // the most days any loan has been overdue
	CurrentDaysOverdue int // days the oldest unpaid instalment is overdue now; 0 when none
}

// History returns a borrower's loan history; a borrower never seen has a
// zero LoanHistory and no error.
type History interface {
	LoanHistory(ctx context.Context, ref BorrowerRef) (LoanHistory, error)
}

// CreditReport is the summary of a parsed credit bureau report (PBOC or
// similar) that the caller attaches to a decision. The credit-report engine
// produces it; risk only reads these counts.
type CreditReport struct {
	OverdueAccounts      int `json:"overdue_accounts"`       // accounts with any overdue record
	LongestOverdueMonths int `json:"longest_overdue_months"` // longest overdue run, in months
	BadDebts             int `json:"bad_debts"`              // accounts written off as bad debt
	QueriesLastMonth     int `json:"queries_last_month"`     // lender enquiries in the month before the report
}

// Sources are where features come from besides the event. Any may be nil:
// its features keep their zero values and are not marked unavailable.
//
// When Gatherer is set the engine asks it, in one call, for everything the
// four others would answer, and does not call them: a database answers a
// decision's look-ups in one round trip instead of four.
type Sources struct {
	Lists    Lists
	Velocity Velocity
	Contacts ContactIndex
	History  History
	Gatherer Gatherer
}

// Lookup is everything a decision asks of its sources. A nil or empty
// field is a source not asked.
type Lookup struct {
	Lists         []ListKey    // the event's values, at most one per kind
	Velocity      *Observation // the event to record and count
	Applicant     string       // the normalised ID number that lists Contacts
	ContactPhones []string     // distinct normalised contact phones
	History       *BorrowerRef
}

// Gathered is what the sources answered. Each source has its own error, so
// one that fails leaves the others' answers standing.
type Gathered struct {
	Lists    []ListName // one per Lookup.Lists key: the most severe active list it is on, "" for none
	ListsErr error

	Velocity    VelocityCounts
	VelocityErr error

	ContactOthers []int // one per Lookup.ContactPhones, as ContactIndex.Observe answers
	ContactsErr   error

	History    LoanHistory
	HistoryErr error
}

// Gatherer answers every source of a Lookup in one call: each answer means
// what the Lists, Velocity, ContactIndex or History method would have
// answered, and recording the velocity observation and the contact links is
// as exact. The engine may stop waiting at its deadline; it reads into only
// after Gather returned, so a late Gather writes to memory no one reads.
type Gatherer interface {
	Gather(ctx context.Context, q *Lookup, into *Gathered)
}
