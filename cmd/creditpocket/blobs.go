package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"time"

	"creditpocket/internal/blob"
	"creditpocket/internal/store"
)

// cmdBlobs runs "creditpocket blobs check": it compares the blobs stored
// under the data folder with the keys the database refers to.
//
//   - An orphan is a stored blob no row refers to: a photo or document
//     whose request failed or whose process died between writing it and
//     writing its row. It is sealed personal data kept for no purpose, so
//     --erase deletes it. Only blobs older than --grace (at least 15
//     minutes) are judged, and the referenced keys are read again just
//     before erasing, so a request still in flight is never taken for one.
//     When most stored blobs look orphaned, --erase refuses without
//     --force: the database is then likelier the wrong one than the blobs
//     unwanted, and the check never creates or migrates a database.
//   - A missing blob is a key a row refers to that the store does not hold
//     (a lost disk, a restore from an older backup): the command fails,
//     naming them.
func cmdBlobs(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprintln(stderr, "usage: creditpocket blobs check [--erase] [--grace 1h] [flags]")
		return errors.New("blobs: want the check subcommand")
	}
	cfg, fs, err := commandFlags("blobs check", env, stderr)
	if err != nil {
		return err
	}
	erase := fs.Bool("erase", false, "delete the orphans (erasing their bytes)")
	force := fs.Bool("force", false, "erase even when most stored blobs look orphaned (see the refusal's message)")
	grace := fs.Duration("grace", time.Hour, "judge only blobs written longer ago than this (at least 15m)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if *grace < minBlobGrace {
		return fmt.Errorf("blobs check: --grace must be at least %s: younger blobs may belong to requests in flight", minBlobGrace)
	}
	// The database these blobs belong to, as it is: a check never creates
	// or migrates one. Against an empty database every blob would look
	// orphaned.
	db, err := openExisting(ctx, *cfg, newLogger(stderr, cfg.LogLevel))
	if err != nil {
		return fmt.Errorf("blobs check: %w", err)
	}
	defer db.Close()
	blobs, err := blob.OpenPacks(filepath.Join(cfg.DataDir, "blobs"))
	if err != nil {
		return err
	}
	defer blobs.Close()

	r, err := checkBlobs(ctx, db, blobs, time.Now().Add(-*grace))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "blobs check: %d stored, %d referenced, %d orphaned (written more than %s ago), %d too young to judge, %d missing\n",
		r.stored, r.referenced, len(r.orphans), *grace, r.young, len(r.missing))
	for _, k := range r.orphans {
		fmt.Fprintln(stdout, "ORPHAN", k)
	}
	for _, k := range r.missing {
		fmt.Fprintln(stdout, "MISSING", k)
	}
	if *erase && len(r.orphans) > 0 {
		if len(r.orphans)*2 > r.stored && !*force {
			return fmt.Errorf("blobs check: refusing to erase %d of %d stored blobs: when most look orphaned, the database is more likely the wrong one (a stale restore, another deployment) than the blobs unwanted; check --data and --database-url, or give --force", len(r.orphans), r.stored)
		}
		n, err := eraseOrphans(ctx, db, blobs, r.orphans)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "blobs check: erased %d orphans\n", n)
	} else if len(r.orphans) > 0 {
		fmt.Fprintln(stdout, "blobs check: run with --erase to delete the orphans")
	}
	if len(r.missing) > 0 {
		return fmt.Errorf("blobs check: %d referenced blobs are missing", len(r.missing))
	}
	return nil
}

// minBlobGrace is the youngest a blob may be to be judged: a request holds
// its blob for the time between writing it and committing its row (a
// decision, a lock wait, retries), which is seconds, not minutes.
const minBlobGrace = 15 * time.Minute

// eraseOrphans deletes orphans, reading the referenced keys once more
// first, so a row committed since the check keeps its blob.
func eraseOrphans(ctx context.Context, db *store.DB, blobs *blob.Packs, orphans []string) (int, error) {
	still := make(map[string]bool, len(orphans))
	for _, k := range orphans {
		still[k] = true
	}
	if err := db.BlobKeys(ctx, func(k string) error { delete(still, k); return nil }); err != nil {
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

// blobReport is what checkBlobs found; keys are sorted.
type blobReport struct {
	stored, referenced, young int
	orphans, missing          []string
}

// checkBlobs reads the referenced keys first and the stored blobs after, so
// a blob written in between is young, never an orphan, as long as writing
// a blob and its row takes less than the grace period.
func checkBlobs(ctx context.Context, db *store.DB, blobs *blob.Packs, judgedBefore time.Time) (blobReport, error) {
	var r blobReport
	refs := make(map[string]bool) // key → seen in the store
	if err := db.BlobKeys(ctx, func(k string) error { refs[k] = false; return nil }); err != nil {
		return r, fmt.Errorf("blobs check: read the keys rows refer to: %w", err)
	}
	err := blobs.Walk(ctx, func(k string, written time.Time) error {
		r.stored++
		if _, ok := refs[k]; ok {
			refs[k] = true
			return nil
		}
		if written.After(judgedBefore) {
			r.young++
			return nil
		}
		r.orphans = append(r.orphans, k)
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("blobs check: walk the store: %w", err)
	}
	r.referenced = len(refs)
	for k, seen := range refs {
		if !seen {
			r.missing = append(r.missing, k)
		}
	}
	slices.Sort(r.orphans)
	slices.Sort(r.missing)
	return r, nil
}
