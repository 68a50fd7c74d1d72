package loan

import "fmt"

// History summarises a borrower's earlier loans for eligibility.
type History struct {
	Settled    int // loans repaid in full
	Unfinished int // loans not yet finished (see Status.Finished)
	WrittenOff int // loans given up as uncollectable
}

// HistoryOf counts a borrower's loans by status.
func HistoryOf(statuses ...Status) History {
	var h History
	for _, s := range statuses {
		switch {
		case s == StatusSettled:
			h.Settled++
		case s == StatusWrittenOff:
			h.WrittenOff++
		case !s.Finished():
			h.Unfinished++
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
