package ledger

import (
	"fmt"
	"sort"
)

// LoanFacts is what a loan's own record claims about its money, named for
// what each amount is; the app's field names (in parentheses) are kept in
// the HTTP views. The loan domain produces it (loan.Loan.Facts); a verify command
// loads it from the loans table. Verify checks it against the ledger.
type LoanFacts struct {
	LoanID   string
	Currency string

	Principal      Money // principal lent ("balance")
	PaidOut        Money // paid out to the borrower; 0 until disbursed ("actualBalance")
	FeesDue        Money // fees owed with the repayment ("suffixFee")
	Due            Money // Principal + FeesDue: what repays the loan ("shouldbackFee")
	Received       Money // cash received from the borrower: repayments, overpayments, extension payments ("actualbackAmt")
	PenaltyCharged Money // penalty charged over the loan's life ("overdueFee")

	Outstanding Buckets // what the loan says is still owed
	Credit      Money   // overpayment held for the borrower
	// Closed is true when nothing may be outstanding: settled, written
	// off, or never disbursed (rejected, cancelled).
	Closed bool
}

// Rule names an invariant.
type Rule string

const (
	RuleInvalidTransaction   Rule = "invalid-transaction"    // Validate failed (unbalanced, unknown account…)
	RuleDuplicateReference   Rule = "duplicate-reference"    // two transactions share an idempotency key
	RuleUnknownLoan          Rule = "unknown-loan"           // postings for a loan with no facts
	RuleCurrencyMismatch     Rule = "currency-mismatch"      // a loan's transaction in another currency
	RuleNegativeBalance      Rule = "negative-balance"       // an account below zero where the chart forbids it
	RuleOutstandingMismatch  Rule = "outstanding-mismatch"   // loan outstanding ≠ receivable balance
	RuleCreditMismatch       Rule = "credit-mismatch"        // loan credit ≠ borrower credit balance
	RuleShouldbackMismatch   Rule = "shouldback-mismatch"    // shouldbackFee ≠ balance + suffixFee
	RuleDisbursedMismatch    Rule = "disbursed-mismatch"     // actualBalance ≠ cash paid out
	RuleRepaidMismatch       Rule = "repaid-mismatch"        // actualbackAmt ≠ cash received
	RulePenaltyMismatch      Rule = "penalty-mismatch"       // overdueFee ≠ penalty charged
	RuleClosedWithReceivable Rule = "closed-with-receivable" // a closed loan still owes something
	RuleStoredBalance        Rule = "stored-balance"         // an account's kept balance ≠ the sum of its postings
)

// Violation is one broken invariant, located as precisely as it can be.
// Expected is what the ledger (or, for shouldbackFee, the formula) says;
// Actual is what the loan record or the transaction has.
type Violation struct {
	Rule      Rule
	Reference string // the transaction, when one is at fault
	LoanID    string
	Account   string
	Expected  Money
	Actual    Money
	Detail    string
}

func (v Violation) String() string {
	s := string(v.Rule)
	if v.LoanID != "" {
		s += " loan=" + v.LoanID
	}
	if v.Reference != "" {
		s += fmt.Sprintf(" tx=%q", v.Reference)
	}
	if v.Account != "" {
		s += " account=" + v.Account
	}
	if v.Expected != 0 || v.Actual != 0 {
		s += fmt.Sprintf(" expected=%d actual=%d", v.Expected, v.Actual)
	}
	if v.Detail != "" {
		s += ": " + v.Detail
	}
	return s
}

// loanFlows are per-loan totals derived from transactions, for the checks
// that compare the app's fields with the ledger.
type loanFlows struct {
	paidOut, received, penalty Money
	overflow                   bool
}

// Verify checks the ledger and the loans against each other and returns
// every violation found, in a deterministic order (transactions in input
// order, then accounts by name, then loans in input order). An empty result
// means the books agree.
//
// Invalid transactions are reported and left out of the balances, so one bad
// row does not drown the report in consequential mismatches — beyond its own
// loan's.
func Verify(txs []Transaction, loans []LoanFacts) []Violation {
	var vs []Violation
	add := func(v Violation) { vs = append(vs, v) }

	facts := make(map[string]LoanFacts, len(loans))
	for _, l := range loans {
		facts[l.LoanID] = l
	}

	balances := Balances{}
	flows := map[string]*loanFlows{}
	seen := make(map[string]bool, len(txs))
	for _, t := range txs {
		if seen[t.Reference] {
			add(Violation{Rule: RuleDuplicateReference, Reference: t.Reference, LoanID: t.LoanID})
			continue
		}
		seen[t.Reference] = true
		if err := t.Validate(); err != nil {
			imbalance := Violation{Rule: RuleInvalidTransaction, Reference: t.Reference, LoanID: t.LoanID, Detail: err.Error()}
			if s, ok := postingSum(t); ok && s != 0 {
				imbalance.Actual = s // expected 0
			}
			add(imbalance)
			continue
		}
		if t.LoanID != "" {
			f, ok := facts[t.LoanID]
			switch {
			case !ok:
				add(Violation{Rule: RuleUnknownLoan, Reference: t.Reference, LoanID: t.LoanID})
			case f.Currency != t.Currency:
				add(Violation{Rule: RuleCurrencyMismatch, Reference: t.Reference, LoanID: t.LoanID,
					Detail: fmt.Sprintf("transaction in %s, loan in %s", t.Currency, f.Currency)})
			}
		}
		if err := balances.Post(t); err != nil {
			add(Violation{Rule: RuleInvalidTransaction, Reference: t.Reference, LoanID: t.LoanID, Detail: err.Error()})
			continue
		}
		if t.LoanID != "" {
			fl := flows[t.LoanID]
			if fl == nil {
				fl = &loanFlows{}
				flows[t.LoanID] = fl
			}
			fl.add(t)
		}
	}

	accounts := make([]string, 0, len(balances))
	for a := range balances {
		accounts = append(accounts, a)
	}
	sort.Strings(accounts)
	for _, a := range accounts {
		typ, loanID, _ := LookupAccount(a) // Post accepted it, so it resolves
		nat, err := balances.Natural(a)
		if err != nil {
			add(Violation{Rule: RuleNegativeBalance, LoanID: loanID, Account: a, Detail: err.Error()})
			continue
		}
		if nat < 0 && !typ.MayGoNegative {
			add(Violation{Rule: RuleNegativeBalance, LoanID: loanID, Account: a, Expected: 0, Actual: nat,
				Detail: "balance below zero"})
		}
	}

	for _, l := range loans {
		vs = append(vs, verifyLoan(l, balances, flows[l.LoanID])...)
	}
	return vs
}

