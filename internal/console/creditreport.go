package console

import (
	"net/http"
	"strconv"
	"strings"

	"creditpocket/internal/account"
	"creditpocket/internal/creditreport"
	"creditpocket/internal/errs"
	"creditpocket/internal/vault"
)

// reportAccount is one account of a credit report as the console lists
// it: what it is, with whom, its state, and its last months of repayment
// status (newest last).
type reportAccount struct {
	Kind, Institution, Type, Opened, Amount, Currency string
	State, Balance, Overdue                           string
	Months                                            []reportMonth
}

// reportMonth is one month of a repayment grid: "2024-05" and its printed
// status code (N on time, 1–7 months overdue, C closed, * no payment due,
// # not known, G and D bad debt or guarantor paid …).
type reportMonth struct{ Label, State string }

// gridMonths is how many months of the repayment grid the page shows.
const gridMonths = 24

// reportView is the parsed report arranged for reading.
type reportView struct {
	Report   *creditreport.Report
	Summary  *account.CreditReport
	IDMasked string
	Accounts []reportAccount
}

func newReportView(sum *account.CreditReport, r *creditreport.Report) reportView {
	v := reportView{Report: r, Summary: sum, IDMasked: vault.Mask(r.CreditHeader.IDNum)}
	d := r.CreditTransInfoDetail
	loans := func(kind string, as []creditreport.LoanAccount) {
		for _, a := range as {
			ra := reportAccount{Kind: kind, Institution: a.ManageCompany, Type: a.Type, Opened: a.StartDate,
				Amount: a.RefundAmount, Currency: a.AccountCurrencyType, State: a.AccountState.Value, Months: lastMonths(a.RefundRecord)}
			switch st := a.AccountState; {
			case st.Normal != nil:
				ra.Balance, ra.Overdue = st.Normal.SurplusAmount, st.Normal.CurrOverdueAmount
			case st.BadDebt != nil:
				ra.Balance = st.BadDebt.SurplusAmount
			}
			v.Accounts = append(v.Accounts, ra)
		}
	}
	loans("Loan", d.AcyclicCreditAccount)
	loans("Revolving sub-account", d.CyclicalAmountPerAccount)
	loans("Revolving loan", d.CyclicalLoanAccount)
	for _, a := range d.CreditAccount {
		ra := reportAccount{Kind: "Credit card", Institution: a.CardCompany, Type: a.Type, Opened: a.StartDate,
			Amount: a.AccountExtensionAmount, Currency: a.CurrencyType, State: a.AccountState.Value, Months: lastMonths(a.RefundRecord)}
		switch st := a.AccountState; {
		case st.Normal != nil:
			ra.Balance, ra.Overdue = st.Normal.UsedAmount, st.Normal.CurrOverdueAmount
		case st.BadDebt != nil:
			ra.Balance = st.BadDebt.SurplusAmount
		}
		v.Accounts = append(v.Accounts, ra)
	}
	for _, a := range d.QuasiCreditAccount {
		ra := reportAccount{Kind: "Quasi-credit card", Institution: a.CardCompany, Opened: a.StartDate,
			Amount: a.AccountExtensionAmount, Currency: a.CurrencyType, State: a.AccountState.Value, Months: lastMonths(a.RefundRecord)}
		switch st := a.AccountState; {
		case st.Normal != nil:
			ra.Balance = st.Normal.OverDraftAmount
		case st.BadDebt != nil:
			ra.Balance = st.BadDebt.SurplusAmount
		}
		v.Accounts = append(v.Accounts, ra)
	}
	return v
}

// lastMonths flattens a repayment grid (printed newest year first) into
// its last gridMonths months, oldest first.
func lastMonths(rr creditreport.RefundRecord) []reportMonth {
	var out []reportMonth
	for i := len(rr.Detail) - 1; i >= 0; i-- { // oldest year first
		y := rr.Detail[i]
		for _, m := range y.Month {
			n, err := strconv.Atoi(m.MonthValue)
			if err != nil || n < 1 || n > 12 {
				continue
			}
			label := strings.TrimSpace(y.Year) + "-" + strconv.Itoa(100 + n)[1:]
			out = append(out, reportMonth{Label: label, State: m.State})
		}
	}
	if len(out) > gridMonths {
		out = out[len(out)-gridMonths:]
	}
	return out
}

// borrowerCreditReport opens the borrower's attached credit report for
// reading. The report is personal data: the viewer states a purpose and
// the view is in the audit log before anything is shown.
func (c *Console) borrowerCreditReport(q *request) error {
	id, err := strconv.ParseInt(q.r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errs.E(errs.NotFound, "no borrower %.32q", q.r.PathValue("id"))
	}
	purpose, err := purposeOf(q)
	if err != nil {
		return err
	}
	if err := c.audit(q, "borrower.credit_report.view", "borrower "+strconv.FormatInt(id, 10), purpose); err != nil {
		return err
	}
	sum, rep, err := c.d.Borrowers.OpenCreditReport(q.ctx(), id)
	if err != nil {
		return err
	}
	c.render(q.w, q.r, q.sess, http.StatusOK, "borrower_report", map[string]any{"BorrowerID": id, "View": newReportView(sum, rep)})
	return nil
}
