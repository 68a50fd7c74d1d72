// Package membudget bounds the memory a process spends on what its clients
// send: request bodies as they are read, and what is decoded and parsed
// from them. One Budget of bytes is shared by every request; each request
// holds a Lease that grows, as the request reads and decodes, by the bytes
// it is about to hold, and that gives everything back when the request
// ends. A request that would take the budget over its size waits a little
// for others to finish and is then refused with ErrBusy, so many large
// requests at once are answered "busy, retry" instead of taking the
// process's memory with them.
//
// The budget counts bytes a request is about to allocate, not what the
// garbage collector has yet to reclaim: it bounds the live heap that
// requests can claim, and with it (plus the collector's headroom) the
// process's resident memory.
package membudget

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// ErrBusy is returned when a lease could not grow within the wait: the
// budget is taken by other requests (or the request alone needs more than
// the whole budget). The client should retry later.
var ErrBusy = errors.New("memory budget exhausted")

// ErrTooLarge is returned when a request would use more than the whole
// budget: waiting cannot help, so it is the request's fault, not a busy
// server's (a decompression bomb whose decoding outgrows every share).
var ErrTooLarge = errors.New("needs more memory than the whole budget")

// DefaultSize is the budget of a process that sets none: room for a
// dozen large uploads at once on a small server, yet a fraction of a
// container of 1 GB.
const DefaultSize = 512 << 20

// DefaultWait is how long a request waits for room before it is refused.
const DefaultWait = 2 * time.Second

// Budget is a process-wide count of bytes held by requests.
type Budget struct {
	size    int64
	wait    time.Duration
	sem     *semaphore.Weighted
	inUse   atomic.Int64
	peak    atomic.Int64
	refused atomic.Int64
}

// New returns a budget of size bytes; a request waits at most wait for
// room (0 means DefaultWait).
func New(size int64, wait time.Duration) *Budget {
	if size <= 0 {
		size = DefaultSize
	}
	if wait <= 0 {
		wait = DefaultWait
	}
	return &Budget{size: size, wait: wait, sem: semaphore.NewWeighted(size)}
}

// Size is the budget in bytes.
func (b *Budget) Size() int64 { return b.size }

// InUse is the bytes held now by all leases.
func (b *Budget) InUse() int64 { return b.inUse.Load() }

// Peak is the most bytes ever held at once (since ResetPeak).
func (b *Budget) Peak() int64 { return b.peak.Load() }

// ResetPeak starts a new measurement of Peak from the bytes held now.
func (b *Budget) ResetPeak() { b.peak.Store(b.inUse.Load()) }

// Refused counts the leases (requests) refused with ErrBusy.
func (b *Budget) Refused() int64 { return b.refused.Load() }

// acquire takes n bytes, waiting at most wait (and no longer than ctx).
func (b *Budget) acquire(ctx context.Context, n int64, wait time.Duration) error {
	if n <= 0 {
		return nil
	}
	if n > b.size {
		return fmt.Errorf("%w: %d bytes wanted at once, the budget is %d", ErrBusy, n, b.size)
	}
	if !b.sem.TryAcquire(n) {
		wctx, cancel := context.WithTimeout(ctx, wait)
		err := b.sem.Acquire(wctx, n)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err() // the client went away; nobody to answer
			}
			return fmt.Errorf("%w: no room for %d bytes within %v", ErrBusy, n, wait)
		}
	}
	cur := b.inUse.Add(n)
	for {
		p := b.peak.Load()
		if cur <= p || b.peak.CompareAndSwap(p, cur) {
			return nil
		}
	}
}

func (b *Budget) release(n int64) {
	if n > 0 {
		b.inUse.Add(-n)
		b.sem.Release(n)
	}
}

// Lease is one request's share of a budget. It holds bytes taken from the
// budget, of which the request uses some: Grow uses more, taking from the
// budget only what the lease does not already hold, and Shrink gives bytes
// back to the lease (for the request's next use), not to the budget. The
// lease's high-water mark thus stays the request's until Close, so a
// request never has to win back room it already had. Its methods are safe
// for concurrent use; the methods of a nil *Lease do nothing (no budget).
type Lease struct {
	b       *Budget
	ctx     context.Context
	mu      sync.Mutex
	held    int64 // taken from the budget
	used    int64 // charged by the request, at most held
	refused bool
	closed  bool
}

// Lease starts an empty lease for a request whose context is ctx (waits
// end when it does). A nil Budget gives a nil lease.
func (b *Budget) Lease(ctx context.Context) *Lease {
	if b == nil {
		return nil
	}
	return &Lease{b: b, ctx: ctx}
}

// Reserve makes the lease hold at least n bytes more than it uses, taken
// from the budget before the request starts the work that needs them: a
// request that reserves what it knows it will need (its body's declared
// length, say) waits for room holding nothing, instead of holding part of
// the budget while it waits for the rest.
func (l *Lease) Reserve(n int64) error {
	if l == nil || n <= 0 {
		return nil
	}
	l.mu.Lock()
	need := l.used + n - l.held
	l.mu.Unlock()
	return l.take(need)
}

