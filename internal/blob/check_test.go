package blob

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// walkList is a Walker over fixed blobs and a Store that records deletes.
type walkList struct {
	written map[string]time.Time
	deleted []string
}

func (w *walkList) Walk(ctx context.Context, fn WalkFunc) error {
	for k, at := range w.written {
		if err := fn(k, at); err != nil {
			return err
		}
	}
	return nil
}

func (w *walkList) Put(context.Context, []byte) (string, error) { return "", nil }
func (w *walkList) Get(context.Context, string) ([]byte, error) { return nil, ErrNotFound }
func (w *walkList) Delete(_ context.Context, k string) error {
	w.deleted = append(w.deleted, k)
	return nil
}

func refsOf(keys ...string) Referenced {
	return func(_ context.Context, fn func(string) error) error {
		for _, k := range keys {
			if err := fn(k); err != nil {
				return err
			}
		}
		return nil
	}
}

func TestCheckSortsBlobsIntoReferencedOrphanedYoungAndMissing(t *testing.T) {
	cut := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	w := &walkList{written: map[string]time.Time{
		"kept": cut.Add(-time.Hour), "old-orphan": cut.Add(-time.Hour), "young": cut.Add(time.Minute),
	}}
	r, err := Check(context.Background(), refsOf("kept", "lost"), w, cut)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%d %d %d %v %v", r.Stored, r.Referenced, r.Young, r.Orphans, r.Missing); got != "3 2 1 [old-orphan] [lost]" {
		t.Fatalf("report = %s", got)
	}
	t.Run("erasing spares an orphan a row came to refer to since the check", func(t *testing.T) {
		n, err := EraseOrphans(context.Background(), refsOf("kept", "old-orphan"), w, []string{"old-orphan"})
		if err != nil || n != 0 || len(w.deleted) != 0 {
			t.Fatalf("erased %d (%v), deleted %v", n, err, w.deleted)
		}
	})
	t.Run("erasing deletes an orphan still unreferenced", func(t *testing.T) {
		n, err := EraseOrphans(context.Background(), refsOf("kept"), w, r.Orphans)
		if err != nil || n != 1 || fmt.Sprint(w.deleted) != "[old-orphan]" {
			t.Fatalf("erased %d (%v), deleted %v", n, err, w.deleted)
		}
	})
}
