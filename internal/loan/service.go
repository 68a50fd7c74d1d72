package loan

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
	"creditpocket/internal/ledger"
	"creditpocket/internal/page"
)

// Record is a stored loan: the domain Loan plus what the app shows about
// it and what the engine needs to run it.
type Record struct {
	Loan

	ApplyTerminal int
	LoanCount     int      // settled loans the borrower had when applying
	Photos        []string // blob keys of the photos taken at application
	Card          Card
	Mobile        string
	First, Middle string
	Last          string
	IDMask        string

	RiskReason, RiskDetail string
	RiskScore              int
	// RiskSequenceID is the risk engine's decision (its sequence_id), empty
	// when the decision was not made by the engine.
	RiskSequenceID string
	// DeviceConsentAt is when the borrower agreed, for this application, to
	// the app sending a device fingerprint; zero when they did not.
	DeviceConsentAt time.Time
	AuditUserID     string // the reviewer, for a manual decision
	AuditUserReason string
	AuditUserAt     time.Time
	Disbursements   int   // payout attempts, for the payout reference
	Version         int64 // optimistic concurrency: bumped on each update
}

// Payment kinds and statuses.
const (
	PayDisbursement = "disbursement"
	PayRepayment    = "repayment"
	PayExtension    = "extension"

	PayPending = "pending"
	PaySuccess = "success"
	PayFailed  = "failed"
	// A checkout closed before it was paid: a newer checkout of the loan
	// replaced it, or the loan stopped owing. See checkout.go.
	PaySuperseded = "superseded"
	PayClosed     = "closed"
	// Money arrived on a superseded or closed checkout and was kept as
	// borrower credit.
	PayCredited = "credited"
)

// Payment is money asked of, or sent through, the payment provider.
type Payment struct {
	Reference      string
	LoanID         ID
	UserID         int64
	Kind           string
	Amount         ledger.Money // asked for
	Paid           ledger.Money // what the provider settled
	Status         string
	CheckoutURL    string
	IdempotencyKey string // empty for disbursements
	RequestHash    string
	Failure        string
	CreatedAt      time.Time
	UpdatedAt      time.Time

	// ClosedReason says why a checkout was closed before it was paid
	// (superseded, closed, and then credited if money came anyway).
	ClosedReason string
	// CycleDue is, for an extension, the due date of the cycle it buys an
	// extension of; zero for other payments (and for checkouts opened
	// before it was recorded).
	CycleDue Date
}

// Store opens transactions over the loan data. fn gets the transaction's
// context: use it (closures take it as their first parameter, shadowing the
// outer one), so a transaction begun inside another is refused. Tx writes,
// and says in its implementation what it guarantees (see docs/loan-engine.md,
// "Transactions"); View reads one snapshot; Read runs reads without a
// transaction (each statement sees the latest commit), for hot paths whose
// reads need not be one snapshot.
type Store interface {
	Tx(ctx context.Context, fn func(context.Context, Tx) error) error
	View(ctx context.Context, fn func(context.Context, Tx) error) error
	Read(ctx context.Context, fn func(context.Context, Tx) error) error
	// InsertApplication stores an application's new loan r, sets its ID,
	// and stores with it, in the same transaction, the rows that rows
	// builds for it once it has its ID. A borrower's applications are
	// written one after the other (as LockBorrower), and errs.Conflict
	// says the borrower holds an unfinished loan already — for a
	// finished r too, which the unique index cannot catch: it is looked
	// for under the lock (WriteApplication is that path over a Tx).
	InsertApplication(ctx context.Context, r *Record, rows func(*Record) ApplicationRows) error
}

