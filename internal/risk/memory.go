package risk

import (
	"context"
	"slices"
	"sync"
	"time"
)

// The Mem* types are exact in-memory implementations of the source
// interfaces: the reference the store's implementations are tested
// against, and the sources of tests and benchmarks. They are safe for
// concurrent use.

// MemLists is an in-memory Lists.
type MemLists struct {
	Now func() time.Time // default time.Now; decides which entries are active

	mu      sync.RWMutex
	entries map[ListKind]map[string][]ListEntry
}

// Add validates and stores an entry.
func (m *MemLists) Add(e ListEntry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil {
		m.entries = map[ListKind]map[string][]ListEntry{}
	}
	byValue := m.entries[e.Kind]
	if byValue == nil {
		byValue = map[string][]ListEntry{}
		m.entries[e.Kind] = byValue
	}
	byValue[e.Value] = append(byValue[e.Value], e)
	return nil
}

// Lookup implements Lists.
func (m *MemLists) Lookup(_ context.Context, kind ListKind, value string) (ListEntry, bool, error) {
	now := time.Now()
	if m.Now != nil {
		now = m.Now()
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var best ListEntry
	found := false
	for _, e := range m.entries[kind][value] {
		if e.Active(now) && (!found || e.List.Severity() > best.List.Severity()) {
			best, found = e, true
		}
	}
	return best, found, nil
}

// MemVelocity is an exact in-memory Velocity. Per key it forgets events
// more than a Month older than the newest event of that key, so counts are
// exact for any event not older than that. Times are kept as Unix
// nanoseconds: pointer-free slices cost the garbage collector nothing.
type MemVelocity struct {
	mu     sync.Mutex
	events [numDims]map[string]*[]int64           // per dimension and key; sorted ascending
	pairs  [numDims]map[string]map[string][]int64 // ID→phones, device→IDs; times sorted
}

type velocityDim uint8

const (
	dimID velocityDim = iota
	dimPhone
	dimDevice
	dimIP
	dimCard
	numDims
)

// Observe implements Velocity.
func (m *MemVelocity) Observe(_ context.Context, o Observation) (VelocityCounts, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.events[0] == nil {
		for d := range numDims {
			m.events[d] = map[string]*[]int64{}
			m.pairs[d] = map[string]map[string][]int64{}
		}
	}
	at := o.At.UnixNano()
	var c VelocityCounts
	m.count(dimID, o.IDNumber, at, &c.IDNumber)
	m.count(dimPhone, o.Phone, at, &c.Phone)
	m.count(dimDevice, o.Device, at, &c.Device)
	m.count(dimIP, o.IP, at, &c.IP)
	m.count(dimCard, o.Card, at, &c.Card)
	c.PhonesPerID = m.distinct(dimID, o.IDNumber, o.Phone, at)
	c.IDsPerDevice = m.distinct(dimDevice, o.Device, o.IDNumber, at)
	return c, nil
}

// count records at under key and counts key's events in each window ending at at.
func (m *MemVelocity) count(d velocityDim, key string, at int64, into *[NumWindows]int) {
	if key == "" {
		return
	}
	series := m.events[d][key]
	if series == nil {
		series = new([]int64)
		m.events[d][key] = series
	}
	ts := record(*series, at)
	*series = ts
	// Events in (at-w, at]: those up to and including at, minus those up
	// to and including at-w.
	upTo := upperBound(ts, at)
	for w := range NumWindows {
		into[w] = upTo - upperBound(ts, at-int64(w.Duration()))
	}
}

// distinct records that key was seen with other at at, and counts the
// distinct others seen with key in the Month window ending at at.
func (m *MemVelocity) distinct(d velocityDim, key, other string, at int64) int {
	if key == "" || other == "" {
		return 0
	}
	seen := m.pairs[d][key]
	if seen == nil {
		seen = map[string][]int64{}
		m.pairs[d][key] = seen
	}
	seen[other] = record(seen[other], at)
	month := int64(Month.Duration())
	n := 0
	for o, ts := range seen {
		if ts[len(ts)-1] < at-2*month {
			delete(seen, o) // nothing left that a current event can count
			continue
		}
		// Any time in (at-month, at]?
		if i := upperBound(ts, at-month); i < len(ts) && ts[i] <= at {
			n++
		}
	}
	return n
}

// record inserts at into the sorted ts (after equal times, so the common
// in-order case appends) and drops times more than a Month before the
// newest.
func record(ts []int64, at int64) []int64 {
	ts = slices.Insert(ts, upperBound(ts, at), at)
	if cut := ts[len(ts)-1] - int64(Month.Duration()); ts[0] <= cut {
		ts = slices.Delete(ts, 0, upperBound(ts, cut))
	}
	return ts
}

// upperBound returns how many of the sorted ts are at or before t.
func upperBound(ts []int64, t int64) int {
	n, _ := slices.BinarySearch(ts, t+1)
	return n
}

// MemContacts is an in-memory ContactIndex.
type MemContacts struct {
	mu      sync.Mutex
	byPhone map[string]map[string]struct{} // contact phone → applicants listing it
}

// Observe implements ContactIndex.
func (m *MemContacts) Observe(_ context.Context, applicant string, phones []string) ([]int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byPhone == nil {
		m.byPhone = map[string]map[string]struct{}{}
	}
	others := make([]int, len(phones))
	for i, p := range phones {
		listing := m.byPhone[p]
		if listing == nil {
			listing = map[string]struct{}{}
			m.byPhone[p] = listing
		}
		listing[applicant] = struct{}{}
		others[i] = len(listing) - 1
	}
	return others, nil
}

// MemHistory is an in-memory History keyed by normalised ID number.
type MemHistory struct {
	mu      sync.RWMutex
	records map[string]LoanHistory
}

// Set stores the history of a borrower.
func (m *MemHistory) Set(idNumber string, h LoanHistory) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.records == nil {
		m.records = map[string]LoanHistory{}
	}
	m.records[idNumber] = h
}

// LoanHistory implements History.
func (m *MemHistory) LoanHistory(_ context.Context, ref BorrowerRef) (LoanHistory, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.records[ref.IDNumber], nil
}
