package loan

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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

	// Failed payouts (payout.go).
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

// Provider is what the loan engine needs from the payment provider.
// Both calls are idempotent by reference.
type Provider interface {
	// Disburse sends amount to the recipient; the result comes later by
	// webhook.
	Disburse(ctx context.Context, reference, recipientCode string, amount ledger.Money, currency string) error
	// Checkout opens a payment page for the borrower and returns its URL.
	Checkout(ctx context.Context, reference string, amount ledger.Money, currency string) (string, error)
	// CancelCheckout closes a checkout so it can no longer be paid, where
	// the provider can; reason says why. Money it takes anyway is still
	// booked (as borrower credit).
	CancelCheckout(ctx context.Context, reference, reason string) error
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

// Service runs loans: application and decision, disbursement, repayment,
// extension and close of business. Each method owns its transactions and
// fixes "now" once; every money movement is appended to the ledger in the
// same transaction as the loan's new state.
type Service struct {
	Store     Store
	Decider   Decider
	Provider  Provider
	Borrowers Borrowers
	// Recipients registers the payout account of a loan applied for before
	// the borrower registered it, when its payout is sent.
	Recipients Recipients
	Photos     Photos
	Outcomes   Outcomes       // optional: learns how decided loans turn out
	Location   *time.Location // business time zone; nil means UTC
	Log        *slog.Logger
	Now        func() time.Time
	// PaymentSurplus is how much more than a loan can absorb a payment
	// may bring before it is refused (CheckPaymentFits).
	PaymentSurplus ledger.Money

	// PayoutRetry bounds the automatic retries of failed payouts; the
	// zero value is DefaultPayoutRetry.
	PayoutRetry PayoutRetry

	// applying holds the borrowers whose application this process is
	// deciding: a second one at the same time (a double tap) is answered
	// at once instead of being scored too, which would also count twice in
	// the risk engine's velocity. Across processes the database decides.
	applying sync.Map // user id → struct{}
}

func (s *Service) now() time.Time {
	t := time.Now()
	if s.Now != nil {
		t = s.Now()
	}
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc)
}

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

// startDisbursement moves an approved (or failed) loan to disbursing and
// records the payout it is about to ask the provider for.
func startDisbursement(ctx context.Context, tx Tx, r *Record, now time.Time) (*Payment, error) {
	if err := r.beginDisbursement(now); err != nil {
		return nil, err
	}
	return insertPayout(ctx, tx, r, PayoutAction{}, now)
}

// beginDisbursement moves the loan to disbursing and counts the attempt.
// The account need not be registered with the provider yet: sending the
// payout registers it (sendDisbursement).
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

// payout is the payment of the current disbursement attempt; its
// reference names the loan and the attempt, so the provider can
// deduplicate a payout sent twice.
func (r *Record) payout(now time.Time) *Payment {
	return &Payment{
		Reference: fmt.Sprintf("DSB_%s_%d", r.ID, r.Disbursements), LoanID: r.ID, UserID: r.UserID,
		Kind: PayDisbursement, Amount: r.Pricing.Disbursed, Status: PayPending, CreatedAt: now, UpdatedAt: now,
	}
}

// sendDisbursement asks the provider to pay out, registering the payout
// account first if it is not yet (recipient). A refusal marks the payout
// failed (status 33), and so does an account that could not be registered
// — retried automatically unless it cannot be registered as it stands; an
// error that leaves the outcome unknown keeps it pending for
// ResumeDisbursements to send again — the provider deduplicates by
// reference.
func (s *Service) sendDisbursement(ctx context.Context, r *Record, p *Payment) {
	code, err := s.recipient(ctx, r)
	if err != nil {
		s.log().WarnContext(ctx, "payout account not registered with the provider", "loan", r.ID, "reference", p.Reference, "err", err)
		s.payoutNotSent(ctx, r, PaymentResult{Reference: p.Reference, Code: "recipient_not_registered",
			Reason:    "the bank account could not be registered with the payment provider: " + errs.Message(err),
			Retriable: !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.NotFound)})
		return
	}
	err = s.Provider.Disburse(ctx, p.Reference, code, p.Amount, r.Pricing.Currency)
	if err == nil {
		return
	}
	s.log().WarnContext(ctx, "disbursement not sent", "loan", r.ID, "reference", p.Reference, "err", err)
	if errs.Is(err, errs.Invalid) {
		// The provider refused the request itself: sending it again
		// unchanged cannot succeed.
		s.payoutNotSent(ctx, r, PaymentResult{Reference: p.Reference, Reason: errs.Message(err), Code: "invalid_request"})
	}
}

