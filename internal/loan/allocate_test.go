package loan

import (
	"testing"

	"creditpocket/internal/ledger"
)

func TestAllocate(t *testing.T) {
	owed := ledger.Buckets{Principal: 1000, Interest: 100, Fee: 50, Penalty: 10}
	tests := []struct {
		name   string
		amount ledger.Money
		want   Allocation
	}{
		{"applies nothing when nothing is paid", 0,
			Allocation{Remaining: owed}},
		{"pays penalty first", 7,
			Allocation{Applied: ledger.Buckets{Penalty: 7}, Remaining: ledger.Buckets{Principal: 1000, Interest: 100, Fee: 50, Penalty: 3}}},
		{"pays fee after penalty", 30,
			Allocation{Applied: ledger.Buckets{Penalty: 10, Fee: 20}, Remaining: ledger.Buckets{Principal: 1000, Interest: 100, Fee: 30}}},
		{"pays interest after fee", 100,
			Allocation{Applied: ledger.Buckets{Penalty: 10, Fee: 50, Interest: 40}, Remaining: ledger.Buckets{Principal: 1000, Interest: 60}}},
		{"pays principal last", 500,
			Allocation{Applied: ledger.Buckets{Penalty: 10, Fee: 50, Interest: 100, Principal: 340}, Remaining: ledger.Buckets{Principal: 660}}},
		{"clears everything on the exact amount", 1160,
			Allocation{Applied: owed}},
		{"keeps an overpayment as excess", 1200,
			Allocation{Applied: owed, Excess: 40}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Allocate(owed, tc.amount)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Allocate(%d)\n got %+v\nwant %+v", tc.amount, got, tc.want)
			}
		})
	}
	t.Run("treats everything as excess when nothing is owed", func(t *testing.T) {
		got, _ := Allocate(ledger.Buckets{}, 5)
		if got != (Allocation{Excess: 5}) {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("refuses a negative amount", func(t *testing.T) {
		if _, err := Allocate(owed, -1); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("refuses a negative bucket", func(t *testing.T) {
		if _, err := Allocate(ledger.Buckets{Fee: -1}, 1); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("does not allocate memory", func(t *testing.T) {
		if n := testing.AllocsPerRun(100, func() { _, _ = Allocate(owed, 500) }); n != 0 {
			t.Errorf("%v allocations per call", n)
		}
	})
}

func BenchmarkAllocate(b *testing.B) {
	owed := ledger.Buckets{Principal: 1600000, Interest: 112000, Fee: 778000, Penalty: 48000}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Allocate(owed, 1000000); err != nil {
			b.Fatal(err)
		}
	}
}