// Tx is what the loan engine needs from storage inside one transaction.
// Reads ending in ForUpdate lock the row until the transaction ends.
type Tx interface {
	Products(ctx context.Context, onSaleOnly bool) ([]Product, error)
	Product(ctx context.Context, id string) (*Product, error) // errs.NotFound
	// SaveProduct adds a product at the end of the catalogue or changes one
	// in place.
	SaveProduct(ctx context.Context, p Product) error

	History(ctx context.Context, userID int64) (History, error)
	// ReadApplication reads what an application needs from the loan
	// store at once (errs.NotFound for an unknown product).
	ReadApplication(ctx context.Context, productID string, userID int64) (*ApplicationFacts, error)
	// LockBorrower holds the borrower's applications until the
	// transaction ends, so two of them are written one after the other.
	LockBorrower(ctx context.Context, userID int64) error
	// InsertLoan stores a new loan and sets its ID; errs.Conflict when the
	// borrower already has an unfinished loan.
	InsertLoan(ctx context.Context, r *Record) error
	// UpdateLoan writes r if its Version is still the stored one, and
	// bumps it; errs.Conflict otherwise.
	UpdateLoan(ctx context.Context, r *Record) error
	LoanForUpdate(ctx context.Context, id ID) (*Record, error) // errs.NotFound
	// LoansForUpdate reads and locks several loans (missing ids are left
	// out), in id order.
	LoansForUpdate(ctx context.Context, ids []ID) ([]*Record, error)
	// SaveAccruals writes what close of business changes on each loan
	// (status, days overdue, penalty, watermark) if its Version is still
	// the stored one, and bumps it; errs.Conflict otherwise.
	SaveAccruals(ctx context.Context, rs []*Record) error
	// Loan reads any loan, for operators; errs.NotFound.
	Loan(ctx context.Context, id ID) (*Record, error)
	// UserLoan reads one of the borrower's loans; errs.NotFound for others'.
	UserLoan(ctx context.Context, userID int64, id ID) (*Record, error)
	// LatestLoan is the borrower's newest loan, or the newest unfinished one.
	LatestLoan(ctx context.Context, userID int64, unfinishedOnly bool) (*Record, error) // errs.NotFound
	UserLoans(ctx context.Context, userID int64, p page.Request) (page.Result[Record], error)
	LoansByStatus(ctx context.Context, status Status, p page.Request) (page.Result[Record], error)
	RecentDisbursed(ctx context.Context, limit int) ([]Record, error)
	// OwingDueBefore lists ids of owing loans due before business whose
	// penalty is not yet accrued through it, after afterID, in id order.
	OwingDueBefore(ctx context.Context, business Date, afterID ID, limit int) ([]ID, error)

	// AppendLedger stores transactions; errs.Conflict on a reference
	// already stored.
	AppendLedger(ctx context.Context, txs []ledger.Transaction, now time.Time) error

	// InsertPayment stores a payment: errs.Conflict on a reused idempotency
	// key, or on a second open checkout of a loan.
	InsertPayment(ctx context.Context, p *Payment) error
	// PaymentForUpdate reads a payment and locks its loan, then it: every
	// writer of a loan's payments takes the loan's lock first.
	PaymentForUpdate(ctx context.Context, ref string) (*Payment, error)
	PaymentByKey(ctx context.Context, userID int64, key string) (*Payment, error) // errs.NotFound
	// UpdatePayment writes a payment's outcome (paid, status, checkout
	// URL, failure, closed reason).
	UpdatePayment(ctx context.Context, p *Payment) error
	// OpenCheckouts lists the loan's open checkouts (pending repayments
	// and extensions); call it with the loan locked.
	OpenCheckouts(ctx context.Context, loanID ID) ([]Payment, error)
	// LoanPayments lists the loan's payments, oldest first.
	LoanPayments(ctx context.Context, loanID ID) ([]Payment, error)
	// StalePayments lists pending payments of kind not touched since before.
	StalePayments(ctx context.Context, kind string, before time.Time, limit int) ([]Payment, error)

	AddMessage(ctx context.Context, m *inbox.Message) error
	AddMessages(ctx context.Context, ms []inbox.Message) error

	// Failed payouts (package payout).
	AddPayoutEvent(ctx context.Context, e *PayoutEvent) error
	PayoutEvents(ctx context.Context, loanID ID) ([]PayoutEvent, error)
	// SchedulePayoutRetry sets (or moves) the loan's automatic retry.
	SchedulePayoutRetry(ctx context.Context, loanID ID, at time.Time) error
	// TakePayoutRetry removes the loan's retry if it is due by now and
	// reports whether there was one.
	TakePayoutRetry(ctx context.Context, loanID ID, now time.Time) (bool, error)
	ClearPayoutRetry(ctx context.Context, loanID ID) error
	// DuePayoutRetries lists loans whose retry is due by now, soonest first.
	DuePayoutRetries(ctx context.Context, now time.Time, limit int) ([]ID, error)
}

