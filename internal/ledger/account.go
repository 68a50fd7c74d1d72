package ledger

import (
	"fmt"
	"strings"
)

// Side is the side on which an account normally carries its balance.
type Side int8

const (
	Debit  Side = 1
	Credit Side = -1
)

func (s Side) String() string {
	if s == Debit {
		return "debit"
	}
	return "credit"
}

// The chart of accounts. Names are colon-separated paths; accounts marked
// per-loan are suffixed with ":" and the loan id (see LoanAccount), so one
// loan's receivables can be summed without a join.
const (
	// Per-loan receivables: what the borrower owes, by component.
	ReceivablePrincipal = "assets:receivable:principal"
	ReceivableInterest  = "assets:receivable:interest"
	ReceivableFee       = "assets:receivable:fee"
	ReceivablePenalty   = "assets:receivable:penalty"

	// Cash held at the payment provider (bank clearing). Disbursements
	// leave it, repayments and extension payments arrive in it.
	ProviderCash = "assets:cash:provider"

	// Per-loan money owed back to the borrower: overpayments, until refunded.
	BorrowerCredit = "liabilities:borrower:credit"

	// The lender's capital put at the provider's disposal.
	LenderFunding = "equity:lender:funding"

	IncomeInterest  = "income:interest"
	IncomeFee       = "income:fee"
	IncomePenalty   = "income:penalty"
	IncomeExtension = "income:extension"

	// Receivables given up as uncollectable.
	ExpenseWriteOff = "expense:writeoff"
)

// AccountType describes one entry of the chart of accounts.
type AccountType struct {
	Name   string
	Normal Side
	// MayGoNegative allows the natural balance below zero. Receivables,
	// provider cash and borrower credit may not: a negative receivable is a
	// payment applied twice, negative cash is money the provider never had.
	MayGoNegative bool
	// PerLoan accounts are named Name + ":" + loanID.
	PerLoan     bool
	Description string
}

var chart = []AccountType{
	{ReceivablePrincipal, Debit, false, true, "principal lent and not yet repaid or written off"},
	{ReceivableInterest, Debit, false, true, "interest charged and not yet repaid or written off"},
	{ReceivableFee, Debit, false, true, "service fee charged with the repayment (suffix mode) and not yet repaid"},
	{ReceivablePenalty, Debit, false, true, "overdue penalty charged and not yet repaid or written off"},
	{ProviderCash, Debit, false, false, "cash at the payment provider (bank clearing)"},
	{BorrowerCredit, Credit, false, true, "overpayments held for the borrower until refunded"},
	// Funding may go negative: profits withdrawn can exceed capital put in.
	{LenderFunding, Credit, true, false, "lender capital placed at the payment provider"},
	// Income and expense may go negative through corrections.
	{IncomeInterest, Credit, true, false, "interest earned"},
	{IncomeFee, Credit, true, false, "service fees earned (prefix and suffix)"},
	{IncomePenalty, Credit, true, false, "overdue penalties earned"},
	{IncomeExtension, Credit, true, false, "extension fees earned"},
	{ExpenseWriteOff, Debit, true, false, "receivables written off"},
}

// Chart returns a copy of the chart of accounts.
func Chart() []AccountType { return append([]AccountType(nil), chart...) }

// LoanAccount names base's sub-account for one loan, e.g.
// LoanAccount(ReceivablePrincipal, "151776") is
// "assets:receivable:principal:151776".
func LoanAccount(base, loanID string) string { return base + ":" + loanID }

// maxLoanIDLen caps loan ids taken from outside (a database row, a request).
const maxLoanIDLen = 64

// ValidLoanID reports whether id may name a loan in account names and
// references: 1–64 bytes of ASCII letters, digits, '-' and '_'.
func ValidLoanID(id string) error {
	if id == "" {
		return fmt.Errorf("ledger: empty loan id")
	}
	if len(id) > maxLoanIDLen {
		return fmt.Errorf("ledger: loan id of %d bytes, at most %d allowed", len(id), maxLoanIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("ledger: loan id %q: byte %d (%q) is not a letter, digit, '-' or '_'", id, i, c)
		}
	}
	return nil
}

// LookupAccount resolves a full account name against the chart, returning
// its type and, for per-loan accounts, the loan id.
func LookupAccount(name string) (AccountType, string, error) {
	for _, t := range chart {
		if !t.PerLoan {
			if name == t.Name {
				return t, "", nil
			}
			continue
		}
		if id, ok := strings.CutPrefix(name, t.Name+":"); ok {
			if err := ValidLoanID(id); err != nil {
				return AccountType{}, "", fmt.Errorf("ledger: account %q: %w", name, err)
			}
			return t, id, nil
		}
	}
	return AccountType{}, "", fmt.Errorf("ledger: account %q is not in the chart of accounts", name)
}
