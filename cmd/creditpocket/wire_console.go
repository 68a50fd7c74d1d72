package main

import (
	"html/template"
	"time"

	"creditpocket/internal/account"
	"creditpocket/internal/blob"
	"creditpocket/internal/bookstats"
	"creditpocket/internal/console"
	"creditpocket/internal/console/manage"
	"creditpocket/internal/staff"
	"creditpocket/internal/store"
	"creditpocket/internal/store/accountdb"
	"creditpocket/internal/store/loandb"
	"creditpocket/internal/store/staffdb"
	"creditpocket/internal/vault"
)

// newStaffService builds the staff service on db (the server and the
// staff CLI share it).
func newStaffService(db *store.DB, v *vault.Vault, hasher account.PasswordHasher, now func() time.Time) *staff.Service {
	return &staff.Service{Store: staffdb.New(db), Hasher: hasher, Vault: v, Config: staff.DefaultConfig(), Now: now}
}

// wireConsole builds the operator console (/console/). It runs after
// wireLoans, wireRisk and wireKYC, whose services it uses.
func (a *App) wireConsole(v *vault.Vault, accounts *account.Service, hasher account.PasswordHasher, loc *time.Location, opt Options) (*console.Console, error) {
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	return console.New(console.Deps{
		Staff:           newStaffService(a.DB, v, hasher, opt.Now),
		Loans:           a.Loans,
		LoanRecords:     loandb.New(a.DB),
		Borrowers:       accounts,
		BorrowerRecords: accountdb.New(a.DB),
		KYC:             a.KYC,
		Decisions:       a.RiskStore,
		Photos:          blob.Photos{Store: a.Blobs, Vault: v},
		Sections: []console.Section{manage.Section(manage.Deps{ // risk, products, partners
			Risk: consoleRisk{engine: a.Risk, store: a.RiskStore}, Products: a.Loans, Partners: a.Partners, Location: loc})},
		Payouts:       a.Payouts,
		StuckAfter:    a.Config.Payouts.StuckAfter,
		Stats:         loandb.New(a.DB),
		Charts:        charts,
		Location:      loc,
		SecureCookies: a.Config.ConsoleSecureCookies,
		Log:           a.Log,
		Now:           now,
	})
}

// charts adapts bookstats' charts to the console's: the SVG is markup
// bookstats generated with every text escaped.
func charts(b *bookstats.Book) []console.Chart {
	cs := bookstats.Render(b)
	out := make([]console.Chart, len(cs))
	for i, c := range cs {
		out[i] = console.Chart{ID: c.ID, Title: c.Title, Caption: c.Caption, SVG: template.HTML(c.SVG)} // generated, with text escaped, by bookstats
	}
	return out
}
