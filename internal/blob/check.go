package blob

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// MinGrace is the youngest a blob may be for Check to judge it: a request
// holds its blob for the time between writing it and committing its row (a
// decision, a lock wait, retries), which is seconds, not minutes.
const MinGrace = 15 * time.Minute

// Referenced calls fn with every blob key the database's rows refer to.
type Referenced func(ctx context.Context, fn func(key string) error) error

// Walker lists stored blobs (Packs.Walk).
type Walker interface {
	Walk(ctx context.Context, fn WalkFunc) error
}

// Report is what Check found; keys are sorted.
type Report struct {
	Stored, Referenced, Young int
	Orphans                   []string // stored, written before the cut-off, referred to by no row
	Missing                   []string // referred to by a row, not stored
}

// Check compares the stored blobs with the keys rows refer to. It reads
// the referenced keys first and the stored blobs after, so a blob written
// in between is young (written after judgedBefore), never an orphan, as
// long as writing a blob and its row takes less than the grace period.
func Check(ctx context.Context, refs Referenced, blobs Walker, judgedBefore time.Time) (Report, error) {
	var r Report
	seen := make(map[string]bool) // key → seen in the store
	if err := refs(ctx, func(k string) error { seen[k] = false; return nil }); err != nil {
		return r, fmt.Errorf("blobs check: read the keys rows refer to: %w", err)
	}
	err := blobs.Walk(ctx, func(k string, written time.Time) error {
		r.Stored++
		if _, ok := seen[k]; ok {
			seen[k] = true
			return nil
		}
		if written.After(judgedBefore) {
			r.Young++
			return nil
		}
		r.Orphans = append(r.Orphans, k)
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("blobs check: walk the store: %w", err)
	}
	r.Referenced = len(seen)
	for k, ok := range seen {
		if !ok {
			r.Missing = append(r.Missing, k)
		}
	}
	slices.Sort(r.Orphans)
	slices.Sort(r.Missing)
	return r, nil
}

// EraseOrphans deletes orphans, reading the referenced keys once more
// first, so a row committed since the check keeps its blob. It returns how
// many it erased.
func EraseOrphans(ctx context.Context, refs Referenced, blobs Store, orphans []string) (int, error) {
	still := make(map[string]bool, len(orphans))
	for _, k := range orphans {
		still[k] = true
	}
	if err := refs(ctx, func(k string) error { delete(still, k); return nil }); err != nil {
		return 0, fmt.Errorf("blobs check: read the keys rows refer to again: %w", err)
	}
	n := 0
	for _, k := range orphans {
		if !still[k] {
			continue
		}
		if err := blobs.Delete(ctx, k); err != nil {
			return n, fmt.Errorf("blobs check: erase %s: %w", k, err)
		}
		n++
	}
	return n, nil
}
