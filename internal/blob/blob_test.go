package blob

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFSPutGetDelete(t *testing.T) {
	ctx := context.Background()
	fs, err := NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	key, err := fs.Put(ctx, []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := fs.Get(ctx, key)
	if err != nil || !bytes.Equal(got, []byte("hello")) {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if err := fs.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Get(ctx, key); err != ErrNotFound {
		t.Fatalf("after delete err = %v", err)
	}
	t.Run("keys that try to escape the root are not found", func(t *testing.T) {
		for _, k := range []string{"../../etc/passwd", "", "ZZ", strings.Repeat("g", 32)} {
			if _, err := fs.Get(ctx, k); err != ErrNotFound {
				t.Errorf("Get(%q) err = %v", k, err)
			}
		}
	})
}

func TestReadLimited(t *testing.T) {
	if _, err := ReadLimited(strings.NewReader("12345"), 4); err != ErrTooLarge {
		t.Fatalf("err = %v", err)
	}
	b, err := ReadLimited(strings.NewReader("1234"), 4)
	if err != nil || string(b) != "1234" {
		t.Fatalf("got %q %v", b, err)
	}
}

func TestFSReadsAndDeletesBlobsOfTheTwoLevelLayout(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	fs, err := NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	const key = "0123456789abcdef0123456789abcdef"
	old := filepath.Join(root, "01", "23", key)
	if err := os.MkdirAll(filepath.Dir(old), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(old, []byte("written by an earlier version"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := fs.Get(ctx, key); err != nil || string(got) != "written by an earlier version" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if err := fs.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Fatalf("the old file is still there: %v", err)
	}
	if k, _ := fs.Put(ctx, []byte("new")); !fileExists(filepath.Join(root, k[:2], k)) {
		t.Fatal("a new blob is not in the one-level layout")
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
