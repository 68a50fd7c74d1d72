package loan

import (
	"errors"
	"testing"
	"time"

	"creditpocket/internal/errs"
	"creditpocket/internal/ledger"
)

// books is a loan with the ledger it has produced, checked after every step.
type books struct {
	t   *testing.T
	l   *Loan
	txs []ledger.Transaction
}

func newBooks(t *testing.T, p Product) *books {
	t.Helper()
	l, err := Apply(151776, 3, p, appliedAt)
	if err != nil {
		t.Fatal(err)
	}
	fund, err := ledger.Funding("F1", p.Currency, 1_000_000_000)
	if err != nil {
		t.Fatal(err)
	}
	return &books{t: t, l: l, txs: []ledger.Transaction{fund}}
}

func (b *books) post(txs ...ledger.Transaction) {
	b.t.Helper()
	b.txs = append(b.txs, txs...)
	if vs := ledger.Verify(b.txs, []ledger.LoanFacts{b.l.Facts()}); len(vs) > 0 {
		for _, v := range vs {
			b.t.Errorf("violation: %v", v)
		}
		b.t.FailNow()
	}
}

func (b *books) fire(events ...Event) {
	b.t.Helper()
	for _, ev := range events {
		if err := b.l.Fire(ev, appliedAt); err != nil {
			b.t.Fatal(err)
		}
	}
}

// disbursed takes a fresh loan through risk approval and payout at
// appliedAt, so it is due on 2022-01-22 for a 7-day product.
func (b *books) disbursed() *books {
	b.t.Helper()
	b.fire(EventStartRiskReview, EventRiskApprove, EventStartDisbursement)
	txs, err := b.l.Disburse(appliedAt)
	if err != nil {
		b.t.Fatal(err)
	}
	b.post(txs...)
	return b
}

func (b *books) repay(ref string, amount ledger.Money) Allocation {
	b.t.Helper()
	a, tx, err := b.l.Repay(ref, amount, appliedAt)
	if err != nil {
		b.t.Fatal(err)
	}
	b.post(tx)
	return a
}

func (b *books) cob(day string) Accrual {
	b.t.Helper()
	a, txs, err := b.l.CloseOfBusiness(date(b.t, day), appliedAt)
	if err != nil {
		b.t.Fatal(err)
	}
	b.post(txs...)
	return a
}

func TestDisbursementOfTheSeedLoan(t *testing.T) {
	b := newBooks(t, demo(t, "306")).disbursed()
	l := b.l
	if l.Status != StatusRepaying || l.AuditRiskStatus != AuditApproved {
		t.Errorf("status, audit = %v, %d", l.Status, l.AuditRiskStatus)
	}
	if l.PaidOut != 1600000 || l.Outstanding != (ledger.Buckets{Principal: 1600000, Interest: 56000, Fee: 604000}) {
		t.Errorf("paid out %d, outstanding %+v", l.PaidOut, l.Outstanding)
	}
	if total, _ := l.Outstanding.Total(); total != l.Pricing.Due {
		t.Errorf("outstanding %d ≠ shouldbackFee %d", total, l.Pricing.Due)
	}
	if got := l.DueAt.Format("2006-01-02 15:04:05"); got != "2022-01-22 15:34:51" || l.DueDate.String() != "2022-01-22" {
		t.Errorf("due %s / %s", got, l.DueDate)
	}
	if len(b.txs) != 4 { // funding + disbursement, fee, interest
		t.Errorf("%d transactions", len(b.txs))
	}
}

func TestPrefixModeDisbursesLessAndOwesOnlyInterest(t *testing.T) {
	p := demo(t, "306")
	p.FeeMode = FeePrefix
	b := newBooks(t, p).disbursed()
	if b.l.PaidOut != 996000 || b.l.Outstanding != (ledger.Buckets{Principal: 1600000, Interest: 56000}) {
		t.Errorf("paid out %d, outstanding %+v", b.l.PaidOut, b.l.Outstanding)
	}
	b.repay("P1", 1656000)
	if b.l.Status != StatusSettled {
		t.Errorf("status %v after paying shouldbackFee", b.l.Status)
	}
}