// ResumeDisbursements sends again payouts that stayed pending longer than
// age (a crash between storing the payout and calling the provider, or a
// provider outage). It returns how many it sent. Only a loan's current
// attempt, while the loan waits for it, is sent: an attempt overtaken by
// an earlier one reported paid after all (payoutPaid) would pay the
// borrower twice, so it stays pending, for staff to see as stuck.
func (s *Service) ResumeDisbursements(ctx context.Context, age time.Duration) (int, error) {
	var stale []Payment
	err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		stale, err = tx.StalePayments(ctx, PayDisbursement, s.now().Add(-age), 100)
		return err
	})
	if err != nil {
		return 0, err
	}
	sent := 0
	for i := range stale {
		var r *Record
		err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
			var err error
			r, err = tx.UserLoan(ctx, stale[i].UserID, stale[i].LoanID)
			return err
		})
		if err != nil {
			return sent, err
		}
		if r.Status != StatusDisbursing || r.payout(stale[i].CreatedAt).Reference != stale[i].Reference {
			s.log().WarnContext(ctx, "pending payout not sent again: its loan is not waiting for it", "loan", r.ID,
				"reference", stale[i].Reference, "status", int(r.Status))
			continue
		}
		s.sendDisbursement(ctx, r, &stale[i])
		sent++
	}
	return sent, nil
}

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
			if pay, err = startDisbursement(ctx, tx, r, now); err != nil {
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

// HandlePayment applies a payment's outcome exactly once: the payment row
// moves from pending only once, so the same webhook delivered many times,
// or a late failure after a success, changes nothing. Money arriving on a
// checkout closed before it was paid is kept as borrower credit, once.
// When a payment ends the loan's owing life its other open checkouts
// close in the same transaction, and the provider is told to cancel them.
// Unknown references are errs.NotFound.
func (s *Service) HandlePayment(ctx context.Context, res PaymentResult) error {
	now := s.now()
	var (
		settled *Record
		closed  []Payment
	)
	err := s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		settled, closed = nil, nil
		p, err := tx.PaymentForUpdate(ctx, res.Reference)
		if err != nil {
			return err
		}
		if !p.AwaitsOutcome(res.Succeeded) {
			return nil
		}
		r, err := tx.LoanForUpdate(ctx, p.LoanID)
		if err != nil {
			return err
		}
		wasOwing := r.Status.Owing()
		p.UpdatedAt = now
		var txs []ledger.Transaction
		var msgs []inbox.Message
		if !res.Succeeded {
			p.Status, p.Failure = PayFailed, res.Reason
			if p.Kind == PayDisbursement {
				if msgs, err = s.payoutFailed(ctx, tx, r, p, res, now); err != nil {
					return err
				}
			} else {
				msgs = append(msgs, inbox.Message{Kind: inbox.KindPayment, Title: "Payment failed",
					Content: fmt.Sprintf("Your payment %s for loan %s did not go through.", p.Reference, r.ID)})
			}
		} else {
			switch p.Kind {
			case PayDisbursement:
				late := p.Status == PayFailed
				p.Status, p.Paid = PaySuccess, p.Amount
				if txs, msgs, err = s.payoutPaid(ctx, tx, r, p, late, now); err != nil {
					return err
				}
			default:
				if res.Amount <= 0 {
					return errs.InvalidField("amount", "a successful charge must carry a positive amount")
				}
				if err := CheckPaymentFits(r, p, res.Amount, s.PaymentSurplus); err != nil {
					return err
				}
				p.Paid = res.Amount
				t, m, err := s.applyPayment(r, p, now)
				if err != nil {
					return err
				}
				txs, msgs = append(txs, t), append(msgs, m)
			}
		}
		if err := tx.UpdatePayment(ctx, p); err != nil {
			return err
		}
		if wasOwing && !r.Status.Owing() && p.Kind != PayDisbursement {
			if closed, err = closeCheckouts(ctx, tx, r.ID, PayClosed, "loan "+r.ID.String()+" is "+statusNames[r.Status], now); err != nil {
				return err
			}
		}
		if err := tx.AppendLedger(ctx, txs, now); err != nil {
			return err
		}
		if err := tx.UpdateLoan(ctx, r); err != nil {
			return err
		}
		if wasOwing && r.Status == StatusSettled && res.Succeeded && p.Kind != PayDisbursement {
			settled = r
		}
		return addMessages(ctx, tx, r.UserID, msgs, now)
	})
	if err != nil {
		return err
	}
	s.cancelCheckouts(ctx, closed)
	if settled != nil {
		s.report(ctx, settled, OutcomeRepaid, now)
	}
	return nil
}

