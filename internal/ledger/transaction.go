package ledger

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind names the money movement a transaction records.
type Kind string

const (
	KindFunding      Kind = "funding"      // lender capital arrives at the provider
	KindDisbursement Kind = "disbursement" // principal paid out, prefix fee withheld
	KindFee          Kind = "fee"          // suffix service fee charged
	KindInterest     Kind = "interest"     // contractual interest charged
	KindPenalty      Kind = "penalty"      // overdue penalty accrued at close of business
	KindRepayment    Kind = "repayment"    // borrower payment applied (any excess to credit)
	KindOverpayment  Kind = "overpayment"  // borrower payment with nothing outstanding
	KindExtension    Kind = "extension"    // extension fee (and accrued penalty) paid
	KindWriteOff     Kind = "writeoff"     // receivables given up
	KindRefund       Kind = "refund"       // borrower credit paid back out
)

var kinds = map[Kind]bool{
	KindFunding: true, KindDisbursement: true, KindFee: true, KindInterest: true,
	KindPenalty: true, KindRepayment: true, KindOverpayment: true,
	KindExtension: true, KindWriteOff: true, KindRefund: true,
}

// Posting moves Amount into (debit, positive) or out of (credit, negative)
// one account.
type Posting struct {
	Account string
	Amount  Money
}

// Transaction is one balanced, append-only money movement. Reference is its
// idempotency key: builders derive it from the loan id and the business key
// of the movement (payment reference, business date…), so the store can
// reject a second insert of the same movement with a unique index.
type Transaction struct {
	Reference string
	Kind      Kind
	LoanID    string // empty only for KindFunding
	Currency  string // ISO 4217 code, e.g. "NGN"; all postings are in it
	Postings  []Posting
	Metadata  map[string]string
}

// Booked is a stored transaction and when it was booked.
type Booked struct {
	At          time.Time
	Transaction Transaction
}

// ValidationError lists every rule a transaction breaks.
type ValidationError struct {
	Reference string
	Problems  []string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("ledger: transaction %q: %s", e.Reference, strings.Join(e.Problems, "; "))
}

// Limits on a transaction, to keep hostile rows from the database cheap.
const (
	maxReferenceLen = 200
	maxPostings     = 64
)

// Validate checks the transaction on its own: a known kind, a reference, one
// valid currency, at least two postings, none zero, every account in the
// chart (per-loan accounts belonging to this transaction's loan), and
// amounts that sum to zero without overflow.
func (t Transaction) Validate() error {
	var probs []string
	add := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }

	if t.Reference == "" {
		add("empty reference")
	} else if len(t.Reference) > maxReferenceLen {
		add("reference of %d bytes, at most %d allowed", len(t.Reference), maxReferenceLen)
	}
	if !kinds[t.Kind] {
		add("unknown kind %q", t.Kind)
	}
	if err := validCurrency(t.Currency); err != nil {
		add("%v", err)
	}
	switch {
	case t.Kind == KindFunding && t.LoanID != "":
		add("funding carries loan id %q", t.LoanID)
	case t.Kind != KindFunding:
		if err := ValidLoanID(t.LoanID); err != nil {
			add("%v", err)
		}
	}
	if len(t.Postings) < 2 {
		add("%d postings, a double entry needs at least 2", len(t.Postings))
	}
	if len(t.Postings) > maxPostings {
		add("%d postings, at most %d allowed", len(t.Postings), maxPostings)
		return &ValidationError{Reference: t.Reference, Problems: probs}
	}
	var sum Money
	overflow := false
	for i, p := range t.Postings {
		if p.Amount == 0 {
			add("posting %d to %q has a zero amount", i, p.Account)
		}
		if _, loanID, err := LookupAccount(p.Account); err != nil {
			add("posting %d: %v", i, err)
		} else if loanID != "" && loanID != t.LoanID {
			add("posting %d to %q belongs to loan %q, not %q", i, p.Account, loanID, t.LoanID)
		}
		if !overflow {
			s, err := sum.Add(p.Amount)
			if err != nil {
				overflow = true
				add("postings overflow 64 bits when summed")
			}
			sum = s
		}
	}
	if !overflow && sum != 0 {
		add("unbalanced: postings sum to %d, want 0", sum)
	}
	if len(probs) > 0 {
		return &ValidationError{Reference: t.Reference, Problems: probs}
	}
	return nil
}

func validCurrency(c string) error {
	if len(c) != 3 {
		return fmt.Errorf("currency %q is not a 3-letter ISO 4217 code", c)
	}
	for i := 0; i < 3; i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return fmt.Errorf("currency %q is not a 3-letter ISO 4217 code", c)
		}
	}
	return nil
}

// Balances maps full account names to signed balances (debit positive).
type Balances map[string]Money

// Post adds a transaction's postings to b. It refuses an invalid
// transaction and leaves b untouched if a balance would overflow: each
// account's postings in t are summed (checked) into the account's net
// change, which is then added (checked) to its balance, so whether t fits
// depends on the balances it leaves, not on the order of its postings.
// A store keeping balances applies the same rule (NetChanges).
func (b Balances) Post(t Transaction) error {
	if err := t.Validate(); err != nil {
		return err
	}
	net, err := NetChanges(t)
	if err != nil {
		return err
	}
	// Stage the new balances first so a failure leaves b as it was.
	staged := make(map[string]Money, len(net))
	for acct, d := range net {
		v, err := b[acct].Add(d)
		if err != nil {
			return fmt.Errorf("ledger: transaction %q: account %q: %w", t.Reference, acct, err)
		}
		staged[acct] = v
	}
	for acct, v := range staged {
		b[acct] = v
	}
	return nil
}

// NetChanges sums each account's postings in t: what t changes its
// balance by. A net change that does not fit in Money is ErrOverflow.
func NetChanges(t Transaction) (map[string]Money, error) {
	net := make(map[string]Money, len(t.Postings))
	for _, p := range t.Postings {
		v, err := net[p.Account].Add(p.Amount)
		if err != nil {
			return nil, fmt.Errorf("ledger: transaction %q: account %q: %w", t.Reference, p.Account, err)
		}
		net[p.Account] = v
	}
	return net, nil
}

// Natural returns account's balance as a person reads it: positive on the
// account's normal side.
func (b Balances) Natural(account string) (Money, error) {
	typ, _, err := LookupAccount(account)
	if err != nil {
		return 0, err
	}
	v := b[account]
	if typ.Normal == Credit {
		if v == -v && v != 0 { // MinInt64 has no positive counterpart
			return 0, fmt.Errorf("%w: natural balance of %q", ErrOverflow, account)
		}
		v = -v
	}
	return v, nil
}

// BalancesOf folds transactions into balances, stopping at the first invalid
// or overflowing one.
func BalancesOf(txs []Transaction) (Balances, error) {
	b := Balances{}
	for _, t := range txs {
		if err := b.Post(t); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// errNoPostings is returned by builders whose amounts are all zero: there is
// no movement to record, which is a caller bug rather than an empty entry.
var errNoPostings = errors.New("no non-zero amount to post")
