package loan

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
	"creditpocket/internal/ledger"
)

// memTx keeps what an application and its payout write, and counts the
// reads the application path makes. Methods the path does not use are
// left to the embedded interface (they would panic).
type memTx struct {
	Tx
	mu       sync.Mutex
	products map[string]Product
	past     []PastLoan // the borrower's earlier loans
	loans    map[ID]*Record
	payments map[string]*Payment
	events   []PayoutEvent
	retries  map[ID]time.Time
	messages []inbox.Message

	historyReads int
	idAtInsert   []ID  // each inserted loan's ID as the insert saw it
	insertErr    error // what InsertLoan fails with, when set
}

func newMemTx(products ...Product) *memTx {
	m := &memTx{products: map[string]Product{}, loans: map[ID]*Record{}, payments: map[string]*Payment{}, retries: map[ID]time.Time{}}
	for _, p := range products {
		m.products[p.ID] = p
	}
	return m
}

// memStore runs every transaction over one memTx, one at a time.
type memStore struct{ m *memTx }

func (s memStore) Tx(ctx context.Context, fn func(context.Context, Tx) error) error {
	return s.run(ctx, fn)
}
func (s memStore) View(ctx context.Context, fn func(context.Context, Tx) error) error {
	return s.run(ctx, fn)
}
func (s memStore) Read(ctx context.Context, fn func(context.Context, Tx) error) error {
	return s.run(ctx, fn)
}

func (s memStore) InsertApplication(ctx context.Context, r *Record, rows func(*Record) ApplicationRows) error {
	return s.Tx(ctx, func(ctx context.Context, tx Tx) error { return WriteApplication(ctx, tx, r, rows) })
}

func (s memStore) run(ctx context.Context, fn func(context.Context, Tx) error) error {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	return fn(ctx, s.m)
}

func (m *memTx) Product(_ context.Context, id string) (*Product, error) {
	p, ok := m.products[id]
	if !ok {
		return nil, errs.E(errs.NotFound, "no product %s", id)
	}
	return &p, nil
}

func (m *memTx) History(context.Context, int64) (History, error) {
	m.historyReads++
	return HistoryOf(m.past...), nil
}

func (m *memTx) ReadApplication(ctx context.Context, id string, userID int64) (*ApplicationFacts, error) {
	p, err := m.Product(ctx, id)
	if err != nil {
		return nil, err
	}
	h, err := m.History(ctx, userID)
	return &ApplicationFacts{Product: *p, History: h}, err
}

func (m *memTx) LockBorrower(context.Context, int64) error { return nil }

func (m *memTx) InsertLoan(_ context.Context, r *Record) error {
	m.idAtInsert = append(m.idAtInsert, r.ID)
	if m.insertErr != nil {
		return m.insertErr
	}
	r.ID, r.Version = ID(100+len(m.loans)), 0
	c := *r
	m.loans[r.ID] = &c
	return nil
}

func (m *memTx) LoanForUpdate(_ context.Context, id ID) (*Record, error) {
	r, ok := m.loans[id]
	if !ok {
		return nil, errs.E(errs.NotFound, "no loan %s", id)
	}
	c := *r
	return &c, nil
}

func (m *memTx) UpdateLoan(_ context.Context, r *Record) error {
	if m.loans[r.ID].Version != r.Version {
		return errs.E(errs.Conflict, "loan %s changed", r.ID)
	}
	r.Version++
	c := *r
	m.loans[r.ID] = &c
	return nil
}

func (m *memTx) InsertPayment(_ context.Context, p *Payment) error {
	c := *p
	m.payments[p.Reference] = &c
	return nil
}

func (m *memTx) PaymentForUpdate(_ context.Context, ref string) (*Payment, error) {
	p, ok := m.payments[ref]
	if !ok {
		return nil, errs.E(errs.NotFound, "no payment %s", ref)
	}
	c := *p
	return &c, nil
}

func (m *memTx) UpdatePayment(_ context.Context, p *Payment) error {
	c := *p
	m.payments[p.Reference] = &c
	return nil
}

func (m *memTx) AppendLedger(_ context.Context, txs []ledger.Transaction, _ time.Time) error {
	if len(txs) > 0 {
		return fmt.Errorf("memTx keeps no ledger")
	}
	return nil
}

func (m *memTx) AddPayoutEvent(_ context.Context, e *PayoutEvent) error {
	m.events = append(m.events, *e)
	return nil
}

func (m *memTx) SchedulePayoutRetry(_ context.Context, id ID, at time.Time) error {
	m.retries[id] = at
	return nil
}