// Borrowers reads an applicant's file. It only reads: the payout account
// is registered with the provider when the payout needs it (Recipients).
type Borrowers interface {
	Borrower(ctx context.Context, userID int64) (*Borrower, error)
}

// Recipients registers a loan's payout account with the payment provider,
// once: later calls answer the code the first one got.
type Recipients interface {
	// Recipient returns the provider's code for the borrower's bank card,
	// registering the card first if it is not yet. errs.Invalid or
	// errs.NotFound when the card cannot be registered as it stands.
	Recipient(ctx context.Context, userID, cardID int64) (code string, err error)
}

// Photos keeps the photos taken at application (sealed at rest).
type Photos interface {
	PutPhoto(ctx context.Context, userID int64, data []byte) (key string, err error)
	// DeletePhoto removes a photo whose application was not stored.
	DeletePhoto(ctx context.Context, key string) error
}

// Service runs applications, manual decisions and the reads of loans and
// products. Payouts (package payout), repayments and payment outcomes
// (repay) and close of business (cob) are flows of their own over the same
// Store. Each method owns its transactions and fixes "now" once; every
// money movement is appended to the ledger in the same transaction as the
// loan's new state.
type Service struct {
	Store     Store
	Decider   Decider
	Borrowers Borrowers
	Photos    Photos
	// Payouts sends the payouts an application or an approval started,
	// after their transaction commits (payout.Dispatcher); nil leaves
	// them pending for a resume to send.
	Payouts  Payouts
	Outcomes Outcomes       // optional: learns how decided loans turn out
	Location *time.Location // business time zone; nil means UTC
	Log      *slog.Logger
	Now      func() time.Time

	// applying holds the borrowers whose application this process is
	// deciding: a second one at the same time (a double tap) is answered
	// at once instead of being scored too, which would also count twice in
	// the risk engine's velocity. Across processes the database decides.
	applying sync.Map // user id → struct{}
}

func (s *Service) now() time.Time { return Clock{Now: s.Now, Location: s.Location}.Time() }

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// Products lists the products, only those on sale unless all.
func (s *Service) Products(ctx context.Context, all bool) ([]Product, error) {
	var ps []Product
	err := s.Store.Read(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		ps, err = tx.Products(ctx, !all)
		return err
	})
	return ps, err
}

// Product reads one product.
func (s *Service) Product(ctx context.Context, id string) (*Product, error) {
	var p *Product
	err := s.Store.Read(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		p, err = tx.Product(ctx, id)
		return err
	})
	return p, err
}

// SaveProduct adds or changes a product after checking its terms. Loans
// already applied for keep the terms they were priced with.
func (s *Service) SaveProduct(ctx context.Context, p Product) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if _, err := Quote(p, s.now()); err != nil {
		return errs.WithField("product", errs.InvalidField("balance", "cannot be priced: %v", err))
	}
	return s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error { return tx.SaveProduct(ctx, p) })
}

