package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"creditpocket/internal/blob"
	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

// blobsCheck runs "creditpocket blobs check" against the app's data and
// returns what it printed and its error.
func (a *testApp) blobsCheck(extra ...string) (string, error) {
	a.t.Helper()
	var out, errOut strings.Builder
	args := append([]string{"blobs", "check", "--data", a.app.Config.DataDir}, extra...)
	if a.app.Config.DatabaseURL != "" {
		args = append(args, "--database-url", a.app.Config.DatabaseURL)
	}
	err := run(context.Background(), args, noEnv, &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestBlobsCheckErasesOrphansAndNamesMissingBlobs(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		a := newLoanApp(t, e, nil)
		tok := a.borrower("08031239001")
		a.applyReq(tok, "301")
		photo := a.latest(tok).HeadImgCode
		// A photo whose application never got its row: the process died
		// between the two writes.
		orphan, err := a.app.Blobs.Put(ctx, []byte("sealed photo of an application never stored"))
		if err != nil {
			t.Fatal(err)
		}

		out, err := a.blobsCheck()
		if err != nil || !strings.Contains(out, "2 stored, 1 referenced, 0 orphaned (written more than 1h0m0s ago), 1 too young to judge, 0 missing") {
			t.Fatalf("a fresh orphan must not be judged: %v\n%s", err, out)
		}

		// An hour later the orphan is judged, and erased on request.
		packs, _ := filepath.Glob(filepath.Join(a.app.Config.DataDir, "blobs", "packs", "*.pack"))
		old := time.Now().Add(-2 * time.Hour)
		for _, p := range packs {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
		out, err = a.blobsCheck()
		if err != nil || !strings.Contains(out, "1 orphaned") || !strings.Contains(out, "ORPHAN "+orphan) || strings.Contains(out, photo) {
			t.Fatalf("the orphan, and only it: %v\n%s", err, out)
		}
		if _, err := a.app.Blobs.Get(ctx, orphan); err != nil {
			t.Fatalf("a check without --erase deleted the orphan: %v", err)
		}
		if out, err = a.blobsCheck("--erase"); err != nil || !strings.Contains(out, "erased 1 orphans") {
			t.Fatalf("erase: %v\n%s", err, out)
		}
		if _, err := a.app.Blobs.Get(ctx, orphan); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("the erased orphan reads back: %v", err)
		}
		if _, err := a.app.Blobs.Get(ctx, photo); err != nil {
			t.Fatalf("the referenced photo was erased: %v", err)
		}

		// A referenced blob the store lost fails the check, named.
		if err := a.app.Blobs.Delete(ctx, photo); err != nil {
			t.Fatal(err)
		}
		out, err = a.blobsCheck()
		if err == nil || !strings.Contains(out, "MISSING "+photo) {
			t.Fatalf("a lost photo: %v\n%s", err, out)
		}
		if _, err := a.blobsCheck("--grace", "1m"); err == nil {
			t.Fatal("a grace shorter than 15 minutes was accepted")
		}

		// When most blobs look orphaned the database is likelier the wrong
		// one: --erase refuses unless forced.
		var lost []string
		for range 3 {
			k, err := a.app.Blobs.Put(ctx, []byte("sealed document"))
			if err != nil {
				t.Fatal(err)
			}
			lost = append(lost, k)
		}
		packs, _ = filepath.Glob(filepath.Join(a.app.Config.DataDir, "blobs", "packs", "*.pack"))
		for _, p := range packs {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
		if out, err := a.blobsCheck("--erase"); err == nil || !strings.Contains(err.Error(), "refusing to erase 3 of 3") {
			t.Fatalf("erasing every stored blob: %v\n%s", err, out)
		}
		if _, err := a.app.Blobs.Get(ctx, lost[0]); err != nil {
			t.Fatalf("a refused erase erased: %v", err)
		}
		// (The lost photo still fails the check.)
		if out, err := a.blobsCheck("--erase", "--force"); err == nil || !strings.Contains(out, "erased 3 orphans") {
			t.Fatalf("forced erase: %v\n%s", err, out)
		}

		// Against no database at all (PostgreSQL's data folder without
		// --database-url) the check stops instead of creating one.
		if e == store.Postgres {
			var out, errOut strings.Builder
			err := run(ctx, []string{"blobs", "check", "--erase", "--data", a.app.Config.DataDir}, noEnv, &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), "no creditpocket database") {
				t.Fatalf("without the database URL: %v\n%s", err, out.String())
			}
			if _, err := os.Stat(filepath.Join(a.app.Config.DataDir, "creditpocket.db")); err == nil {
				t.Fatal("the check created a database")
			}
		}
	})
}
