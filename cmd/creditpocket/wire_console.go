package main

import (
	"context"
	"html/template"
	"time"

	"creditpocket/internal/account"
	"creditpocket/internal/blob"
	"creditpocket/internal/bookstats"
	"creditpocket/internal/console"
	"creditpocket/internal/console/manage"
	"creditpocket/internal/creditreport"
	"creditpocket/internal/inbox"
	"creditpocket/internal/kyc"
	"creditpocket/internal/loan"
	"creditpocket/internal/page"
	"creditpocket/internal/risk"
	"creditpocket/internal/staff"
	"creditpocket/internal/store"
	"creditpocket/internal/store/accountdb"
	"creditpocket/internal/store/kycdb"
	"creditpocket/internal/store/loandb"
	"creditpocket/internal/store/riskdb"
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
		Staff: newStaffService(a.DB, v, hasher, opt.Now),
		Loans: a.Loans,
		KYC:   a.KYC,
		Reads: consoleReads{db: a.DB, loanDB: loandb.New(a.DB), accounts: accounts, loans: a.Loans, risk: a.RiskStore, photos: blob.Photos{Store: a.Blobs, Vault: v}},
		Sections: []console.Section{manage.Section(manage.Deps{ // risk, products, partners
			Risk: consoleRisk{engine: a.Risk, store: a.RiskStore}, Products: a.Loans, Partners: a.Partners, Location: loc})},
		Payouts:       a.Loans,
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

// consoleReads gathers the console's read-only look-ups from the store
// and the services.
type consoleReads struct {
	db       *store.DB
	loanDB   *loandb.Store
	accounts *account.Service
	loans    *loan.Service
	risk     *riskdb.Store
	photos   blob.Photos
}

var _ console.Reads = consoleReads{}

func (r consoleReads) SearchLoans(ctx context.Context, q console.LoanSearch, p page.Request) (page.Result[loan.Record], error) {
	return r.loanDB.SearchLoans(ctx, loandb.LoanSearch(q), p)
}

func (r consoleReads) Loan(ctx context.Context, id loan.ID) (*loan.Record, error) {
	return r.loans.AnyLoan(ctx, id)
}

func (r consoleReads) LoanLedger(ctx context.Context, loanID loan.ID) ([]console.LedgerEntry, error) {
	es, err := r.loanDB.LoanLedger(ctx, loanID)
	out := make([]console.LedgerEntry, len(es))
	for i, e := range es {
		out[i] = console.LedgerEntry(e)
	}
	return out, err
}

func (r consoleReads) LoanPayments(ctx context.Context, loanID loan.ID) ([]loan.Payment, error) {
	return r.loanDB.LoanPayments(ctx, loanID)
}

func (r consoleReads) LoanPhoto(ctx context.Context, l *loan.Record, key string) ([]byte, error) {
	return r.photos.Photo(ctx, l.UserID, key)
}

func (r consoleReads) BorrowerMessages(ctx context.Context, userID int64, since time.Time, limit int) ([]inbox.Message, error) {
	return accountdb.New(r.db).BorrowerMessages(ctx, userID, since, limit)
}

func (r consoleReads) BorrowerByMobile(ctx context.Context, mobile string) (int64, error) {
	return accountdb.New(r.db).BorrowerByMobile(ctx, mobile)
}

func (r consoleReads) Borrower(ctx context.Context, userID int64) (*account.Overview, error) {
	return r.accounts.Overview(ctx, userID)
}

func (r consoleReads) BorrowerCards(ctx context.Context, userID int64) ([]account.BankCard, error) {
	res, err := r.accounts.Cards(ctx, userID, page.Request{Num: 1, Size: page.MaxSize})
	return res.Items, err
}

func (r consoleReads) BorrowerLoans(ctx context.Context, userID int64) ([]loan.Record, error) {
	res, err := r.loans.Loans(ctx, userID, page.Request{Num: 1, Size: page.MaxSize})
	return res.Items, err
}

func (r consoleReads) KYC(ctx context.Context, id int64) (*console.KYCFile, error) {
	f := &console.KYCFile{}
	err := kycdb.New(r.db).View(ctx, func(ctx context.Context, tx kyc.Tx) error {
		var err error
		if f.Submission, err = tx.SubmissionByID(ctx, id); err != nil {
			return err
		}
		if f.Documents, err = tx.Documents(ctx, id); err != nil {
			return err
		}
		f.Views, err = tx.DocumentViews(ctx, id)
		return err
	})
	return f, err
}

func (r consoleReads) BorrowerCreditReport(ctx context.Context, userID int64) (*account.CreditReport, error) {
	return r.accounts.LatestCreditReport(ctx, userID)
}

func (r consoleReads) OpenCreditReport(ctx context.Context, userID int64) (*account.CreditReport, *creditreport.Report, error) {
	return r.accounts.OpenCreditReport(ctx, userID)
}

func (r consoleReads) RiskDecision(ctx context.Context, sequenceID string) (*risk.Record, error) {
	return r.risk.Decision(ctx, sequenceID)
}
