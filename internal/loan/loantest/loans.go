package loantest

import (
	"context"
	"creditpocket/internal/errs"
	"creditpocket/internal/loan"
	"creditpocket/internal/page"
	"math"
	"testing"
	"time"
)

func roundTrip(t *testing.T, s loan.Store) {
	const u, other = 1, 2
	r := disbursed(t, s, u)
	var got *loan.Record
	view(t, s, func(ctx context.Context, tx loan.Tx) error {
		var err error
		got, err = tx.UserLoan(ctx, u, r.ID)
		return err
	})
	if got.Status != loan.StatusRepaying || got.Outstanding != r.Outstanding || got.Pricing.Due != 850000 ||
		got.DueDate != r.DueDate || len(got.Photos) != 2 || got.Product.ID != "301" || got.Version != 1 ||
		got.UserID != 1 || got.Card != r.Card || !got.DisbursedAt.Equal(T0) || got.PaidOut != r.PaidOut {
		t.Fatalf("round trip: got %+v", got)
	}

	t.Run("a second unfinished loan is a conflict", func(t *testing.T) {
		err := s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error { return tx.InsertLoan(ctx, application(t, u)) })
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("second unfinished loan: %v", err)
		}
	})
	t.Run("a stale version is a conflict", func(t *testing.T) {
		stale := *got
		stale.Version = 0
		err := s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error { return tx.UpdateLoan(ctx, &stale) })
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("stale update: %v", err)
		}
	})
	t.Run("another borrower cannot read it", func(t *testing.T) {
		err := s.View(ctx, func(ctx context.Context, tx loan.Tx) error { _, err := tx.UserLoan(ctx, other, r.ID); return err })
		if !errs.Is(err, errs.NotFound) {
			t.Fatalf("other borrower: %v", err)
		}
	})
	t.Run("history and paging see it", func(t *testing.T) {
		view(t, s, func(ctx context.Context, tx loan.Tx) error {
			h, err := tx.History(ctx, u)
			if err != nil || h.Unfinished != 1 {
				t.Errorf("history = %+v, %v", h, err)
			}
			res, err := tx.UserLoans(ctx, u, page.Request{Num: 1, Size: 10})
			if err != nil || res.Total != 1 || len(res.Items) != 1 {
				t.Errorf("page = %+v, %v", res, err)
			}
			ids, err := tx.OwingDueBefore(ctx, r.DueDate.AddDays(1), 0, 10)
			if err != nil || len(ids) != 1 {
				t.Errorf("owing due = %v, %v", ids, err)
			}
			latest, err := tx.LatestLoan(ctx, u, true)
			if err != nil || latest.ID != r.ID {
				t.Errorf("latest unfinished loan = %+v, %v", latest, err)
			}
			if _, err := tx.LatestLoan(ctx, other, false); !errs.Is(err, errs.NotFound) {
				t.Errorf("latest loan of a borrower without loans: %v; want not found", err)
			}
			rec, err := tx.RecentDisbursed(ctx, 5)
			if err != nil || len(rec) != 1 || rec[0].ID != r.ID {
				t.Errorf("recently disbursed = %v, %v", rec, err)
			}
			byStatus, err := tx.LoansByStatus(ctx, loan.StatusRepaying, page.Request{Num: 1, Size: 10})
			if err != nil || byStatus.Total != 1 {
				t.Errorf("loans repaying = %+v, %v", byStatus, err)
			}
			return nil
		})
	})
	t.Run("the borrower can be locked in a transaction", func(t *testing.T) {
		tx(t, s, func(ctx context.Context, tx loan.Tx) error { return tx.LockBorrower(ctx, u) })
	})
}

func finishedFreesBorrower(t *testing.T, s loan.Store) {
	const u = 1
	first := application(t, u)
	second := application(t, u)
	tx(t, s, func(ctx context.Context, tx loan.Tx) error {
		if err := tx.InsertLoan(ctx, first); err != nil {
			return err
		}
		first.Status = loan.StatusCancelled
		if !first.Status.Finished() {
			t.Fatalf("status %v is not finished", first.Status)
		}
		if err := tx.UpdateLoan(ctx, first); err != nil {
			return err
		}
		return tx.InsertLoan(ctx, second)
	})
	view(t, s, func(ctx context.Context, tx loan.Tx) error {
		h, err := tx.History(ctx, u)
		if err != nil || h.Unfinished != 1 {
			t.Errorf("history = %+v, %v; want one unfinished loan", h, err)
		}
		latest, err := tx.LatestLoan(ctx, u, false)
		if err != nil || latest.ID != second.ID {
			t.Errorf("latest loan = %+v, %v; want the second", latest, err)
		}
		res, err := tx.UserLoans(ctx, u, page.Request{Num: 1, Size: 1})
		if err != nil || res.Total != 2 || len(res.Items) != 1 || res.Items[0].ID != second.ID {
			t.Errorf("first page of one = %+v, %v; want the newest of two", res, err)
		}
		res, err = tx.UserLoans(ctx, u, page.Request{Num: 3, Size: 1})
		if err != nil || res.Total != 2 || len(res.Items) != 0 {
			t.Errorf("page past the end = %+v, %v", res, err)
		}
		return nil
	})
	t.Run("reopening the finished one is a conflict", func(t *testing.T) {
		err := s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error {
			r, err := tx.LoanForUpdate(ctx, first.ID)
			if err != nil {
				return err
			}
			r.Status = loan.StatusRepaying
			return tx.UpdateLoan(ctx, r)
		})
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("a second unfinished loan by update: %v", err)
		}
	})
}

