package loanmem

import (
	"cmp"
	"context"
	"slices"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
	"creditpocket/internal/loan"
	"creditpocket/internal/page"
)

func (t *tx) Products(_ context.Context, onSaleOnly bool) ([]loan.Product, error) {
	var out []loan.Product
	for _, p := range t.d.products {
		if p.OnSale || !onSaleOnly {
			out = append(out, p)
		}
	}
	return out, nil
}

func (t *tx) Product(_ context.Context, id string) (*loan.Product, error) {
	for _, p := range t.d.products {
		if p.ID == id {
			return &p, nil
		}
	}
	return nil, errs.E(errs.NotFound, "product not found")
}

// SaveProduct keeps a known product's place and puts a new one last.
func (t *tx) SaveProduct(_ context.Context, p loan.Product) error {
	for i := range t.d.products {
		if t.d.products[i].ID == p.ID {
			t.d.products[i] = p
			return nil
		}
	}
	t.d.products = append(t.d.products, p)
	return nil
}

func (t *tx) History(_ context.Context, userID int64) (loan.History, error) {
	var past []loan.PastLoan
	for _, r := range t.d.loans {
		if r.UserID == userID {
			past = append(past, loan.PastLoan{Status: r.Status, Disbursed: !r.DisbursedAt.IsZero(), OverDays: r.OverDays})
		}
	}
	return loan.HistoryOf(past...), nil
}

// ReadApplication draws no id ahead: the insert assigns it.
func (t *tx) ReadApplication(ctx context.Context, id string, userID int64) (*loan.ApplicationFacts, error) {
	p, err := t.Product(ctx, id)
	if err != nil {
		return nil, err
	}
	h, err := t.History(ctx, userID)
	return &loan.ApplicationFacts{Product: *p, History: h}, err
}

// LockBorrower does nothing: transactions run one at a time.
func (t *tx) LockBorrower(context.Context, int64) error { return nil }

// keep is r as the store keeps it: times in milliseconds, its own copy of
// the photos.
func keep(r loan.Record) loan.Record {
	for _, at := range []*time.Time{&r.AppliedAt, &r.DecidedAt, &r.DisbursedAt, &r.InitialDueAt, &r.DueAt,
		&r.LastPaidAt, &r.ClosedAt, &r.UpdatedAt, &r.AuditUserAt, &r.DeviceConsentAt} {
		*at = stored(*at)
	}
	r.Photos = slices.Clone(r.Photos)
	if len(r.Photos) == 0 {
		r.Photos = nil
	}
	r.Pricing.DueAt = r.AppliedAt.AddDate(0, 0, r.Pricing.Cycle)
	return r
}

// out is a stored record as a reader gets it: its own copy.
func out(r loan.Record) *loan.Record {
	r.Photos = slices.Clone(r.Photos)
	return &r
}

// unfinishedOf is the id of userID's unfinished loan other than except, or 0.
func (t *tx) unfinishedOf(userID, except int64) int64 {
	for id, r := range t.d.loans {
		if id != except && r.UserID == userID && !r.Status.Finished() {
			return id
		}
	}
	return 0
}

func (t *tx) InsertLoan(_ context.Context, r *loan.Record) error {
	if !r.Status.Finished() && t.unfinishedOf(r.UserID, 0) != 0 {
		return errs.E(errs.Conflict, "already exists")
	}
	t.d.lastLoan++
	id := t.d.lastLoan
	r.ID, r.Version = loan.ID(id), 0
	k := keep(*r)
	t.d.loans[id] = k
	return nil
}

func (t *tx) UpdateLoan(_ context.Context, r *loan.Record) error {
	id, err := parseID(r.ID)
	if err != nil {
		return err
	}
	old, ok := t.d.loans[id]
	if !ok || old.Version != r.Version {
		return errs.E(errs.Conflict, "loan %s changed meanwhile; try again", r.ID)
	}
	if !r.Status.Finished() && t.unfinishedOf(r.UserID, id) != 0 {
		return errs.E(errs.Conflict, "already exists")
	}
	k := keep(*r)
	k.Version++
	t.d.loans[id] = k
	r.Version++
	return nil
}

func (t *tx) loan(id loan.ID, match func(loan.Record) bool) (*loan.Record, error) {
	n, err := parseID(id)
	if err != nil {
		return nil, err
	}
	r, ok := t.d.loans[n]
	if !ok || !match(r) {
		return nil, errs.E(errs.NotFound, "loan not found")
	}
	return out(r), nil
}

func anyLoan(loan.Record) bool { return true }

func (t *tx) LoanForUpdate(_ context.Context, id loan.ID) (*loan.Record, error) {
	return t.loan(id, anyLoan)
}

func (t *tx) Loan(_ context.Context, id loan.ID) (*loan.Record, error) { return t.loan(id, anyLoan) }

func (t *tx) UserLoan(_ context.Context, userID int64, id loan.ID) (*loan.Record, error) {
	return t.loan(id, func(r loan.Record) bool { return r.UserID == userID })
}

