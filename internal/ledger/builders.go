package ledger

import "fmt"

// LoanBook builds the transactions of one loan. Builders are the only place
// postings are written: the loan domain hands them its results (an
// allocation, a penalty, an outstanding to write off) and gets back a
// validated transaction with a deterministic Reference.
//
// All amounts passed to builders are natural (non-negative) amounts.
type LoanBook struct {
	LoanID   string
	Currency string
}

// ForLoan returns the book of loanID in currency.
func ForLoan(loanID, currency string) LoanBook {
	return LoanBook{LoanID: loanID, Currency: currency}
}

func (b LoanBook) acct(base string) string { return LoanAccount(base, b.LoanID) }

// Disbursement records principal paid out to the borrower. In prefix fee
// mode prefixFee is withheld from the payout and earned at once, so the
// borrower receives principal−prefixFee (the app's actualBalance) but owes
// the whole principal.
func (b LoanBook) Disbursement(principal, prefixFee Money) (Transaction, error) {
	if err := nonNegative(named{"principal", principal}, named{"prefix fee", prefixFee}); err != nil {
		return b.fail(KindDisbursement, err)
	}
	if principal == 0 {
		return b.fail(KindDisbursement, errNoPostings)
	}
	if prefixFee > principal {
		return b.fail(KindDisbursement, fmt.Errorf("prefix fee %d exceeds principal %d", prefixFee, principal))
	}
	return b.build(KindDisbursement, "disbursement:"+b.LoanID, nil,
		Posting{b.acct(ReceivablePrincipal), principal},
		Posting{ProviderCash, -(principal - prefixFee)},
		Posting{IncomeFee, -prefixFee},
	)
}

// ServiceFee records the suffix-mode service fee, owed with the repayment.
func (b LoanBook) ServiceFee(fee Money) (Transaction, error) {
	return b.charge(KindFee, "fee:"+b.LoanID, ReceivableFee, IncomeFee, fee, nil)
}

// Interest records the contractual interest for the loan's term, owed with
// the repayment.
func (b LoanBook) Interest(amount Money) (Transaction, error) {
	return b.charge(KindInterest, "interest:"+b.LoanID, ReceivableInterest, IncomeInterest, amount, nil)
}

// Penalty records overdue penalty accrued through businessDate
// ("2006-01-02"). The date is part of the reference: one penalty posting per
// loan and business date, however often close of business is re-run.
func (b LoanBook) Penalty(businessDate string, amount Money) (Transaction, error) {
	if businessDate == "" {
		return b.fail(KindPenalty, fmt.Errorf("empty business date"))
	}
	return b.charge(KindPenalty, "penalty:"+b.LoanID+":"+businessDate, ReceivablePenalty, IncomePenalty,
		amount, map[string]string{"business_date": businessDate})
}

func (b LoanBook) charge(kind Kind, ref, receivable, income string, amount Money, meta map[string]string) (Transaction, error) {
	if err := nonNegative(named{string(kind), amount}); err != nil {
		return b.fail(kind, err)
	}
	return b.build(kind, ref, meta,
		Posting{b.acct(receivable), amount},
		Posting{income, -amount},
	)
}

// Repayment records a borrower payment identified by paymentRef (the
// provider's reference): applied settles receivables, excess becomes
// borrower credit. A payment with nothing applied is an overpayment.
func (b LoanBook) Repayment(paymentRef string, applied Buckets, excess Money) (Transaction, error) {
	kind := KindRepayment
	if applied.IsZero() {
		kind = KindOverpayment
	}
	if paymentRef == "" {
		return b.fail(kind, fmt.Errorf("empty payment reference"))
	}
	if err := nonNegative(append(applied.named(), named{"excess", excess})...); err != nil {
		return b.fail(kind, err)
	}
	total, err := Sum(applied.Principal, applied.Interest, applied.Fee, applied.Penalty, excess)
	if err != nil {
		return b.fail(kind, err)
	}
	ps := make([]Posting, 0, 6)
	ps = append(ps, Posting{ProviderCash, total})
	for _, ba := range applied.bucketAccounts() {
		ps = append(ps, Posting{b.acct(ba.base), -ba.amount})
	}
	ps = append(ps, Posting{b.acct(BorrowerCredit), -excess})
	return b.build(kind, "repayment:"+b.LoanID+":"+paymentRef, map[string]string{"payment_ref": paymentRef}, ps...)
}