func (fl *loanFlows) add(t Transaction) {
	for _, p := range t.Postings {
		var sum *Money
		amount := p.Amount
		switch {
		case p.Account == ProviderCash && p.Amount < 0 && t.Kind == KindDisbursement:
			sum, amount = &fl.paidOut, -p.Amount
		case p.Account == ProviderCash && p.Amount > 0:
			sum = &fl.received
		case p.Account == IncomePenalty:
			sum, amount = &fl.penalty, -p.Amount
		default:
			continue
		}
		v, err := sum.Add(amount)
		if err != nil {
			fl.overflow = true
			continue
		}
		*sum = v
	}
}

func verifyLoan(l LoanFacts, b Balances, fl *loanFlows) []Violation {
	var vs []Violation
	if fl == nil {
		fl = &loanFlows{}
	}
	mismatch := func(rule Rule, account string, expected, actual Money, detail string) {
		if expected != actual {
			vs = append(vs, Violation{Rule: rule, LoanID: l.LoanID, Account: account, Expected: expected, Actual: actual, Detail: detail})
		}
	}
	if fl.overflow {
		vs = append(vs, Violation{Rule: RuleInvalidTransaction, LoanID: l.LoanID, Detail: "loan cash flows overflow 64 bits"})
	}
	for _, ba := range l.Outstanding.bucketAccounts() {
		acct := LoanAccount(ba.base, l.LoanID)
		mismatch(RuleOutstandingMismatch, acct, b[acct], ba.amount, "receivable balance vs loan outstanding")
		if l.Closed && b[acct] != 0 {
			vs = append(vs, Violation{Rule: RuleClosedWithReceivable, LoanID: l.LoanID, Account: acct, Expected: 0, Actual: b[acct]})
		}
	}
	credit := LoanAccount(BorrowerCredit, l.LoanID)
	held, _ := b.Natural(credit) // an unrepresentable balance is already a negative-balance violation
	mismatch(RuleCreditMismatch, credit, held, l.Credit, "borrower credit balance vs loan credit")

	if want, err := l.Principal.Add(l.FeesDue); err != nil {
		vs = append(vs, Violation{Rule: RuleShouldbackMismatch, LoanID: l.LoanID, Detail: err.Error()})
	} else {
		mismatch(RuleShouldbackMismatch, "", want, l.Due, "shouldbackFee vs balance + suffixFee")
	}
	mismatch(RuleDisbursedMismatch, ProviderCash, fl.paidOut, l.PaidOut, "actualBalance vs cash paid out")
	mismatch(RuleRepaidMismatch, ProviderCash, fl.received, l.Received, "actualbackAmt vs cash received")
	mismatch(RulePenaltyMismatch, IncomePenalty, fl.penalty, l.PenaltyCharged, "overdueFee vs penalty charged")
	return vs
}

// postingSum sums amounts, reporting false on overflow.
func postingSum(t Transaction) (Money, bool) {
	var s Money
	for _, p := range t.Postings {
		var err error
		if s, err = s.Add(p.Amount); err != nil {
			return 0, false
		}
	}
	return s, true
}

// VerifyStored holds the balances a store keeps per account (to refuse,
// before commit, a posting that would overflow one) against the balances
// txs post to, and returns an account whose two differ. Accounts kept at
// zero with no postings agree.
func VerifyStored(txs []Transaction, stored Balances) []Violation {
	posted := Balances{}
	for _, t := range txs {
		_ = posted.Post(t) // one that does not post is Verify's to report
	}
	names := make([]string, 0, len(posted)+len(stored))
	for a := range posted {
		names = append(names, a)
	}
	for a := range stored {
		if _, ok := posted[a]; !ok {
			names = append(names, a)
		}
	}
	sort.Strings(names)
	var vs []Violation
	for _, a := range names {
		if posted[a] != stored[a] {
			_, loanID, _ := LookupAccount(a)
			vs = append(vs, Violation{Rule: RuleStoredBalance, LoanID: loanID, Account: a, Expected: posted[a], Actual: stored[a],
				Detail: "the kept balance differs from the sum of the account's postings"})
		}
	}
	return vs
}
