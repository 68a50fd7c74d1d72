package loan

import (
	"testing"

	"creditpocket/internal/ledger"
)

func TestBookingFor(t *testing.T) {
	owing := newBooks(t, demo(t, "306")).disbursed().l // due 2022-01-22, extension 320000
	settled := newBooks(t, demo(t, "306")).disbursed()
	settled.repay("P0", 2260000)
	due := owing.DueDate
	other := due.AddDays(-7)
	cases := []struct {
		name string
		l    *Loan
		p    Payment
		paid ledger.Money
		want Booking
	}{
		{"money on an open repayment checkout is a repayment", owing,
			Payment{Kind: PayRepayment, Status: PayPending}, 1000, BookRepayment},
		{"money on a superseded checkout of a loan that owes repays it", owing,
			Payment{Kind: PayRepayment, Status: PaySuperseded}, 1000, BookRepayment},
		{"money on a closed checkout of a loan that owes repays it", owing,
			Payment{Kind: PayRepayment, Status: PayClosed}, 1000, BookRepayment},
		{"money on a superseded extension checkout repays, not extends", owing,
			Payment{Kind: PayExtension, Status: PaySuperseded, CycleDue: due}, 320000, BookRepayment},
		{"money on a checkout closed at settlement is credit", settled.l,
			Payment{Kind: PayRepayment, Status: PayClosed}, 1000, BookCredit},
		{"money on a loan that no longer owes is credit", settled.l,
			Payment{Kind: PayRepayment, Status: PayPending}, 1000, BookCredit},
		{"the exact price on an extension checkout of this cycle extends", owing,
			Payment{Kind: PayExtension, Status: PayPending, CycleDue: due}, 320000, BookExtension},
		{"an extension checkout opened before cycles were recorded extends", owing,
			Payment{Kind: PayExtension, Status: PayPending}, 320000, BookExtension},
		{"an extension of a cycle already extended is a repayment", owing,
			Payment{Kind: PayExtension, Status: PayPending, CycleDue: other}, 320000, BookRepayment},
		{"an extension checkout paid less than the price is a repayment", owing,
			Payment{Kind: PayExtension, Status: PayPending, CycleDue: due}, 319999, BookRepayment},
		{"the extension price on a repayment checkout is a repayment", owing,
			Payment{Kind: PayRepayment, Status: PayPending}, 320000, BookRepayment},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := BookingFor(c.l, &c.p, c.paid); got != c.want {
				t.Fatalf("BookingFor = %v, want %v", got, c.want)
			}
		})
	}
}

func TestTwoExtensionPaymentsOfOneCycleExtendOnce(t *testing.T) {
	b := newBooks(t, demo(t, "306")).disbursed()
	first := Payment{Reference: "E1", Kind: PayExtension, Status: PayPending, CycleDue: b.l.DueDate}
	second := Payment{Reference: "E2", Kind: PayExtension, Status: PayPending, CycleDue: b.l.DueDate}
	for _, p := range []*Payment{&first, &second} {
		switch BookingFor(b.l, p, 320000) {
		case BookExtension:
			tx, err := b.l.Extend(p.Reference, 320000, date(t, "2022-01-20"), appliedAt)
			if err != nil {
				t.Fatal(err)
			}
			b.post(tx)
		case BookRepayment:
			b.repay(p.Reference, 320000)
		default:
			t.Fatalf("payment %s booked as credit", p.Reference)
		}
	}
	if b.l.Extensions != 1 || b.l.DueDate.String() != "2022-01-29" {
		t.Fatalf("extended %d×, due %s; want once, 2022-01-29", b.l.Extensions, b.l.DueDate)
	}
	if b.l.Received != 640000 || b.l.Outstanding.Fee != 604000-320000 {
		t.Errorf("received %d, outstanding %+v: the second payment must repay", b.l.Received, b.l.Outstanding)
	}
}

func TestKeepCredit(t *testing.T) {
	t.Run("keeps money on a closed checkout as credit and leaves the debt", func(t *testing.T) {
		b := newBooks(t, demo(t, "301")).disbursed()
		before := b.l.Outstanding
		tx, err := b.l.KeepCredit("PAY_late", 850000, appliedAt)
		if err != nil {
			t.Fatal(err)
		}
		b.post(tx)
		if b.l.Status != StatusRepaying || b.l.Outstanding != before || b.l.Credit != 850000 || b.l.Received != 850000 {
			t.Errorf("status %v, outstanding %+v, credit %d, received %d", b.l.Status, b.l.Outstanding, b.l.Credit, b.l.Received)
		}
		if tx.Kind != ledger.KindOverpayment || tx.Postings[len(tx.Postings)-1].Account != ledger.LoanAccount(ledger.BorrowerCredit, b.l.ID.String()) {
			t.Errorf("booked %s %+v; want an overpayment to the borrower's credit", tx.Kind, tx.Postings)
		}
	})
	t.Run("keeps money arriving after settlement or write-off", func(t *testing.T) {
		s := newBooks(t, demo(t, "301")).disbursed()
		s.repay("P1", 850000)
		w := newBooks(t, demo(t, "301")).disbursed()
		w.cob("2022-01-25")
		tx, err := w.l.WriteOff(appliedAt)
		if err != nil {
			t.Fatal(err)
		}
		w.post(tx)
		for _, b := range []*books{s, w} {
			st := b.l.Status
			tx, err := b.l.KeepCredit("PAY_late", 1000, appliedAt)
			if err != nil {
				t.Fatalf("%v: %v", st, err)
			}
			b.post(tx)
			if b.l.Status != st || b.l.Credit != 1000 {
				t.Errorf("%v: status %v, credit %d", st, b.l.Status, b.l.Credit)
			}
		}
	})
	t.Run("refuses nothing or less", func(t *testing.T) {
		b := newBooks(t, demo(t, "301")).disbursed()
		if _, err := b.l.KeepCredit("PAY_x", 0, appliedAt); err == nil || b.l.Credit != 0 {
			t.Fatalf("err %v, credit %d", err, b.l.Credit)
		}
	})
}

func TestPaymentAwaitsOutcome(t *testing.T) {
	cases := []struct {
		name      string
		p         Payment
		succeeded bool
		want      bool
	}{
		{"a pending payment takes a success", Payment{Kind: PayRepayment, Status: PayPending}, true, true},
		{"a pending payment takes a failure", Payment{Kind: PayRepayment, Status: PayPending}, false, true},
		{"a superseded checkout still takes money", Payment{Kind: PayRepayment, Status: PaySuperseded}, true, true},
		{"a closed checkout still takes money", Payment{Kind: PayExtension, Status: PayClosed}, true, true},
		{"a failure on a closed checkout changes nothing", Payment{Kind: PayRepayment, Status: PayClosed}, false, false},
		{"money credited once is not credited again", Payment{Kind: PayRepayment, Status: PayCredited}, true, false},
		{"a paid checkout is paid once", Payment{Kind: PayRepayment, Status: PaySuccess}, true, false},
		{"a failed checkout still takes money reported taken after all", Payment{Kind: PayRepayment, Status: PayFailed}, true, true},
		{"a failed payout reported sent after all takes the success", Payment{Kind: PayDisbursement, Status: PayFailed}, true, true},
		{"a failed payout failing again changes nothing", Payment{Kind: PayDisbursement, Status: PayFailed}, false, false},
		{"a paid payout is paid once", Payment{Kind: PayDisbursement, Status: PaySuccess}, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.p.AwaitsOutcome(c.succeeded); got != c.want {
				t.Fatalf("AwaitsOutcome = %v, want %v", got, c.want)
			}
		})
	}
}