// Extension records an extension payment: the extension fee, earned at
// once, plus the accrued penalty that must be cleared with it.
func (b LoanBook) Extension(paymentRef string, fee, penalty Money) (Transaction, error) {
	if paymentRef == "" {
		return b.fail(KindExtension, fmt.Errorf("empty payment reference"))
	}
	if err := nonNegative(named{"extension fee", fee}, named{"penalty", penalty}); err != nil {
		return b.fail(KindExtension, err)
	}
	total, err := fee.Add(penalty)
	if err != nil {
		return b.fail(KindExtension, err)
	}
	return b.build(KindExtension, "extension:"+b.LoanID+":"+paymentRef, map[string]string{"payment_ref": paymentRef},
		Posting{ProviderCash, total},
		Posting{IncomeExtension, -fee},
		Posting{b.acct(ReceivablePenalty), -penalty},
	)
}

// WriteOff gives up everything outstanding on the loan. A loan is written
// off once, so the reference carries no further key.
func (b LoanBook) WriteOff(outstanding Buckets) (Transaction, error) {
	if err := nonNegative(outstanding.named()...); err != nil {
		return b.fail(KindWriteOff, err)
	}
	total, err := outstanding.Total()
	if err != nil {
		return b.fail(KindWriteOff, err)
	}
	ps := make([]Posting, 0, 5)
	ps = append(ps, Posting{ExpenseWriteOff, total})
	for _, ba := range outstanding.bucketAccounts() {
		ps = append(ps, Posting{b.acct(ba.base), -ba.amount})
	}
	return b.build(KindWriteOff, "writeoff:"+b.LoanID, nil, ps...)
}

// Refund pays borrower credit back out through the provider.
func (b LoanBook) Refund(refundRef string, amount Money) (Transaction, error) {
	if refundRef == "" {
		return b.fail(KindRefund, fmt.Errorf("empty refund reference"))
	}
	if err := nonNegative(named{"refund", amount}); err != nil {
		return b.fail(KindRefund, err)
	}
	return b.build(KindRefund, "refund:"+b.LoanID+":"+refundRef, map[string]string{"refund_ref": refundRef},
		Posting{b.acct(BorrowerCredit), amount},
		Posting{ProviderCash, -amount},
	)
}

// Funding records lender capital arriving at the provider.
func Funding(ref, currency string, amount Money) (Transaction, error) {
	fail := func(err error) (Transaction, error) {
		return Transaction{}, fmt.Errorf("ledger: funding %q: %w", ref, err)
	}
	if ref == "" {
		return fail(fmt.Errorf("empty reference"))
	}
	if err := nonNegative(named{"funding", amount}); err != nil {
		return fail(err)
	}
	return assemble(Transaction{Reference: "funding:" + ref, Kind: KindFunding, Currency: currency},
		Posting{ProviderCash, amount},
		Posting{LenderFunding, -amount},
	)
}

func (b LoanBook) build(kind Kind, ref string, meta map[string]string, ps ...Posting) (Transaction, error) {
	t, err := assemble(Transaction{Reference: ref, Kind: kind, LoanID: b.LoanID, Currency: b.Currency, Metadata: meta}, ps...)
	if err != nil {
		return b.fail(kind, err)
	}
	return t, nil
}

func (b LoanBook) fail(kind Kind, err error) (Transaction, error) {
	return Transaction{}, fmt.Errorf("ledger: %s for loan %q: %w", kind, b.LoanID, err)
}

// assemble drops zero postings (a suffix loan has no prefix fee, a payment
// may touch only some buckets) and validates the result.
func assemble(t Transaction, ps ...Posting) (Transaction, error) {
	for _, p := range ps {
		if p.Amount != 0 {
			t.Postings = append(t.Postings, p)
		}
	}
	if len(t.Postings) == 0 {
		return Transaction{}, errNoPostings
	}
	if err := t.Validate(); err != nil {
		return Transaction{}, err
	}
	return t, nil
}

// named pairs an amount with what it is, for error messages.
type named struct {
	what   string
	amount Money
}

func nonNegative(amounts ...named) error {
	for _, a := range amounts {
		if a.amount < 0 {
			return fmt.Errorf("negative %s %d", a.what, a.amount)
		}
	}
	return nil
}

// named lists the components of b for nonNegative.
func (b Buckets) named() []named {
	return []named{{"principal", b.Principal}, {"interest", b.Interest}, {"fee", b.Fee}, {"penalty", b.Penalty}}
}