func (t *tx) LatestLoan(_ context.Context, userID int64, unfinishedOnly bool) (*loan.Record, error) {
	var best int64
	for id, r := range t.d.loans {
		if r.UserID == userID && id > best && (!unfinishedOnly || !r.Status.Finished()) {
			best = id
		}
	}
	if best == 0 {
		return nil, errs.E(errs.NotFound, "loan not found")
	}
	return out(t.d.loans[best]), nil
}

// sorted lists the stored loans that match, ordered by cmp.
func (t *tx) sorted(match func(loan.Record) bool, order func(a, b loan.Record) int) []loan.Record {
	var rs []loan.Record
	for _, r := range t.d.loans {
		if match(r) {
			rs = append(rs, *out(r))
		}
	}
	slices.SortFunc(rs, order)
	return rs
}

func idOf(r loan.Record) int64 { return int64(r.ID) }

func byIDNumber(a, b loan.Record) int { return cmp.Compare(idOf(a), idOf(b)) }

func paged[T any](all []T, p page.Request) page.Result[T] {
	res := page.Result[T]{Total: int64(len(all))}
	from := min(max(p.Offset(), 0), len(all))
	res.Items = all[from:min(from+max(p.Limit(), 0), len(all))]
	return res
}

func (t *tx) UserLoans(_ context.Context, userID int64, p page.Request) (page.Result[loan.Record], error) {
	rs := t.sorted(func(r loan.Record) bool { return r.UserID == userID }, func(a, b loan.Record) int { return byIDNumber(b, a) })
	return paged(rs, p), nil
}

func (t *tx) LoansByStatus(_ context.Context, status loan.Status, p page.Request) (page.Result[loan.Record], error) {
	return paged(t.sorted(func(r loan.Record) bool { return r.Status == status }, byIDNumber), p), nil
}

func (t *tx) RecentDisbursed(_ context.Context, limit int) ([]loan.Record, error) {
	rs := t.sorted(func(r loan.Record) bool { return !r.DisbursedAt.IsZero() }, func(a, b loan.Record) int {
		if c := b.DisbursedAt.Compare(a.DisbursedAt); c != 0 {
			return c
		}
		return byIDNumber(b, a)
	})
	return rs[:min(limit, len(rs))], nil
}

// OwingDueBefore compares dates as the database does, as YYYY-MM-DD text:
// an unset date is the empty text, before every date.
func (t *tx) OwingDueBefore(_ context.Context, business loan.Date, afterID loan.ID, limit int) ([]loan.ID, error) {
	d := business.String()
	rs := t.sorted(func(r loan.Record) bool {
		return (r.Status == loan.StatusRepaying || r.Status == loan.StatusOverdue || r.Status == loan.StatusExtended) &&
			idOf(r) > int64(afterID) && r.DueDate.String() < d && r.AccruedThrough.String() < d
	}, byIDNumber)
	ids := make([]loan.ID, 0, min(limit, len(rs)))
	for _, r := range rs[:min(limit, len(rs))] {
		ids = append(ids, r.ID)
	}
	return ids, nil
}

func (t *tx) LoansForUpdate(_ context.Context, ids []loan.ID) ([]*loan.Record, error) {
	want := map[int64]bool{}
	for _, id := range ids {
		if n, err := parseID(id); err == nil {
			want[n] = true
		}
	}
	rs := t.sorted(func(r loan.Record) bool { return want[idOf(r)] }, byIDNumber)
	outs := make([]*loan.Record, len(rs))
	for i := range rs {
		outs[i] = &rs[i]
	}
	if len(outs) == 0 {
		return nil, nil
	}
	return outs, nil
}

// SaveAccruals writes only close of business's fields, as the database
// store does.
func (t *tx) SaveAccruals(_ context.Context, rs []*loan.Record) error {
	stale := 0
	for _, r := range rs {
		n, err := parseID(r.ID)
		if err != nil {
			return err
		}
		if old, ok := t.d.loans[n]; !ok || old.Version != r.Version {
			stale++
		}
	}
	if stale > 0 {
		return errs.E(errs.Conflict, "%d of %d loans changed meanwhile; try again", stale, len(rs))
	}
	for _, r := range rs {
		n, _ := parseID(r.ID)
		k := t.d.loans[n]
		k.Status, k.OverDays, k.AccruedThrough = r.Status, r.OverDays, r.AccruedThrough
		k.Outstanding.Penalty, k.PenaltyCharged, k.UpdatedAt = r.Outstanding.Penalty, r.PenaltyCharged, stored(r.UpdatedAt)
		k.Version++
		t.d.loans[n] = k
		r.Version++
	}
	return nil
}

func (t *tx) AddMessage(_ context.Context, m *inbox.Message) error {
	t.d.lastMsg++
	m.ID = t.d.lastMsg
	c := *m
	c.CreatedAt = stored(c.CreatedAt)
	t.d.messages = append(t.d.messages, c)
	return nil
}

func (t *tx) AddMessages(ctx context.Context, ms []inbox.Message) error {
	for i := range ms {
		m := ms[i]
		if err := t.AddMessage(ctx, &m); err != nil {
			return err
		}
	}
	return nil
}
