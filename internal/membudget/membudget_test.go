package membudget

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

func TestLease(t *testing.T) {
	t.Parallel()
	t.Run("a lease grows within the budget and gives everything back on close", func(t *testing.T) {
		b := New(100, 10*time.Millisecond)
		l := b.Lease(context.Background())
		if err := l.Grow(60); err != nil {
			t.Fatal(err)
		}
		if err := l.Grow(40); err != nil {
			t.Fatal(err)
		}
		if b.InUse() != 100 || l.Held() != 100 {
			t.Fatalf("in use %d, held %d; want 100", b.InUse(), l.Held())
		}
		l.Close()
		l.Close() // twice is harmless
		if b.InUse() != 0 || b.Peak() != 100 {
			t.Fatalf("after close: in use %d, peak %d", b.InUse(), b.Peak())
		}
	})
	t.Run("a lease over the budget waits, then is refused as busy", func(t *testing.T) {
		b := New(100, 20*time.Millisecond)
		hog := b.Lease(context.Background())
		if err := hog.Grow(90); err != nil {
			t.Fatal(err)
		}
		l := b.Lease(context.Background())
		start := time.Now()
		err := l.Grow(20)
		if !errors.Is(err, ErrBusy) || !l.Refused() {
			t.Fatalf("err = %v, refused %v; want ErrBusy", err, l.Refused())
		}
		if waited := time.Since(start); waited < 20*time.Millisecond {
			t.Fatalf("refused after %v, before the wait", waited)
		}
		if b.InUse() != 90 || b.Refused() != 1 {
			t.Fatalf("in use %d, refused %d", b.InUse(), b.Refused())
		}
	})
	t.Run("a waiting lease gets room another lease gives back", func(t *testing.T) {
		b := New(100, 2*time.Second)
		hog := b.Lease(context.Background())
		_ = hog.Grow(90)
		time.AfterFunc(20*time.Millisecond, hog.Close)
		if err := b.Lease(context.Background()).Grow(50); err != nil {
			t.Fatalf("err = %v; want room after the other lease closed", err)
		}
	})
	t.Run("more than the whole budget is refused at once", func(t *testing.T) {
		b := New(100, time.Minute)
		if err := b.Lease(context.Background()).Grow(101); !errors.Is(err, ErrBusy) {
			t.Fatalf("err = %v; want ErrBusy", err)
		}
	})
	t.Run("a request that went away stops waiting with its context's error", func(t *testing.T) {
		b := New(10, time.Minute)
		_ = b.Lease(context.Background()).Grow(10)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(10*time.Millisecond, cancel)
		l := b.Lease(ctx)
		if err := l.Grow(5); !errors.Is(err, context.Canceled) || l.Refused() {
			t.Fatalf("err = %v, refused %v; want context.Canceled", err, l.Refused())
		}
	})
	t.Run("a nil lease charges nothing", func(t *testing.T) {
		var b *Budget
		l := b.Lease(context.Background())
		if err := l.Grow(1 << 40); err != nil || l.Held() != 0 || l.Refused() {
			t.Fatal("a nil lease did something")
		}
		l.Close()
		if r := l.Reader(bytes.NewReader([]byte("x")), 3, 1); r == nil {
			t.Fatal("no reader")
		}
	})
}

func TestBudgetIsNeverExceeded(t *testing.T) {
	t.Parallel()
	b := New(1<<20, 5*time.Millisecond)
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 1))
			for range 50 {
				l := b.Lease(context.Background())
				for range 4 {
					if l.Grow(r.Int64N(200<<10)) != nil {
						break
					}
				}
				time.Sleep(time.Duration(r.IntN(200)) * time.Microsecond)
				l.Close()
			}
		}()
	}
	wg.Wait()
	if b.Peak() > b.Size() || b.InUse() != 0 {
		t.Fatalf("peak %d over size %d, or %d still in use", b.Peak(), b.Size(), b.InUse())
	}
	if b.Refused() == 0 {
		t.Log("no lease was refused; the test did not contend")
	}
}

