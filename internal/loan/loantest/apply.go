package loantest

import (
	"context"
	"testing"

	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
	"creditpocket/internal/loan"
)

// applicationRows builds what the loan engine writes beside an
// application's loan: its payout when it is paying out, and a message.
func applicationRows(r *loan.Record) loan.ApplicationRows {
	var w loan.ApplicationRows
	if r.Status == loan.StatusDisbursing {
		w.Payout = &loan.Payment{Reference: "DSB_" + r.ID.String() + "_0", LoanID: r.ID, UserID: r.UserID, Kind: loan.PayDisbursement,
			Amount: r.Pricing.Disbursed, Status: loan.PayPending, CreatedAt: T0, UpdatedAt: T0}
		w.PayoutEvent = &loan.PayoutEvent{LoanID: r.ID, Reference: w.Payout.Reference, Event: loan.PayoutSent, At: T0}
	}
	w.Message = inbox.Message{UserID: r.UserID, Kind: inbox.KindLoan, Title: "Loan " + r.ID.String(), CreatedAt: T0}
	return w
}

// applied is user's application as the engine hands it to
// InsertApplication: approved, being disbursed, and without an id.
func applied(t *testing.T, user int64) *loan.Record {
	t.Helper()
	r := application(t, user)
	r.ID = 0
	return r
}

// refused is user's application refused by the risk engine, not stored.
func refused(t *testing.T, user int64) *loan.Record {
	t.Helper()
	r := applied(t, user)
	r.Status = loan.StatusRiskRejected
	return r
}

func applications(t *testing.T, s loan.Store) {
	const u = 1
	first := applied(t, u)
	t.Run("an application is stored with its payout and its id", func(t *testing.T) {
		if err := s.InsertApplication(ctx, first, applicationRows); err != nil {
			t.Fatal(err)
		}
		if first.ID == 0 {
			t.Fatal("the application's loan got no id")
		}
		view(t, s, func(ctx context.Context, tx loan.Tx) error {
			got, err := tx.Loan(ctx, first.ID)
			if err != nil || got.Status != loan.StatusDisbursing || got.UserID != u {
				t.Errorf("stored loan = %+v, %v", got, err)
			}
			pays, err := tx.LoanPayments(ctx, first.ID)
			if err != nil || len(pays) != 1 || pays[0].Reference != "DSB_"+first.ID.String()+"_0" || pays[0].Kind != loan.PayDisbursement {
				t.Errorf("payments = %+v, %v; want the payout", pays, err)
			}
			evs, err := tx.PayoutEvents(ctx, first.ID)
			if err != nil || len(evs) != 1 || evs[0].Event != loan.PayoutSent {
				t.Errorf("payout events = %+v, %v; want one sent", evs, err)
			}
			return nil
		})
	})
	t.Run("a second unfinished application of the borrower is a conflict and stores nothing", func(t *testing.T) {
		second := applied(t, u)
		before := second.ID
		if err := s.InsertApplication(ctx, second, applicationRows); !errs.Is(err, errs.Conflict) {
			t.Fatalf("second application: %v; want a conflict", err)
		}
		if second.ID != before {
			t.Errorf("a refused write set the id %q", second.ID)
		}
		view(t, s, func(ctx context.Context, tx loan.Tx) error {
			if h, err := tx.History(ctx, u); err != nil || h.Unfinished != 1 {
				t.Errorf("history = %+v, %v; want one unfinished loan", h, err)
			}
			return nil
		})
	})
	t.Run("a refused application is a conflict while the borrower holds an unfinished loan", func(t *testing.T) {
		if err := s.InsertApplication(ctx, refused(t, u), applicationRows); !errs.Is(err, errs.Conflict) {
			t.Fatalf("refused application: %v; want a conflict", err)
		}
	})
	t.Run("a refused application of a borrower without an unfinished loan is stored", func(t *testing.T) {
		const other = 2
		r := refused(t, other)
		if err := s.InsertApplication(ctx, r, applicationRows); err != nil {
			t.Fatal(err)
		}
		view(t, s, func(ctx context.Context, tx loan.Tx) error {
			got, err := tx.Loan(ctx, r.ID)
			if err != nil || got.Status != loan.StatusRiskRejected {
				t.Errorf("stored loan = %+v, %v", got, err)
			}
			if pays, err := tx.LoanPayments(ctx, r.ID); err != nil || len(pays) != 0 {
				t.Errorf("payments = %+v, %v; want none", pays, err)
			}
			return nil
		})
	})
}

func readApplication(t *testing.T, s loan.Store) {
	p := loan.DemoProducts()[0]
	tx(t, s, func(ctx context.Context, tx loan.Tx) error { return tx.SaveProduct(ctx, p) })
	const u, other = 1, 2
	disbursed(t, s, u)
	tx(t, s, func(ctx context.Context, tx loan.Tx) error {
		return tx.InsertLoan(ctx, refused(t, u))
	})
	read := func(t *testing.T, user int64) *loan.ApplicationFacts {
		t.Helper()
		var f *loan.ApplicationFacts
		err := s.Read(ctx, func(ctx context.Context, tx loan.Tx) error {
			var err error
			f, err = tx.ReadApplication(ctx, p.ID, user)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	t.Run("the product and the history are those read apart", func(t *testing.T) {
		for _, user := range []int64{u, other} {
			f := read(t, user)
			var want loan.History
			view(t, s, func(ctx context.Context, tx loan.Tx) error {
				var err error
				want, err = tx.History(ctx, user)
				return err
			})
			if f.Product.ID != p.ID || f.Product.Name != p.Name || f.Product.Principal != p.Principal || f.History != want {
				t.Errorf("borrower %d: read %+v; want product %s and history %+v", user, f, p.ID, want)
			}
		}
	})
	t.Run("an unknown product is not found", func(t *testing.T) {
		err := s.Read(ctx, func(ctx context.Context, tx loan.Tx) error {
			_, err := tx.ReadApplication(ctx, "no-such-product", u)
			return err
		})
		if !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown product: %v; want not found", err)
		}
	})
	t.Run("an id drawn ahead is drawn once per read and names the loan stored", func(t *testing.T) {
		first, second := read(t, u), read(t, other)
		if first.LoanID == 0 {
			return // this store's insert assigns the id
		}
		if second.LoanID != first.LoanID+1 {
			t.Fatalf("ids drawn %d then %d; want consecutive numbers (one per read, whatever the rows)", first.LoanID, second.LoanID)
		}
		r := applied(t, other)
		r.ID = second.LoanID
		if err := s.InsertApplication(ctx, r, applicationRows); err != nil {
			t.Fatal(err)
		}
		if r.ID != second.LoanID {
			t.Errorf("stored under id %q; want the id drawn, %q", r.ID, second.LoanID)
		}
	})
}
