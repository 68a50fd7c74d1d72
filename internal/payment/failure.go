package payment

import (
	"slices"
	"strings"
)

// Failure codes a provider reports with a failed payout (the webhook's
// data.failure_code). Whether a code is worth retrying is part of the
// provider contract: the loan engine retries a failed payout on its own
// only when Retriable says so, and otherwise waits for an operator.
const (
	// Not retriable: the destination is wrong, and sending again cannot
	// help until someone acts.
	FailInvalidAccount = "invalid_account" // no such account, or the name does not match
	FailAccountClosed  = "account_closed"
	FailInvalidRequest = "invalid_request" // the provider refused the request itself
	// Retriable: the provider's side failed for now.
	FailTimeout         = "timeout"
	FailProviderBalance = "insufficient_provider_balance" // the lender's balance at the provider is short
	FailProviderError   = "provider_error"
)

var retriableFailures = []string{FailTimeout, FailProviderBalance, FailProviderError}

// FailureCodes lists every code, retriable ones first.
func FailureCodes() []string {
	return append(slices.Clone(retriableFailures), FailInvalidAccount, FailAccountClosed, FailInvalidRequest)
}

// Retriable reports whether a payout that failed with code may be sent
// again automatically. An empty code (a provider that gives none) is
// retriable, since retries are bounded; a code this contract does not
// know is not: an operator looks at it first.
func Retriable(code string) bool {
	code = strings.TrimSpace(code)
	return code == "" || slices.Contains(retriableFailures, code)
}
