package ledger

// Buckets are the four receivable components of one loan. The loan domain
// uses them for what is outstanding and for how a payment was applied; the
// ledger keeps one receivable account per component per loan.
type Buckets struct {
	Principal Money
	Interest  Money
	Fee       Money
	Penalty   Money
}

// Total sums the components, reporting ErrOverflow instead of wrapping.
func (b Buckets) Total() (Money, error) {
	return Sum(b.Principal, b.Interest, b.Fee, b.Penalty)
}

// IsZero reports whether nothing is in any bucket.
func (b Buckets) IsZero() bool { return b == Buckets{} }

// bucketAccounts pairs each component with its receivable account, in the
// repayment allocation order (penalty → fee → interest → principal) so that
// postings built from Buckets read in the same order as the rule.
func (b Buckets) bucketAccounts() [4]struct {
	base   string
	amount Money
} {
	return [4]struct {
		base   string
		amount Money
	}{
		{ReceivablePenalty, b.Penalty},
		{ReceivableFee, b.Fee},
		{ReceivableInterest, b.Interest},
		{ReceivablePrincipal, b.Principal},
	}
}
