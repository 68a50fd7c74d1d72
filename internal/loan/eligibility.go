package loan

import "fmt"

// History is a borrower's record with this lender, read once per
// application: eligibility reads Settled, Unfinished and WrittenOff, and
// the risk decision is handed all of it (underwriting maps it onto
// risk.LoanHistory, whose fields mean what the last four mean here).
type History struct {
	Settled    int // loans repaid in full
	Unfinished int // loans not yet finished (see Status.Finished)
	WrittenOff int // loans given up as uncollectable

	Disbursed int // loans ever paid out
	// Owing counts the paid-out loans still being repaid: repaying,
	// overdue or extended.
	Owing int
	// WorstDaysOverdue is the most days any paid-out loan has been
	// overdue (its OverDays as of the last close of business).
	WorstDaysOverdue int
	// CurrentDaysOverdue is the most days a loan overdue now is overdue;
	// 0 when none is.
	CurrentDaysOverdue int
}

// PastLoan is what a borrower's History counts of one of their loans.
type PastLoan struct {
	Status    Status
	Disbursed bool // paid out at some time (DisbursedAt set)
	OverDays  int
}

// HistoryOf counts a borrower's loans.
func HistoryOf(loans ...PastLoan) History {
	var h History
	for _, l := range loans {
		switch s := l.Status; {
		case s == StatusSettled:
			h.Settled++
		case s == StatusWrittenOff:
			h.WrittenOff++
		case !s.Finished():
			h.Unfinished++
		}
		if !l.Disbursed {
			continue
		}
		h.Disbursed++
		h.WorstDaysOverdue = max(h.WorstDaysOverdue, l.OverDays)
		if l.Status.Owing() {
			h.Owing++
		}
		if l.Status == StatusOverdue {
			h.CurrentDaysOverdue = max(h.CurrentDaysOverdue, l.OverDays)
		}
	}
	return h
}

// ReasonCode names why a borrower may not take a product.
type ReasonCode string

const (
	ReasonProductInvalid  ReasonCode = "product_invalid"
	ReasonNotOnSale       ReasonCode = "not_on_sale"
	ReasonTooFewSettled   ReasonCode = "too_few_settled_loans"
	ReasonUnfinishedLoan  ReasonCode = "unfinished_loan"
	ReasonWrittenOffLoans ReasonCode = "written_off_loan"
)

// Reason is one failed eligibility rule, with a message fit for the app.
type Reason struct {
	Code    ReasonCode
	Message string
}

// CheckEligibility returns every rule the borrower fails for p; none means
// eligible. A borrower may hold at most one unfinished loan, so any
// unfinished loan blocks a new application.
func CheckEligibility(p Product, h History) []Reason {
	var rs []Reason
	if err := p.Validate(); err != nil {
		rs = append(rs, Reason{ReasonProductInvalid, err.Error()})
	}
	if !p.OnSale {
		rs = append(rs, Reason{ReasonNotOnSale, fmt.Sprintf("product %s is not on sale", p.ID)})
	}
	if h.Settled < p.MinSettledLoans {
		rs = append(rs, Reason{ReasonTooFewSettled, fmt.Sprintf(
			"product %s needs %d settled loans, you have %d", p.ID, p.MinSettledLoans, h.Settled)})
	}
	if h.Unfinished > 0 {
		rs = append(rs, Reason{ReasonUnfinishedLoan, fmt.Sprintf(
			"you have %d unfinished loan(s); settle it before applying again", h.Unfinished)})
	}
	if h.WrittenOff > 0 {
		rs = append(rs, Reason{ReasonWrittenOffLoans, fmt.Sprintf(
			"%d earlier loan(s) were written off", h.WrittenOff)})
	}
	return rs
}