// StartPayout moves an approved (or failed) loan to disbursing, counts the
// attempt and records the payout it is about to ask the provider for,
// with the operator who asked for it, if one did.
func StartPayout(ctx context.Context, tx Tx, r *Record, by PayoutAction, now time.Time) (*Payment, error) {
	if err := r.beginDisbursement(now); err != nil {
		return nil, err
	}
	return insertPayout(ctx, tx, r, by, now)
}

// Payouts sends a payout whose attempt a committed transaction recorded.
type Payouts interface {
	Send(ctx context.Context, r *Record, p *Payment)
}

// sendDisbursement hands the payout to Payouts.
func (s *Service) sendDisbursement(ctx context.Context, r *Record, p *Payment) {
	if s.Payouts != nil {
		s.Payouts.Send(ctx, r, p)
	}
}

// beginDisbursement moves the loan to disbursing and counts the attempt.
// The account need not be registered with the provider yet: sending the
// payout registers it (payout.Dispatcher.Send).
func (r *Record) beginDisbursement(now time.Time) error {
	if r.Card.ID == 0 && r.Card.RecipientCode == "" {
		return errs.E(errs.Conflict, "loan %s has no bank account to pay out to", r.ID)
	}
	if err := r.Fire(EventStartDisbursement, now); err != nil {
		return err
	}
	r.Disbursements++
	return nil
}

// payout is the payment of the current disbursement attempt.
func (r *Record) payout(now time.Time) *Payment {
	return &Payment{
		Reference: r.PayoutReference(), LoanID: r.ID, UserID: r.UserID,
		Kind: PayDisbursement, Amount: r.Pricing.Disbursed, Status: PayPending, CreatedAt: now, UpdatedAt: now,
	}
}

// PayoutReference is the payment reference of the current disbursement
// attempt: it names the loan and the attempt, so the provider can
// deduplicate a payout sent twice.
func (r *Record) PayoutReference() string { return fmt.Sprintf("DSB_%s_%d", r.ID, r.Disbursements) }

// ManualDecision is a manual decision on a loan in the review queue.
type ManualDecision struct {
	LoanID   ID
	Reviewer string
	Approve  bool
	Reason   string
}

// ReviewQueue lists loans waiting for a person, oldest first.
func (s *Service) ReviewQueue(ctx context.Context, p page.Request) (page.Result[Record], error) {
	var res page.Result[Record]
	err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		res, err = tx.LoansByStatus(ctx, StatusManualReview, p)
		return err
	})
	return res, err
}

// Decide records a manual decision and, on approval, starts the payout.
func (s *Service) Decide(ctx context.Context, rv ManualDecision) (*Record, error) {
	if rv.Reviewer == "" {
		return nil, errs.Required("reviewer")
	}
	if !plainText(rv.Reviewer, false) {
		return nil, errs.InvalidField("reviewer", "must be UTF-8 text without control characters")
	}
	if !plainText(rv.Reason, true) {
		return nil, errs.InvalidField("reason", "must be UTF-8 text without control characters")
	}
	now := s.now()
	var (
		out *Record
		pay *Payment
	)
	err := s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		r, err := tx.LoanForUpdate(ctx, rv.LoanID)
		if err != nil {
			return err
		}
		pay = nil
		event := EventManualReject
		if rv.Approve {
			event = EventManualApprove
		}
		if err := r.Fire(event, now); err != nil {
			return err
		}
		r.AuditUserID, r.AuditUserReason, r.AuditUserAt = rv.Reviewer, rv.Reason, now
		if rv.Approve {
			if pay, err = StartPayout(ctx, tx, r, PayoutAction{}, now); err != nil {
				return err
			}
		}
		if err := tx.UpdateLoan(ctx, r); err != nil {
			return err
		}
		out = r
		return addMessages(ctx, tx, r.UserID, []inbox.Message{decisionMessage(r, now)}, now)
	})
	if err != nil {
		return nil, err
	}
	if pay != nil {
		s.sendDisbursement(ctx, out, pay)
	}
	o := OutcomeDeclined
	if rv.Approve {
		o = OutcomeAccepted
	}
	s.report(ctx, out, o, now)
	return out, nil
}