func TestReader(t *testing.T) {
	t.Parallel()
	t.Run("a reader charges its factor for every byte read", func(t *testing.T) {
		b := New(16<<20, time.Millisecond)
		l := b.Lease(context.Background())
		n, err := io.Copy(io.Discard, l.Reader(bytes.NewReader(make([]byte, 3<<20)), 2, 0))
		if err != nil || n != 3<<20 {
			t.Fatalf("read %d, %v", n, err)
		}
		if l.Held() < 6<<20 || l.Held() > 6<<20+2*readStep {
			t.Fatalf("held %d; want about 6 MiB", l.Held())
		}
	})
	t.Run("a small body holds about what it sent, not a read step ahead", func(t *testing.T) {
		b := New(16<<20, time.Millisecond)
		l := b.Lease(context.Background())
		n, err := io.ReadAll(l.Reader(bytes.NewReader(make([]byte, 10<<10)), 4, 0))
		if err != nil || len(n) != 10<<10 {
			t.Fatalf("read %d, %v", len(n), err)
		}
		if l.Held() > 4*(2*10<<10+minReadStep) {
			t.Fatalf("held %d for a 10 KiB body at factor 4; want under %d", l.Held(), 4*(2*10<<10+minReadStep))
		}
	})
	t.Run("a reader over the budget fails with ErrBusy after what was paid for", func(t *testing.T) {
		b := New(1<<20, time.Millisecond)
		l := b.Lease(context.Background())
		n, err := io.Copy(io.Discard, l.Reader(bytes.NewReader(make([]byte, 4<<20)), 1, 0))
		if !errors.Is(err, ErrBusy) || n == 0 || n > 1<<20 {
			t.Fatalf("read %d, %v; want up to 1 MiB then ErrBusy", n, err)
		}
		if b.Peak() > b.Size() {
			t.Fatalf("peak %d over %d", b.Peak(), b.Size())
		}
	})
}

func TestParseSize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"512MiB", 512 << 20, true},
		{"1GiB", 1 << 30, true},
		{"64 KiB", 64 << 10, true},
		{"100MB", 100e6, true},
		{"4096", 4096, true},
		{"10B", 10, true},
		{"", 0, false},
		{"-1MiB", 0, false},
		{"1.5GiB", 0, false},
		{"lots", 0, false},
		{"99999999999GiB", 0, false},
	} {
		t.Run("parsing "+tc.in, func(t *testing.T) {
			got, err := ParseSize(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Fatalf("ParseSize(%q) = %d, %v", tc.in, got, err)
			}
			if tc.ok {
				if back, _ := ParseSize(FormatSize(got)); back != got {
					t.Fatalf("FormatSize(%d) = %q does not read back", got, FormatSize(got))
				}
			}
		})
	}
}

func TestCharge(t *testing.T) {
	t.Parallel()
	t.Run("a negative charge gives nothing back: the garbage is resident until collected", func(t *testing.T) {
		b := New(100, time.Millisecond)
		l := b.Lease(context.Background())
		_ = l.Charge(70)
		_ = l.Charge(-30)
		if l.Used() != 70 || l.Held() != 70 || b.InUse() != 70 {
			t.Fatalf("used %d, held %d, in use %d; want 70, 70, 70", l.Used(), l.Held(), b.InUse())
		}
		if err := l.Charge(31); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("charging past the budget after a negative charge: %v", err)
		}
		l.Close()
		if b.InUse() != 0 {
			t.Fatalf("in use %d after the request ended; want 0", b.InUse())
		}
	})
	t.Run("a request that would use more than the whole budget is too large, not busy", func(t *testing.T) {
		b := New(100, time.Millisecond)
		l := b.Lease(context.Background())
		_ = l.Charge(60)
		if err := l.Charge(41); !errors.Is(err, ErrTooLarge) || errors.Is(err, ErrBusy) || l.Refused() {
			t.Fatalf("charging past the whole budget: %v (refused %v)", err, l.Refused())
		}
		if l.Used() != 60 || b.InUse() != 60 {
			t.Fatalf("used %d, in use %d after the refusal; want 60, 60", l.Used(), b.InUse())
		}
	})
	t.Run("a reservation is used before the budget is asked again", func(t *testing.T) {
		b := New(100, time.Millisecond)
		l := b.Lease(context.Background())
		if err := l.Reserve(80); err != nil {
			t.Fatal(err)
		}
		other := b.Lease(context.Background())
		_ = other.Grow(20)
		if err := l.Grow(80); err != nil {
			t.Fatalf("growing within the reservation: %v", err)
		}
		if err := l.Grow(1); !errors.Is(err, ErrBusy) {
			t.Fatalf("growing past it with the budget full: %v", err)
		}
	})
	t.Run("a refused lease does not wait again", func(t *testing.T) {
		b := New(10, 50*time.Millisecond)
		_ = b.Lease(context.Background()).Grow(10)
		l := b.Lease(context.Background())
		_ = l.Grow(5)
		start := time.Now()
		if err := l.Grow(5); !errors.Is(err, ErrBusy) || time.Since(start) > 20*time.Millisecond {
			t.Fatalf("second refusal %v after %v", err, time.Since(start))
		}
		if b.Refused() != 1 {
			t.Fatalf("refused %d; want 1 per lease", b.Refused())
		}
	})
	t.Run("a reader reserves its declared length before reading", func(t *testing.T) {
		b := New(8<<20, time.Millisecond)
		l := b.Lease(context.Background())
		r := l.Reader(bytes.NewReader(make([]byte, 1<<20)), 4, 1<<20)
		var one [1]byte
		if _, err := r.Read(one[:]); err != nil {
			t.Fatal(err)
		}
		if l.Held() < 4<<20 {
			t.Fatalf("held %d after the first byte; want the 4 MiB reserved", l.Held())
		}
	})
}
