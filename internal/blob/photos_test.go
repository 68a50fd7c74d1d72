package blob

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"creditpocket/internal/vault"
)

func TestPhotosAreSealedAndOpenOnlyForTheirBorrower(t *testing.T) {
	ctx := context.Background()
	fs, err := NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	p := Photos{Store: fs, Vault: v}
	photo := []byte("\xff\xd8\xff a borrower's face")
	key, err := p.PutPhoto(ctx, 42, photo)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the stored bytes are not the photo", func(t *testing.T) {
		raw, err := fs.Get(ctx, key)
		if err != nil || bytes.Contains(raw, photo) {
			t.Fatalf("stored %q, %v", raw, err)
		}
	})
	t.Run("the photo opens for its borrower", func(t *testing.T) {
		if got, err := p.Photo(ctx, 42, key); err != nil || !bytes.Equal(got, photo) {
			t.Fatalf("Photo = %q, %v", got, err)
		}
	})
	t.Run("the photo does not open as another borrower's", func(t *testing.T) {
		if _, err := p.Photo(ctx, 43, key); err == nil {
			t.Fatal("borrower 43 opened borrower 42's photo")
		}
	})
	t.Run("a deleted photo is gone", func(t *testing.T) {
		if err := p.DeletePhoto(ctx, key); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Photo(ctx, 42, key); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Photo after delete = %v, want ErrNotFound", err)
		}
	})
}