func accruals(t *testing.T, s loan.Store) {
	r := disbursed(t, s, 1)
	business := r.DueDate.AddDays(2)
	tx(t, s, func(ctx context.Context, tx loan.Tx) error {
		rs, err := tx.LoansForUpdate(ctx, []loan.ID{r.ID})
		if err != nil || len(rs) != 1 {
			t.Fatalf("loans for update = %v, %v", rs, err)
		}
		rs[0].Status, rs[0].OverDays, rs[0].AccruedThrough = loan.StatusOverdue, 2, business
		rs[0].Outstanding.Penalty, rs[0].PenaltyCharged, rs[0].UpdatedAt = 1234, 1234, T0.Add(time.Hour)
		rs[0].RiskReason = "not an accrual field"
		if err := tx.SaveAccruals(ctx, rs); err != nil {
			return err
		}
		if rs[0].Version != r.Version+1 {
			t.Errorf("version after saving = %d; want %d", rs[0].Version, r.Version+1)
		}
		return nil
	})
	view(t, s, func(ctx context.Context, tx loan.Tx) error {
		got, err := tx.Loan(ctx, r.ID)
		if err != nil {
			return err
		}
		if got.Status != loan.StatusOverdue || got.OverDays != 2 || got.AccruedThrough != business ||
			got.Outstanding.Penalty != 1234 || got.PenaltyCharged != 1234 || !got.UpdatedAt.Equal(T0.Add(time.Hour)) ||
			got.Version != r.Version+1 || got.RiskReason != r.RiskReason || got.Outstanding.Principal != r.Outstanding.Principal {
			t.Errorf("after close of business: %+v", got)
		}
		ids, err := tx.OwingDueBefore(ctx, business, 0, 10)
		if err != nil || len(ids) != 0 {
			t.Errorf("owing due before the date accrued through = %v, %v; want none", ids, err)
		}
		return nil
	})
	err := s.Tx(ctx, func(ctx context.Context, tx loan.Tx) error { return tx.SaveAccruals(ctx, []*loan.Record{r}) })
	if !errs.Is(err, errs.Conflict) {
		t.Fatalf("saving accruals over a stale version: %v; want a conflict", err)
	}
}

func lookups(t *testing.T, s loan.Store) {
	a, b := disbursed(t, s, 1), disbursed(t, s, 2)
	tx(t, s, func(ctx context.Context, tx loan.Tx) error {
		for _, id := range []loan.ID{0, -1, 999999, math.MinInt64} {
			if _, err := tx.Loan(ctx, id); !errs.Is(err, errs.NotFound) {
				t.Errorf("loan %d: %v; want not found", id, err)
			}
		}
		rs, err := tx.LoansForUpdate(ctx, []loan.ID{b.ID, -1, 999999, a.ID})
		if err != nil || len(rs) != 2 || rs[0].ID != a.ID || rs[1].ID != b.ID {
			t.Errorf("loans for update = %v, %v; want %s and %s in id order", rs, err, a.ID, b.ID)
		}
		if rs, err := tx.LoansForUpdate(ctx, nil); err != nil || len(rs) != 0 {
			t.Errorf("no loans for update = %v, %v", rs, err)
		}
		got, err := tx.LoanForUpdate(ctx, b.ID)
		if err != nil || got.UserID != 2 {
			t.Errorf("loan for update = %+v, %v", got, err)
		}
		if _, err := tx.LoanForUpdate(ctx, 999999); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown loan for update: %v; want not found", err)
		}
		return nil
	})
}

func owingDueBefore(t *testing.T, s loan.Store) {
	var ids []loan.ID
	for u := int64(1); u <= Borrowers; u++ {
		ids = append(ids, disbursed(t, s, u).ID)
	}
	var due loan.Date
	view(t, s, func(ctx context.Context, tx loan.Tx) error {
		r, err := tx.Loan(ctx, ids[0])
		due = r.DueDate
		return err
	})
	view(t, s, func(ctx context.Context, tx loan.Tx) error {
		if got, err := tx.OwingDueBefore(ctx, due, 0, 10); err != nil || len(got) != 0 {
			t.Errorf("owing due before the due date = %v, %v; want none", got, err)
		}
		first, err := tx.OwingDueBefore(ctx, due.AddDays(1), 0, 2)
		if err != nil || len(first) != 2 || first[0] != ids[0] || first[1] != ids[1] {
			t.Errorf("first page = %v, %v; want %v", first, err, ids[:2])
		}
		last := first[len(first)-1]
		rest, err := tx.OwingDueBefore(ctx, due.AddDays(1), last, 2)
		if err != nil || len(rest) != 1 || rest[0] != ids[2] {
			t.Errorf("second page = %v, %v; want %v", rest, err, ids[2:])
		}
		return nil
	})
}