// Grow uses n more bytes, taking from the budget what the lease does not
// hold, waiting briefly for room; it fails with an error wrapping ErrBusy
// when there is none. A lease that holds nothing waits up to the budget's
// wait; one that holds bytes waits only a twentieth of it, so that
// requests holding memory while they wait for more cannot hold the budget
// for long: the one refused gives its share to the others.
func (l *Lease) Grow(n int64) error {
	if l == nil || n <= 0 {
		return nil
	}
	l.mu.Lock()
	l.used += n
	need := l.used - l.held
	l.mu.Unlock()
	if err := l.take(need); err != nil {
		l.mu.Lock()
		l.used -= n
		l.mu.Unlock()
		return err
	}
	return nil
}

// take acquires need more bytes from the budget for the lease.
func (l *Lease) take(need int64) error {
	if need <= 0 {
		return nil
	}
	wait := l.b.wait
	switch {
	case l.Refused():
		wait = 0 // refused once, the request is being answered "busy"
	case l.Held() > 0:
		wait /= 20
	}
	if err := l.b.acquire(l.ctx, need, wait); err != nil {
		l.mu.Lock()
		if errors.Is(err, ErrBusy) && !l.refused {
			l.refused = true
			l.b.refused.Add(1)
		}
		l.mu.Unlock()
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed { // grown by a goroutine that outlived the request
		l.b.release(need)
		return fmt.Errorf("%w: the request has ended", ErrBusy)
	}
	l.held += need
	return nil
}

// Shrink stops using n bytes (at most all in use), for memory the request
// no longer references; the lease keeps holding them for its next use.
func (l *Lease) Shrink(n int64) {
	if l == nil || n <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.used -= min(n, l.used)
}

// Charge uses n more bytes (Grow): the shape of a memory hook such as
// pdf.Limits.Memory. A negative n — memory the caller no longer references
// — is not given back: until the collector runs it is garbage that is
// still resident, and a decoder that grows its buffer by copying leaves as
// much garbage behind as it keeps. Counting every allocation until the
// request ends is what keeps resident memory, not only live memory, near
// the budget (measured: a Flate bomb's decoding left up to 1.1 GB of
// garbage over a 256 MiB budget whose live bytes were all accounted).
//
// A charge that would take the request past the whole budget fails with
// ErrTooLarge rather than waiting for room that cannot come: the file
// needs more than this server gives any one request.
func (l *Lease) Charge(n int64) error {
	if l == nil || n <= 0 {
		return nil
	}
	if used := l.Used(); used+n > l.b.size {
		return fmt.Errorf("%w: %d bytes used and %d more wanted, the budget is %d", ErrTooLarge, used, n, l.b.size)
	}
	return l.Grow(n)
}

// Budget is the budget the lease takes from.
func (l *Lease) Budget() *Budget { return l.b }

// Held is the bytes the lease has taken from the budget.
func (l *Lease) Held() int64 {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held
}

// Used is the bytes the request uses now.
func (l *Lease) Used() int64 {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.used
}

// Refused reports whether the budget refused this lease (ErrBusy).
func (l *Lease) Refused() bool {
	if l == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refused
}

// Close gives back everything the lease holds. Call it when the request
// no longer references what it read.
func (l *Lease) Close() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		l.b.release(l.held)
		l.held, l.used = 0, 0
	}
}

// readStep is the most a Reader grows its lease by ahead of what a read
// asks for, so that a body read in small chunks does not take the
// budget's lock per chunk. The step starts at minReadStep and grows with
// what was read, so a small body (or a slow client that has sent little)
// holds about what it sent, not a whole step of budget.
const (
	readStep    = 256 << 10
	minReadStep = 4 << 10
)

// Reader returns r charging its lease factor bytes for every byte read
// (the bytes themselves and what the reader's caller builds from them);
// a refused Grow ends the read with its error. Before the first byte is
// read the lease reserves factor × expect bytes (the body's declared
// length, 0 if unknown), so a body whose size is known waits for its whole
// share holding nothing.
func (l *Lease) Reader(r io.Reader, factor, expect int64) io.Reader {
	if l == nil {
		return r
	}
	factor = max(factor, 1)
	return &reader{r: r, l: l, factor: factor, reserve: max(expect, 0) * factor}
}

type reader struct {
	r       io.Reader
	l       *Lease
	factor  int64
	reserve int64 // reserved before the first read, then 0
	credit  int64 // bytes charged but not yet read
	read    int64 // bytes read so far
	err     error
}

func (r *reader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.reserve > 0 {
		if err := r.l.Reserve(r.reserve); err != nil {
			r.err = err
			return 0, err
		}
		r.reserve = 0
	}
	if need := int64(len(p)); need > r.credit {
		step := max(need-r.credit, min(readStep, max(minReadStep, r.read)))
		if err := r.l.Grow(step * r.factor); err != nil {
			// Read what was already paid for before failing.
			if r.credit == 0 {
				r.err = err
				return 0, err
			}
			p = p[:r.credit]
		} else {
			r.credit += step
		}
	}
	n, err := r.r.Read(p)
	r.credit -= int64(n)
	r.read += int64(n)
	return n, err
}

type ctxKey struct{}

// WithLease returns ctx carrying l, for code deep in a request (a parser)
// to charge what it decodes.
func WithLease(ctx context.Context, l *Lease) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// FromContext returns the lease of ctx, or nil.
func FromContext(ctx context.Context) *Lease {
	l, _ := ctx.Value(ctxKey{}).(*Lease)
	return l
}
