// Package vault protects personal data at rest: AES-256-GCM sealing of ID
// numbers, account numbers and documents, keyed hashes (HMAC-SHA256) so
// sealed values can still be looked up by equality, and masks for showing a
// value without revealing it.
//
// One 32-byte master key comes from configuration; separate subkeys for
// sealing and hashing are derived from it with HMAC, so a leaked hash key
// cannot decrypt anything.
package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// version prefixes every sealed value so keys can be rotated later.
const version byte = 1

// Vault seals and hashes values with keys derived from one master key.
type Vault struct {
	aead    cipher.AEAD
	hashKey []byte
}

// New builds a Vault from a 32-byte master key.
func New(master []byte) (*Vault, error) {
	if len(master) != 32 {
		return nil, fmt.Errorf("vault: master key must be 32 bytes, got %d", len(master))
	}
	block, err := aes.NewCipher(derive(master, "creditpocket seal v1"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Vault{aead: aead, hashKey: derive(master, "creditpocket lookup hash v1")}, nil
}

func derive(master []byte, label string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// LoadOrCreateDevKey reads dir/keys/master.key, creating it with a random
// key (mode 0600) on first start. It is for development and demos; production
// passes the key in configuration.
func LoadOrCreateDevKey(dataDir string) ([]byte, error) {
	dir := filepath.Join(dataDir, "keys")
	path := filepath.Join(dir, "master.key")
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) != 32 {
			return nil, fmt.Errorf("%s: not base64 of 32 bytes", path)
		}
		return k, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // another process won the race
			return LoadOrCreateDevKey(dataDir)
		}
		return nil, err
	}
	defer f.Close()
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n"); err != nil {
		return nil, err
	}
	return k, f.Sync()
}

// Seal encrypts plain. aad binds the ciphertext to its context (for example
// "profile.id_number:42"), so a sealed value copied to another row or column
// does not open.
func (v *Vault) Seal(plain, aad []byte) ([]byte, error) {
	ns := v.aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plain)+v.aead.Overhead())
	out[0] = version
	if _, err := rand.Read(out[1 : 1+ns]); err != nil {
		return nil, err
	}
	return v.aead.Seal(out, out[1:1+ns], plain, aad), nil
}

// ErrCorrupt is returned when a sealed value does not open.
var ErrCorrupt = errors.New("vault: sealed value is corrupt or was sealed with another key")

// Open decrypts a value made by Seal with the same aad.
func (v *Vault) Open(sealed, aad []byte) ([]byte, error) {
	ns := v.aead.NonceSize()
	if len(sealed) < 1+ns+v.aead.Overhead() || sealed[0] != version {
		return nil, ErrCorrupt
	}
	plain, err := v.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], aad)
	if err != nil {
		return nil, ErrCorrupt
	}
	return plain, nil
}

// SealString and OpenString are Seal and Open for strings.
func (v *Vault) SealString(plain, aad string) ([]byte, error) {
	return v.Seal([]byte(plain), []byte(aad))
}

func (v *Vault) OpenString(sealed []byte, aad string) (string, error) {
	b, err := v.Open(sealed, []byte(aad))
	return string(b), err
}

// Hash returns a keyed hash of value within a domain ("id_number",
// "account"): equal values hash equal, but the hash reveals nothing without
// the key, unlike a plain SHA-256 of an 11-digit number.
func (v *Vault) Hash(domain, value string) string {
	m := hmac.New(sha256.New, v.hashKey)
	m.Write([]byte(domain))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

// Mask shows the shape of a secret without revealing it: card numbers keep
// their first four and last four digits (5399********9214), shorter values
// their last four, very short ones nothing.
func Mask(s string) string {
	n := len(s)
	switch {
	case n >= 12:
		return s[:4] + strings.Repeat("*", n-8) + s[n-4:]
	case n >= 6:
		return strings.Repeat("*", n-4) + s[n-4:]
	default:
		return strings.Repeat("*", n)
	}
}
