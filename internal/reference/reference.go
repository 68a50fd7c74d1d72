// Package reference holds the lender's dictionaries the app shows in
// pickers: banks, cities, income bands, and the support desk's phones,
// e-mail and hot questions. They are data, seeded with demo values and
// edited by operators; the borrower API only reads them.
package reference

import (
	"context"

	"creditpocket/internal/page"
)

// Bank is a bank borrowers can receive money at.
type Bank struct {
	Code    string // CBN code, e.g. "058"
	Name    string
	Country string // ISO 3166 alpha-2
	NUBAN   bool   // account numbers carry a NUBAN check digit
}

// City is an entry of the city dictionary.
type City struct {
	Code  string
	Name  string
	State string
}

// IncomeBand is a monthly income bracket in minor units; Max 0 is open.
type IncomeBand struct {
	Code  string
	Label string
	Min   int64
	Max   int64
}

// HotQuestion is a frequently asked question with its answer.
type HotQuestion struct {
	ID       int64
	Question string
	Answer   string
}

// SupportPhone is a customer-service line.
type SupportPhone struct {
	Phone string
	Label string
}

// Store reads the dictionaries.
type Store interface {
	Banks(ctx context.Context) ([]Bank, error)
	Cities(ctx context.Context, state string, p page.Request) (page.Result[City], error)
	IncomeBands(ctx context.Context) ([]IncomeBand, error)
	HotQuestions(ctx context.Context, p page.Request) (page.Result[HotQuestion], error)
	SupportPhones(ctx context.Context) ([]SupportPhone, error)
	Setting(ctx context.Context, key string) (string, error)
}

// SettingSupportEmail is the settings key of the support desk's e-mail.
const SettingSupportEmail = "support.email"

// Seed is the reference data a fresh database is given (the demo's
// dictionaries, or a test's); seeding only inserts missing rows.
type Seed struct {
	Banks         []Bank
	Cities        []City
	IncomeBands   []IncomeBand
	HotQuestions  []HotQuestion
	SupportPhones []SupportPhone
	Settings      map[string]string
}