func (m *memTx) TakePayoutRetry(_ context.Context, id ID, now time.Time) (bool, error) {
	at, ok := m.retries[id]
	if !ok || at.After(now) {
		return false, nil
	}
	delete(m.retries, id)
	return true, nil
}

func (m *memTx) ClearPayoutRetry(_ context.Context, id ID) error {
	delete(m.retries, id)
	return nil
}

func (m *memTx) DuePayoutRetries(_ context.Context, now time.Time, _ int) ([]ID, error) {
	var due []ID
	for id, at := range m.retries {
		if !at.After(now) {
			due = append(due, id)
		}
	}
	slices.Sort(due)
	return due, nil
}

func (m *memTx) StalePayments(_ context.Context, kind string, before time.Time, _ int) ([]Payment, error) {
	var out []Payment
	for _, p := range m.payments {
		if p.Kind == kind && p.Status == PayPending && !p.UpdatedAt.After(before) {
			out = append(out, *p)
		}
	}
	return out, nil
}

func (m *memTx) UserLoan(ctx context.Context, _ int64, id ID) (*Record, error) {
	return m.LoanForUpdate(ctx, id)
}

func (m *memTx) AddMessage(_ context.Context, msg *inbox.Message) error {
	m.messages = append(m.messages, *msg)
	return nil
}

func (m *memTx) eventNames() []string {
	var names []string
	for _, e := range m.events {
		names = append(names, e.Event)
	}
	return names
}

// applyBench is a Service over memTx with fakes that record what they
// were asked, in order.
type applyBench struct {
	svc   *Service
	store *memTx
	clock time.Time
	calls []string // "borrower", "photo", "decide"

	verdict Verdict
	decided []DecisionInput
	card    Card
	photos  int
}

func newApplyBench(t *testing.T, p Product) *applyBench {
	t.Helper()
	b := &applyBench{store: newMemTx(p), clock: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC),
		verdict: Verdict{Decision: Accept, Reason: "ok", Detail: "approved", Score: 20, SequenceID: "seq-1"},
		card:    Card{ID: 3, BankCode: "058", BankName: "GT Bank", AccountMask: "016****447", RecipientCode: "RCP_3"}}
	b.svc = &Service{Store: memStore{b.store}, Decider: deciderFunc(b.decide), Borrowers: borrowersFunc(b.borrower),
		Photos: photoStore{b}, Now: func() time.Time { return b.clock }}
	return b
}

type deciderFunc func(context.Context, DecisionInput) (Verdict, error)

func (f deciderFunc) Decide(ctx context.Context, in DecisionInput) (Verdict, error) {
	return f(ctx, in)
}

type borrowersFunc func(context.Context, int64) (*Borrower, error)

func (f borrowersFunc) Borrower(ctx context.Context, userID int64) (*Borrower, error) {
	return f(ctx, userID)
}

func (b *applyBench) decide(_ context.Context, in DecisionInput) (Verdict, error) {
	b.calls = append(b.calls, "decide")
	b.decided = append(b.decided, in)
	return b.verdict, nil
}

func (b *applyBench) borrower(_ context.Context, userID int64) (*Borrower, error) {
	b.calls = append(b.calls, "borrower")
	return &Borrower{UserID: userID, Phone: "2348031230001", Mobile: "8031230001", IDNumber: "22167288734",
		First: "Hussein", Complete: true, Card: b.card, File: BorrowerFile{CallingCode: 234}}, nil
}

type photoStore struct{ b *applyBench }

func (p photoStore) PutPhoto(context.Context, int64, []byte) (string, error) {
	p.b.calls = append(p.b.calls, "photo")
	p.b.photos++
	return fmt.Sprintf("photo-%d", p.b.photos), nil
}

func (p photoStore) DeletePhoto(context.Context, string) error { p.b.photos--; return nil }

func (b *applyBench) apply(t *testing.T) *Record {
	t.Helper()
	r, err := b.svc.Apply(context.Background(), ApplyInput{UserID: 7, ProductID: "301", ApplyTerminal: 2, Photos: [][]byte{{0xff, 0xd8}}})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return r
}

func TestAnApplicationTheEligibilityRulesRefuseStoresNoPhotoAndAsksNoDecision(t *testing.T) {
	p := demo(t, "301")
	p.MinSettledLoans = 3
	b := newApplyBench(t, p)
	r := b.apply(t)
	if r.Status != StatusRiskRejected || r.RiskDetail != DetailRejected || r.RiskReason != "product 301 needs 3 settled loans, you have 0" {
		t.Fatalf("loan %s: %q / %q", r.Status, r.RiskReason, r.RiskDetail)
	}
	if !slices.Equal(b.calls, []string{"borrower"}) || len(r.Photos) != 0 || b.photos != 0 {
		t.Fatalf("calls %q, photos on the loan %q, photos kept %d: want only the borrower read", b.calls, r.Photos, b.photos)
	}
	if len(b.store.loans) != 1 || len(b.store.messages) != 1 || b.store.messages[0].Title != "Loan not approved" {
		t.Fatalf("stored %d loans and messages %+v", len(b.store.loans), b.store.messages)
	}
}