func TestRepayment(t *testing.T) {
	t.Run("a partial payment keeps the loan repaying", func(t *testing.T) {
		b := newBooks(t, demo(t, "301")).disbursed()
		a := b.repay("P1", 300000)
		if a.Applied != (ledger.Buckets{Fee: 229000, Interest: 21000, Principal: 50000}) || b.l.Status != StatusRepaying {
			t.Errorf("applied %+v, status %v", a.Applied, b.l.Status)
		}
	})
	t.Run("the exact amount settles the loan", func(t *testing.T) {
		b := newBooks(t, demo(t, "301")).disbursed()
		b.repay("P1", 850000)
		if b.l.Status != StatusSettled || b.l.Received != 850000 || !b.l.Outstanding.IsZero() || b.l.ClosedAt.IsZero() {
			t.Errorf("status %v, received %d, outstanding %+v", b.l.Status, b.l.Received, b.l.Outstanding)
		}
	})
	t.Run("an overpayment settles and leaves credit, which can be refunded", func(t *testing.T) {
		b := newBooks(t, demo(t, "301")).disbursed()
		b.repay("P1", 900000)
		if b.l.Credit != 50000 {
			t.Fatalf("credit %d", b.l.Credit)
		}
		b.repay("P2", 1000) // a late duplicate transfer
		if b.l.Credit != 51000 || b.txs[len(b.txs)-1].Kind != ledger.KindOverpayment {
			t.Fatalf("credit %d", b.l.Credit)
		}
		tx, err := b.l.Refund("R1", 51000, appliedAt)
		if err != nil {
			t.Fatal(err)
		}
		b.post(tx)
		if b.l.Credit != 0 {
			t.Errorf("credit %d after refund", b.l.Credit)
		}
	})
	t.Run("refuses a zero payment", func(t *testing.T) {
		b := newBooks(t, demo(t, "301")).disbursed()
		if _, _, err := b.l.Repay("P1", 0, appliedAt); errs.ErrorCode(err) != errs.Invalid {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("refuses a payment before disbursement", func(t *testing.T) {
		b := newBooks(t, demo(t, "301"))
		var te *TransitionError
		if _, _, err := b.l.Repay("P1", 10, appliedAt); !errors.As(err, &te) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("refuses a refund above the credit", func(t *testing.T) {
		b := newBooks(t, demo(t, "301")).disbursed()
		b.repay("P1", 850001)
		if _, err := b.l.Refund("R1", 2, appliedAt); errs.ErrorCode(err) != errs.Invalid {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestCloseOfBusiness(t *testing.T) {
	b := newBooks(t, demo(t, "306")).disbursed()
	if a := b.cob("2022-01-22"); a.OverDays != 0 || b.l.Status != StatusRepaying {
		t.Fatalf("on the due date: %+v, %v", a, b.l.Status)
	}
	if a := b.cob("2022-01-23"); a.Penalty != 16000 || b.l.Status != StatusOverdue || b.l.OverDays != 1 {
		t.Fatalf("day 1: %+v, %v", a, b.l.Status)
	}
	before := *b.l
	if a := b.cob("2022-01-23"); a.Penalty != 0 || *b.l != before {
		t.Fatalf("a re-run changed the loan: %+v", a)
	}
	b.repay("P1", 1000000) // penalty 16000, fee, interest, then 324000 principal
	if a := b.cob("2022-01-24"); a.Penalty != 12760 || b.l.OverDays != 2 {
		t.Fatalf("day 2 on the reduced principal: %+v", a)
	}
	if b.l.PenaltyCharged != 28760 {
		t.Errorf("overdueFee %d", b.l.PenaltyCharged)
	}
	t.Run("refuses a loan that owes nothing", func(t *testing.T) {
		b := newBooks(t, demo(t, "301"))
		if _, _, err := b.l.CloseOfBusiness(date(t, "2022-01-23"), appliedAt); errs.ErrorCode(err) != errs.Conflict {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestExtension(t *testing.T) {
	extend := func(b *books, amount ledger.Money, day string) error {
		tx, err := b.l.Extend("E1", amount, date(b.t, day), appliedAt)
		if err == nil {
			b.post(tx)
		}
		return err
	}
	t.Run("moves the due date by one cycle while repaying", func(t *testing.T) {
		b := newBooks(t, demo(t, "306")).disbursed()
		if err := extend(b, 320000, "2022-01-20"); err != nil {
			t.Fatal(err)
		}
		if b.l.Status != StatusExtended || b.l.ExtensionStatus() != 1 || b.l.DueDate.String() != "2022-01-29" {
			t.Errorf("status %v, extensionStatus %d, due %s", b.l.Status, b.l.ExtensionStatus(), b.l.DueDate)
		}
		if !b.l.InitialDueAt.Before(b.l.DueAt) {
			t.Errorf("initial due %v, due %v", b.l.InitialDueAt, b.l.DueAt)
		}
		if a := b.cob("2022-01-29"); a.OverDays != 0 {
			t.Errorf("overdue on the new due date: %+v", a)
		}
		if a := b.cob("2022-01-30"); a.OverDays != 1 || b.l.Status != StatusOverdue {
			t.Errorf("not overdue after the new due date: %+v", a)
		}
	})
	t.Run("requires the accrued penalty with the fee while overdue", func(t *testing.T) {
		b := newBooks(t, demo(t, "306")).disbursed()
		b.cob("2022-01-23")
		b.cob("2022-01-24")
		fee, penalty := b.l.ExtensionDue()
		if fee != 320000 || penalty != 32000 {
			t.Fatalf("due %d + %d", fee, penalty)
		}
		if err := extend(b, 320000, "2022-01-24"); errs.ErrorCode(err) != errs.Invalid {
			t.Fatalf("fee without penalty: %v", err)
		}
		if err := extend(b, 352000, "2022-01-24"); err != nil {
			t.Fatal(err)
		}
		if b.l.Outstanding.Penalty != 0 || b.l.OverDays != 0 || b.l.Status != StatusExtended || b.l.Received != 352000 {
			t.Errorf("after extension: %+v", b.l)
		}
		if b.l.PenaltyCharged != 32000 {
			t.Errorf("overdueFee %d: history must be kept", b.l.PenaltyCharged)
		}
	})
	t.Run("refuses an extension that would leave the loan overdue", func(t *testing.T) {
		b := newBooks(t, demo(t, "306")).disbursed()
		b.cob("2022-01-29")
		fee, penalty := b.l.ExtensionDue()
		if err := extend(b, fee+penalty, "2022-01-29"); errs.ErrorCode(err) != errs.Conflict {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("refuses an extension after settlement", func(t *testing.T) {
		b := newBooks(t, demo(t, "306")).disbursed()
		b.repay("P1", 2260000)
		var te *TransitionError
		if err := extend(b, 320000, "2022-01-20"); !errors.As(err, &te) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("refuses a product without an extension fee", func(t *testing.T) {
		p := demo(t, "306")
		p.ExtensionFee = 0
		b := newBooks(t, p).disbursed()
		if err := extend(b, 0, "2022-01-20"); errs.ErrorCode(err) != errs.Conflict {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestWriteOff(t *testing.T) {
	b := newBooks(t, demo(t, "301")).disbursed()
	if _, err := b.l.WriteOff(appliedAt); err == nil {
		t.Fatal("wrote off a loan that is not overdue")
	}
	b.cob("2022-01-25")
	tx, err := b.l.WriteOff(appliedAt)
	if err != nil {
		t.Fatal(err)
	}
	b.post(tx)
	if b.l.Status != StatusWrittenOff || b.l.WrittenOff != 850000+18000 || !b.l.Outstanding.IsZero() {
		t.Errorf("status %v, written off %d, outstanding %+v", b.l.Status, b.l.WrittenOff, b.l.Outstanding)
	}
}

func TestFire(t *testing.T) {
	t.Run("records risk decisions", func(t *testing.T) {
		for _, tc := range []struct {
			events []Event
			status Status
			audit  AuditRiskStatus
		}{
			{[]Event{EventStartRiskReview, EventRiskReject}, StatusRiskRejected, AuditRejected},
			{[]Event{EventStartRiskReview, EventRiskRefer}, StatusManualReview, AuditReview},
			{[]Event{EventStartRiskReview, EventRiskRefer, EventManualApprove}, StatusApproved, AuditApproved},
			{[]Event{EventStartRiskReview, EventRiskRefer, EventManualReject}, StatusManualRejected, AuditRejected},
			{[]Event{EventCancel}, StatusCancelled, AuditPending},
		} {
			b := newBooks(t, demo(t, "301"))
			b.fire(tc.events...)
			if b.l.Status != tc.status || b.l.AuditRiskStatus != tc.audit {
				t.Errorf("%v: status %v, audit %d", tc.events, b.l.Status, b.l.AuditRiskStatus)
			}
			b.post()
		}
	})
	t.Run("refuses events that move money", func(t *testing.T) {
		b := newBooks(t, demo(t, "301"))
		b.fire(EventStartRiskReview, EventRiskApprove, EventStartDisbursement)
		if err := b.l.Fire(EventDisbursed, appliedAt); errs.ErrorCode(err) != errs.Invalid || b.l.Status != StatusDisbursing {
			t.Fatalf("err = %v, status %v", err, b.l.Status)
		}
	})
	t.Run("retries a failed disbursement", func(t *testing.T) {
		b := newBooks(t, demo(t, "301"))
		b.fire(EventStartRiskReview, EventRiskApprove, EventStartDisbursement, EventDisbursementFailed, EventStartDisbursement)
		if _, err := b.l.Disburse(appliedAt); err != nil {
			t.Fatal(err)
		}
	})
}

func TestFailedMethodsLeaveTheLoanUntouched(t *testing.T) {
	b := newBooks(t, demo(t, "306")).disbursed()
	b.cob("2022-01-24")
	before := *b.l
	later := appliedAt.Add(time.Hour)
	_, _, err1 := b.l.Repay("", 10, later)                       // no payment reference
	_, err2 := b.l.Extend("E1", 1, date(t, "2022-01-24"), later) // wrong amount
	_, err3 := b.l.Refund("R1", 1, later)                        // not settled
	_, err4 := b.l.Disburse(later)                               // already disbursed
	for i, err := range []error{err1, err2, err3, err4} {
		if err == nil {
			t.Errorf("call %d succeeded", i+1)
		}
	}
	if *b.l != before {
		t.Errorf("loan changed:\n got %+v\nwant %+v", *b.l, before)
	}
}
