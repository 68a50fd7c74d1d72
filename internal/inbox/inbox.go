// Package inbox is the borrower's message centre: every notable event
// (sign-up, a card added, a loan decided or disbursed, a payment received,
// an overdue notice) leaves a message the app lists with GET /message/page.
package inbox

import "time"

// Kinds of message.
const (
	KindAccount = "account"
	KindCard    = "card"
	KindLoan    = "loan"
	KindPayment = "payment"
)

// Message is one entry in a borrower's message centre.
type Message struct {
	ID        int64
	UserID    int64
	Kind      string
	Title     string
	Content   string
	Read      bool
	CreatedAt time.Time
}
