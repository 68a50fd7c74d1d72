package risk

// Source names who asked for a decision; it is stored with the decision
// and tells the console and the feedback loop where it came from.
type Source string

const (
	// SourcePartnerAPI is a decision a partner asked for over the open
	// API (POST /credit/fraud/v1); its partner id is stored with it.
	SourcePartnerAPI Source = "api"
	// SourceLoanApply is a decision the loan engine made in-process for a
	// borrower's application.
	SourceLoanApply Source = "loan"
)
