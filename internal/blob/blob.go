// Package blob stores files (loan photos, KYC documents, credit reports)
// behind a small contract, with a filesystem implementation under
// DataDir/blobs. Callers encrypt personal documents before storing them;
// the store only keeps bytes under opaque keys.
package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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
// in two-level fan-out folders so no folder grows huge.
type FS struct {
	root string
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
	return filepath.Join(f.root, key[:2], key[2:4], key), nil
}

// Put writes data to a temporary file and renames it into place, so a
// crash never leaves a half-written blob under a real key.
func (f *FS) Put(ctx context.Context, data []byte) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	key := hex.EncodeToString(b[:])
	p, _ := f.path(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return "", err
	}
	return key, nil
}

// Get reads a blob.
func (f *FS) Get(ctx context.Context, key string) ([]byte, error) {
	p, err := f.path(key)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
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
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
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
