// Package loan holds creditpocket's lending rules: products and their
// pricing, the loan lifecycle as an explicit state machine, eligibility,
// repayment allocation, close-of-business overdue accrual and extensions.
// It is pure Go: no SQL, no HTTP, no clock — callers pass "now" and the
// business date in. Every money movement is handed to internal/ledger's
// builders, so postings are written in one place; the arrow points
// loan → ledger only. Service runs applications, manual decisions and the
// reads; the engine's other flows are packages of their own over the same
// Store: payout (payouts), repay (checkouts and payment outcomes) and cob
// (close of business).
//
// # Money and rates
//
// Amounts are ledger.Money, integer minor units. Rates are Rate, integer
// parts per million (ppm): 0.5 % a day is 5000. Every product of an amount
// and a rate goes through ledger.MulDiv, which multiplies in 128 bits and
// rounds half-up to the minor unit — the only rounding rule.
//
// # Pricing
//
//	interest      = MulDiv(balance, InterestRate × cycle, 1e6)
//	suffix mode:  suffixFee = serviceFee + interest, actualBalance = balance
//	prefix mode:  suffixFee = interest, actualBalance = balance − serviceFee
//	shouldbackFee = balance + suffixFee
//
// # The app's loan fields
//
// The app API (seed 003) shows loans with these fields; Loan carries them
// under domain names:
//
//	balance              Loan.Pricing.Principal
//	actualBalance        Loan.PaidOut            0 until disbursed
//	serviceFee           Loan.Pricing.ServiceFee
//	suffixFee            Loan.Pricing.FeesDue
//	shouldbackFee        Loan.Pricing.Due
//	actualbackAmt        Loan.Received           cash received: repayments, overpayments, extension payments
//	overdueFee           Loan.PenaltyCharged     penalty charged over the loan's life
//	overDays             Loan.OverDays
//	reduceAmt            always 0: waivers are not modelled yet
//	extensionStatus      Loan.ExtensionStatus()  0 never extended, 1 extended
//	status               Loan.Status             see Status
//	auditRiskStatus      Loan.AuditRiskStatus    see AuditRiskStatus
//	cycle                Loan.Pricing.Cycle
//	createdTime          Loan.AppliedAt
//	arriveTime           Loan.DisbursedAt
//	initialrepaymentTime Loan.InitialDueAt       due time before any extension
//	shouldbackTime       Loan.DueAt
//	lastbackTime         Loan.LastPaidAt
//
// The seed is not consistent about actualbackAmt (a loan still repaying
// shows the full shouldbackFee in it); creditpocket defines it as cash
// received, which ledger.Verify can check.
//
// # Lifecycle
//
// Status codes 6 (repaying), 8 (settled) and 31 (rejected by risk) are the
// seed's; the rest are defined in status.go. The transition table there is
// the whole lifecycle:
//
//	1 applied → 2 risk review → 4 approved | 31 rejected | 3 manual review
//	3 manual review → 4 approved | 32 rejected
//	4 approved → 5 disbursing → 6 repaying | 33 disbursement failed (→ 5 retry, → 11 cancel; package payout)
//	6 repaying, 9 extended → 8 settled | 7 overdue | 9 extended
//	7 overdue → 8 settled | 9 extended | 10 written off
//	1–4, 33 → 11 cancelled
//
// Loan methods that move money (Disburse, Repay, CloseOfBusiness, Extend,
// WriteOff, Refund) return the ledger transactions to store with the loan;
// Fire handles the events that move none.
//
// The seed's record for product 303 (balance 3000000, shouldbackFee 2950000)
// owes less than it lent and fits no pricing rule, so it is not reproduced.
package loan
