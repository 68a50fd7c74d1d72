// Package ledger is creditpocket's double-entry book of account: every money
// movement of a loan (disbursement, fee, interest, penalty, repayment,
// overpayment, extension fee, write-off, refund) and of the lender (funding)
// is one balanced, append-only Transaction over a fixed chart of accounts.
//
// The package knows nothing of loan statuses, products or pricing; it only
// records results that the loan domain computed. The import arrow points one
// way: internal/loan imports internal/ledger (for Money, Buckets and the
// transaction builders), never the reverse. That keeps the ledger usable by a
// `creditpocket ledger verify` command that loads rows from a database and
// calls Verify without dragging in the lending rules.
//
// # Sign convention
//
// A Posting carries one signed Amount in minor units: debit is positive,
// credit is negative. A transaction balances when its amounts sum to zero.
// An account's signed balance is the sum of its postings; its natural
// balance (what a person reads) is the signed balance for debit-normal
// accounts and its negation for credit-normal ones.
//
// # Money
//
// Money is an int64 count of minor units (kobo for NGN). No floating point is
// used anywhere. The one rounding rule, used by MulDiv, is half-up on the
// magnitude (half away from zero): 0.5 rounds to 1, 0.49… to 0.
package ledger