// closeCheckouts closes the loan's open checkouts with status (PaySuperseded
// or PayClosed) and reason, and returns them for cancelCheckouts to tell
// the provider after the commit. The loan must be locked.
func closeCheckouts(ctx context.Context, tx Tx, loanID ID, status, reason string, now time.Time) ([]Payment, error) {
	open, err := tx.OpenCheckouts(ctx, loanID)
	if err != nil {
		return nil, err
	}
	for i := range open {
		open[i].close(status, reason, now)
		if err := tx.UpdatePayment(ctx, &open[i]); err != nil {
			return nil, err
		}
	}
	return open, nil
}

// cancelCheckouts asks the provider to cancel checkouts closed by a
// committed transaction. A failure is logged, not returned: the state
// change stands, and money the provider still takes on one is booked as
// credit when its webhook arrives.
func (s *Service) cancelCheckouts(ctx context.Context, ps []Payment) {
	for _, p := range ps {
		if err := s.Provider.CancelCheckout(ctx, p.Reference, p.ClosedReason); err != nil {
			s.log().WarnContext(ctx, "provider did not cancel a closed checkout", "loan", p.LoanID, "reference", p.Reference, "err", err)
		}
	}
}

// applyPayment books money received on checkout p as BookingFor decides:
// credit when the loan no longer owes, an extension when it buys this
// cycle's, else a repayment — also of money on a checkout closed while
// the loan owes (money received is always booked, whatever was intended).
// It moves p to PaySuccess, or PayCredited.
func (s *Service) applyPayment(r *Record, p *Payment, now time.Time) (ledger.Transaction, inbox.Message, error) {
	booking := BookingFor(&r.Loan, p, p.Paid)
	p.Status = PaySuccess
	switch booking {
	case BookCredit:
		t, err := r.KeepCredit(p.Reference, p.Paid, now)
		if err != nil {
			return ledger.Transaction{}, inbox.Message{}, err
		}
		why := p.ClosedReason
		if why == "" {
			why = "loan " + r.ID.String() + " is " + statusNames[r.Status]
		}
		p.Status = PayCredited
		s.log().Warn("payment arrived on a closed checkout: kept as credit", "loan", r.ID, "reference", p.Reference, "paid", p.Paid, "closed", why)
		return t, inbox.Message{Kind: inbox.KindPayment, Title: "Payment kept as credit",
			Content: fmt.Sprintf("We received %s for loan %s on checkout %s, which was no longer open (%s). It is kept as credit for you.",
				p.Paid, r.ID, p.Reference, why)}, nil
	case BookExtension:
		t, err := r.Extend(p.Reference, p.Paid, DateOf(now), now)
		if err == nil {
			return t, inbox.Message{Kind: inbox.KindLoan, Title: "Loan extended",
				Content: fmt.Sprintf("Loan %s is extended: the new due date is %s.", r.ID, r.DueDate)}, nil
		}
		s.log().Warn("extension payment booked as repayment", "loan", r.ID, "reference", p.Reference, "err", err)
	}
	alloc, t, err := r.Repay(p.Reference, p.Paid, now)
	if err != nil {
		return ledger.Transaction{}, inbox.Message{}, err
	}
	m := inbox.Message{Kind: inbox.KindPayment, Title: "Payment received"}
	left, _ := alloc.Remaining.Total()
	switch {
	case r.Status == StatusSettled && alloc.Excess > 0:
		m.Content = fmt.Sprintf("Loan %s is settled. %s more than owed is kept as credit for you.", r.ID, alloc.Excess)
	case r.Status == StatusSettled:
		m.Content = fmt.Sprintf("Loan %s is fully repaid. Thank you!", r.ID)
	default:
		m.Content = fmt.Sprintf("We received %s for loan %s; %s is still due.", p.Paid, r.ID, left)
	}
	return t, m, nil
}