// PaymentResult is the provider's final word on a payment, from a
// verified webhook.
type PaymentResult struct {
	Reference string
	Succeeded bool
	Amount    ledger.Money // settled amount; for a payout, what was sent
	Reason    string       // why it failed
	// Code is the provider's failure code for a payout, and Retriable
	// its verdict on it (the payment contract's, payment.Retriable):
	// only a retriable failure is sent again automatically.
	Code      string
	Retriable bool
}

// Payments lists a loan's payments, oldest first, for operators.
func (s *Service) Payments(ctx context.Context, loanID ID) ([]Payment, error) {
	var ps []Payment
	err := s.Store.Read(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		ps, err = tx.LoanPayments(ctx, loanID)
		return err
	})
	return ps, err
}

// AnyLoan reads a loan whoever's it is, for operators.
func (s *Service) AnyLoan(ctx context.Context, id ID) (*Record, error) {
	var r *Record
	err := s.Store.Read(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		r, err = tx.Loan(ctx, id)
		return err
	})
	return r, err
}

// Loan reads one of the borrower's loans.
func (s *Service) Loan(ctx context.Context, userID int64, id ID) (*Record, error) {
	var r *Record
	err := s.Store.Read(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		r, err = tx.UserLoan(ctx, userID, id)
		return err
	})
	return r, err
}

// Latest reads the borrower's newest loan (or newest unfinished one);
// nil when there is none.
func (s *Service) Latest(ctx context.Context, userID int64, unfinishedOnly bool) (*Record, error) {
	var r *Record
	err := s.Store.Read(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		r, err = tx.LatestLoan(ctx, userID, unfinishedOnly)
		return err
	})
	if errs.Is(err, errs.NotFound) {
		return nil, nil
	}
	return r, err
}

// Loans lists the borrower's loans, newest first.
func (s *Service) Loans(ctx context.Context, userID int64, p page.Request) (page.Result[Record], error) {
	var res page.Result[Record]
	err := s.Store.Read(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		res, err = tx.UserLoans(ctx, userID, p)
		return err
	})
	return res, err
}

// RecentDisbursed lists the newest payouts, for the home screen ticker.
func (s *Service) RecentDisbursed(ctx context.Context, limit int) ([]Record, error) {
	var rs []Record
	err := s.Store.Read(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		rs, err = tx.RecentDisbursed(ctx, limit)
		return err
	})
	return rs, err
}

// History counts the borrower's loans by outcome.
func (s *Service) History(ctx context.Context, userID int64) (History, error) {
	var h History
	err := s.Store.Read(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		h, err = tx.History(ctx, userID)
		return err
	})
	return h, err
}

func decisionMessage(r *Record, now time.Time) inbox.Message {
	m := inbox.Message{Kind: inbox.KindLoan}
	switch r.Status {
	case StatusApproved, StatusDisbursing:
		m.Title = "Loan approved"
		m.Content = fmt.Sprintf("Loan %s for %s is approved and being paid out to %s.", r.ID, r.Pricing.Principal, r.Card.AccountMask)
	case StatusManualReview:
		m.Title = "Loan under review"
		m.Content = fmt.Sprintf("Loan %s is being reviewed by our team; we will let you know soon.", r.ID)
	default:
		m.Title = "Loan not approved"
		m.Content = fmt.Sprintf("Loan %s was not approved. %s", r.ID, r.RiskDetail)
	}
	return m
}

func addMessages(ctx context.Context, tx Tx, userID int64, ms []inbox.Message, now time.Time) error {
	for i := range ms {
		ms[i].UserID, ms[i].CreatedAt = userID, now
		if err := tx.AddMessage(ctx, &ms[i]); err != nil {
			return err
		}
	}
	return nil
}
