package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"creditpocket/internal/blob"
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
	if *grace < blob.MinGrace {
		return fmt.Errorf("blobs check: --grace must be at least %s: younger blobs may belong to requests in flight", blob.MinGrace)
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

	r, err := blob.Check(ctx, db.BlobKeys, blobs, time.Now().Add(-*grace))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "blobs check: %d stored, %d referenced, %d orphaned (written more than %s ago), %d too young to judge, %d missing\n",
		r.Stored, r.Referenced, len(r.Orphans), *grace, r.Young, len(r.Missing))
	for _, k := range r.Orphans {
		fmt.Fprintln(stdout, "ORPHAN", k)
	}
	for _, k := range r.Missing {
		fmt.Fprintln(stdout, "MISSING", k)
	}
	if *erase && len(r.Orphans) > 0 {
		if len(r.Orphans)*2 > r.Stored && !*force {
			return fmt.Errorf("blobs check: refusing to erase %d of %d stored blobs: when most look orphaned, the database is more likely the wrong one (a stale restore, another deployment) than the blobs unwanted; check --data and --database-url, or give --force", len(r.Orphans), r.Stored)
		}
		n, err := blob.EraseOrphans(ctx, db.BlobKeys, blobs, r.Orphans)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "blobs check: erased %d orphans\n", n)
	} else if len(r.Orphans) > 0 {
		fmt.Fprintln(stdout, "blobs check: run with --erase to delete the orphans")
	}
	if len(r.Missing) > 0 {
		return fmt.Errorf("blobs check: %d referenced blobs are missing", len(r.Missing))
	}
	return nil
}