// RepayInput asks for a payment checkout.
type RepayInput struct {
	UserID         int64
	LoanID         ID
	Amount         ledger.Money // 0: everything outstanding (repay) or the extension cost (extend)
	Extend         bool
	IdempotencyKey string
	RequestHash    string // a digest of the request, to tell a replay from a new request
}

// maxIdempotencyKey caps the Idempotency-Key a repayment is opened with:
// 1 to 128 printable ASCII characters (space to tilde), the limit /docs and
// docs/loan-engine.md state. The key is stored with the payment and looked
// up on every retry, so it is kept short, and ASCII because a header may
// carry any bytes, which PostgreSQL's UTF-8 text would refuse.
const maxIdempotencyKey = 128

// Repay opens a repayment (or extension) checkout. A loan has one open
// checkout at a time: opening one supersedes the open one in the same
// transaction, under the loan's lock, and the provider is then told to
// cancel it. The same idempotency key with the same request returns the
// first checkout as it stands now — superseded, closed or paid if it has
// been since, never reopened (a new checkout needs a new key); with a
// different request it is errs.Conflict.
func (s *Service) Repay(ctx context.Context, in RepayInput) (*Payment, error) {
	if in.IdempotencyKey == "" {
		return nil, errs.Required("Idempotency-Key")
	}
	if len(in.IdempotencyKey) > maxIdempotencyKey {
		return nil, errs.InvalidField("Idempotency-Key", "must be at most %d characters", maxIdempotencyKey)
	}
	for i := 0; i < len(in.IdempotencyKey); i++ {
		if c := in.IdempotencyKey[i]; c < ' ' || c > '~' {
			return nil, errs.InvalidField("Idempotency-Key", "must be printable ASCII characters")
		}
	}
	if in.Amount < 0 {
		return nil, errs.InvalidField("amount", "must be positive")
	}
	now := s.now()
	var (
		prior *Payment
		r     *Record
	)
	err := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		prior, err = tx.PaymentByKey(ctx, in.UserID, in.IdempotencyKey)
		if err == nil || !errs.Is(err, errs.NotFound) {
			return err
		}
		prior = nil
		r, err = tx.UserLoan(ctx, in.UserID, in.LoanID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if prior != nil {
		return replay(prior, in)
	}
	p, err := newCheckout(r, in, now)
	if err != nil {
		return nil, err
	}
	if p.CheckoutURL, err = s.Provider.Checkout(ctx, p.Reference, p.Amount, r.Pricing.Currency); err != nil {
		return nil, errs.E(errs.Unavailable, "the payment provider could not open a checkout; try again later")
	}
	var superseded []Payment
	err = s.Store.Tx(ctx, func(ctx context.Context, tx Tx) error {
		prior, superseded = nil, nil
		locked, err := tx.LoanForUpdate(ctx, r.ID)
		if err != nil {
			return err
		}
		// The amount was priced on r; a payment booked since changes it.
		if locked.Version != r.Version {
			return errs.E(errs.Conflict, "loan %s changed while the checkout was being opened; try again", r.ID)
		}
		// A concurrent request with the same key waited for the same lock.
		switch prior, err = tx.PaymentByKey(ctx, in.UserID, in.IdempotencyKey); {
		case err == nil:
			return nil
		case !errs.Is(err, errs.NotFound):
			return err
		}
		prior = nil
		if superseded, err = closeCheckouts(ctx, tx, r.ID, PaySuperseded, "superseded by "+p.Reference, now); err != nil {
			return err
		}
		return tx.InsertPayment(ctx, p)
	})
	if err == nil && prior == nil {
		s.cancelCheckouts(ctx, superseded)
		return p, nil
	}
	// The checkout just opened at the provider is stored nowhere: close it
	// there too, so nothing can be paid on it.
	s.cancelCheckouts(ctx, []Payment{{Reference: p.Reference, LoanID: p.LoanID, ClosedReason: "never stored"}})
	if errs.Is(err, errs.Conflict) {
		// The key may have been taken on another loan meanwhile (the
		// unique index caught it). Read it in a new transaction:
		// PostgreSQL aborts one after a failed insert.
		var found *Payment
		if rerr := s.Store.View(ctx, func(ctx context.Context, tx Tx) error {
			var err error
			found, err = tx.PaymentByKey(ctx, in.UserID, in.IdempotencyKey)
			return err
		}); rerr == nil {
			prior, err = found, nil
		}
	}
	if err != nil {
		return nil, err
	}
	return replay(prior, in)
}

// newCheckout prices a checkout of in on r: everything owed (or the
// extension's cost) unless an amount is given.
func newCheckout(r *Record, in RepayInput, now time.Time) (*Payment, error) {
	if !r.Status.Owing() {
		return nil, errs.E(errs.Conflict, "loan %s is %s: nothing to repay", r.ID, r.Status)
	}
	kind, amount := PayRepayment, in.Amount
	var cycle Date
	owed, err := r.Outstanding.Total()
	if err != nil {
		return nil, err
	}
	if in.Extend {
		fee, penalty := r.ExtensionDue()
		if fee <= 0 {
			return nil, errs.E(errs.Conflict, "loan %s cannot be extended", r.ID)
		}
		due, err := fee.Add(penalty)
		if err != nil {
			return nil, err
		}
		if amount != 0 && amount != due {
			return nil, errs.InvalidField("amount", "an extension costs %d", due)
		}
		kind, amount, cycle = PayExtension, due, r.DueDate
	} else if amount == 0 {
		amount = owed
	}
	// Anything beyond what is owed becomes credit, but a payment of more
	// than twice the debt is a typo, not an overpayment.
	if limit, err := ledger.MulInt(owed, 2); err == nil && amount > limit {
		return nil, errs.InvalidField("amount", "must be at most %d (twice what is owed)", limit)
	}
	// A payment's report may not carry more than ledger.MaxAmount: a
	// checkout of more could be paid and never booked.
	if err := ledger.CheckAmount(amount); err != nil {
		return nil, errs.InvalidField("amount", "%v for one checkout; pay in parts", err)
	}
	return &Payment{
		Reference: "PAY_" + randomHex(10), LoanID: r.ID, UserID: in.UserID, Kind: kind, Amount: amount,
		Status: PayPending, IdempotencyKey: in.IdempotencyKey, RequestHash: in.RequestHash, CycleDue: cycle,
		CreatedAt: now, UpdatedAt: now,
	}, nil
}

func replay(prior *Payment, in RepayInput) (*Payment, error) {
	if prior.RequestHash != in.RequestHash {
		return nil, errs.E(errs.Conflict, "Idempotency-Key %q was used for a different request", in.IdempotencyKey)
	}
	return prior, nil
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

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