func TestAnApplicationReadsTheHistoryOnceAndHandsItToTheDecision(t *testing.T) {
	for _, tc := range []struct {
		name    string
		verdict Decision
		status  Status
		reads   int
	}{
		{"an approved application", Accept, StatusDisbursing, 1},
		{"an application referred to a person", Review, StatusManualReview, 1},
		// A refused loan does not hold the borrower's unfinished slot, so
		// the commit looks again, under the borrower's lock, for a loan
		// written since: a check at commit, not a fact the decision reads.
		{"a refused application, checked again under the lock", Reject, StatusRiskRejected, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newApplyBench(t, demo(t, "301"))
			b.store.past = []PastLoan{{Status: StatusSettled, Disbursed: true, OverDays: 3}, {Status: StatusRiskRejected}}
			b.verdict.Decision = tc.verdict
			r := b.apply(t)
			if r.Status != tc.status || b.store.historyReads != tc.reads {
				t.Fatalf("status %s after %d history reads, want %s after %d", r.Status, b.store.historyReads, tc.status, tc.reads)
			}
			want := History{Settled: 1, Disbursed: 1, WorstDaysOverdue: 3}
			if len(b.decided) != 1 || b.decided[0].History != want || r.LoanCount != 1 {
				t.Fatalf("decided on %+v (loan count %d), want history %+v", b.decided, r.LoanCount, want)
			}
			if got := b.calls[:3]; !slices.Equal(got, []string{"borrower", "photo", "decide"}) {
				t.Fatalf("calls %q: want the borrower read once, then the photo, then the decision", b.calls)
			}
		})
	}
}

func TestAnApplicationsLoanGetsItsIDFromTheInsert(t *testing.T) {
	b := newApplyBench(t, demo(t, "301"))
	r := b.apply(t)
	if !slices.Equal(b.store.idAtInsert, []ID{0}) || r.ID != 100 {
		t.Fatalf("ids at insert %v, loan %s: the loan must be inserted without an id and named by the insert", b.store.idAtInsert, r.ID)
	}
	if p := b.store.payments["DSB_100_1"]; p == nil || p.LoanID != 100 {
		t.Fatalf("payout not named after the inserted loan: %+v", b.store.payments)
	}
	if m := b.store.messages; len(m) != 1 || m[0].Content != "Loan 100 for 600000 is approved and being paid out to 016****447." {
		t.Fatalf("messages %+v", m)
	}
}

func TestAConflictAtCommitIsAnUnfinishedLoanOnlyWhenThereIsOne(t *testing.T) {
	for _, tc := range []struct {
		name       string
		past       []PastLoan // what the history reads after the conflict
		unfinished bool
	}{
		{"a loan made for the borrower meanwhile is their unfinished loan", []PastLoan{{Status: StatusDisbursing}}, true},
		{"a conflict with no unfinished loan (an id already used, a lost reference) is the server's error", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newApplyBench(t, demo(t, "301"))
			b.store.insertErr = errs.E(errs.Conflict, "already exists")
			// The history the application was decided on had no loan; the
			// one read after the conflict has what the test says.
			b.svc.Store = afterConflict{memStore{b.store}, tc.past}
			_, err := b.svc.Apply(context.Background(), ApplyInput{UserID: 7, ProductID: "301", Photos: [][]byte{[]byte("jpeg")}})
			if got := err == ErrUnfinishedLoan; got != tc.unfinished {
				t.Fatalf("= %v; want ErrUnfinishedLoan: %v", err, tc.unfinished)
			}
			if !tc.unfinished && (err == nil || errs.Is(err, errs.Conflict)) {
				t.Fatalf("= %v; want an internal error, not a conflict the borrower is told about", err)
			}
			if b.photos != 0 {
				t.Errorf("%d photos kept of an application not stored", b.photos)
			}
		})
	}
}

// afterConflict is a store whose history, once the application's write
// has failed, holds past.
type afterConflict struct {
	memStore
	past []PastLoan
}

func (s afterConflict) InsertApplication(ctx context.Context, r *Record, rows func(*Record) ApplicationRows) error {
	err := s.memStore.InsertApplication(ctx, r, rows)
	s.m.past = s.past
	return err
}
