// Package blob stores files (loan photos, KYC documents, credit reports)
// behind a small contract. Callers encrypt personal documents before
// storing them; the store only keeps bytes under opaque keys.
//
// Two implementations share a root folder. FS keeps one file per blob
// under 32-hex-digit keys. Packs appends blobs as records to pack files
// root/packs/<16 hex digits>.pack and reads FS keys through an FS, so a
// root can move from FS to Packs without losing blobs.
//
// A pack record is a 24-byte header followed by the payload, integers big
// endian:
//
//	offset  size  field
//	0       4     magic "CPB1"
//	4       1     format version, 1
//	5       1     flags: 1 = deleted (payload erased)
//	6       2     reserved, zero
//	8       4     payload length
//	12      8     tag: random per record, repeated in the key
//	20      4     CRC-32C (Castagnoli) of the payload
//	24      n     payload
//
// Records follow each other with no padding, starting at offset 0. A pack
// is appended to only by the process that created it (it holds an
// exclusive flock while it does); a crash can leave a torn record at the
// end, which no key refers to. Delete sets the deleted flag and syncs it,
// then punches a hole over the payload (or zeroes it), so the header still
// gives the length to step over while the bytes are gone; a crash between
// the two leaves a deleted record whose bytes a repeated Delete erases.
// Delete changes bytes inside a pack: a backup must copy changed packs
// whole, not just what was appended.
//
// A Packs key is "p" followed by fixed-width lowercase hex: pack id (16
// digits), record offset (16), payload length (8) and tag (16), 57
// characters in all. Get and Delete act only when the header at the
// offset carries the key's length and tag.
package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Store keeps immutable blobs under keys it chooses.
type Store interface {
	// Put stores data and returns its new key.
	Put(ctx context.Context, data []byte) (key string, err error)
	// Get returns the blob stored under key.
	Get(ctx context.Context, key string) ([]byte, error)
	// Delete removes a blob; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// ErrNotFound is returned for an unknown key.
var ErrNotFound = errors.New("blob: not found")

// FS is a Store on the local filesystem. Keys are random hex; files live
// in 256 fan-out folders named by the key's first two digits (ext4 and XFS
// index large folders, so tens of thousands of files each are fine, and
// the folders all exist after a few hundred writes, which keeps a write to
// one file create). Blobs written by earlier versions, in two-level
// folders (ab/cd/key), are still read and deleted.
type FS struct {
	root string
	dirs sync.Map // fan-out folders known to exist: one MkdirAll per folder and process
}

// NewFS creates the root folder if needed.
func NewFS(root string) (*FS, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("blob store %s: %w", root, err)
	}
	return &FS{root: root}, nil
}

func (f *FS) path(key string) (string, error) {
	if len(key) != 32 || strings.Trim(key, "0123456789abcdef") != "" {
		return "", ErrNotFound
	}
	return filepath.Join(f.root, key[:2], key), nil
}

// legacyPath is where versions before the one-level layout put key.
func (f *FS) legacyPath(key string) string {
	return filepath.Join(f.root, key[:2], key[2:4], key)
}

// Put writes data under a new random key and flushes it to disk before
// returning. The file is created at its final name: a crash mid-write can
// leave a partial file, but only under a key nobody holds, since callers
// record a key only after Put returns (the same as a blob whose caller
// failed later), so no temporary file and rename are needed.
func (f *FS) Put(ctx context.Context, data []byte) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	key := hex.EncodeToString(b[:])
	p, _ := f.path(key)
	dir := filepath.Dir(p)
	if _, known := f.dirs.Load(dir); !known {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", err
		}
		f.dirs.Store(dir, struct{}{})
	}
	file, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	if err := writeSynced(file, data); err != nil {
		os.Remove(p)
		return "", err
	}
	return key, nil
}

// writeSynced writes data to f, flushes it to disk and closes f.
func writeSynced(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// Get reads a blob.
func (f *FS) Get(ctx context.Context, key string) ([]byte, error) {
	p, err := f.path(key)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		b, err = os.ReadFile(f.legacyPath(key))
	}
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return b, err
}

// Delete removes a blob.
func (f *FS) Delete(ctx context.Context, key string) error {
	p, err := f.path(key)
	if err != nil {
		return nil
	}
	for _, p := range []string{p, f.legacyPath(key)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// walk calls fn with the key of every blob file under the root, in either
// folder layout; the packs folder and anything not named as a key are
// skipped.
func (f *FS) walk(ctx context.Context, fn WalkFunc) error {
	return filepath.WalkDir(f.root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case ctx.Err() != nil:
			return ctx.Err()
		case d.IsDir() && d.Name() == "packs" && filepath.Dir(p) == f.root:
			return filepath.SkipDir
		case d.IsDir():
			return nil
		}
		if _, err := f.path(d.Name()); err != nil {
			return nil
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // deleted meanwhile
		}
		if err != nil {
			return err
		}
		return fn(d.Name(), info.ModTime())
	})
}

// ReadLimited reads at most max bytes from r, failing with ErrTooLarge when
// there is more, so an upload is never read whole into memory past its cap.
func ReadLimited(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, ErrTooLarge
	}
	return b, nil
}

// ErrTooLarge is returned by ReadLimited.
var ErrTooLarge = errors.New("blob: too large")
