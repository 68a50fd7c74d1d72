package blob

import (
	"context"
	"fmt"

	"creditpocket/internal/vault"
)

// Photos keeps loan application photos sealed in a Store: each is
// encrypted under the vault with its borrower's id as additional data, so
// a photo opens only as the photo of the borrower it was taken for. It
// implements loan.Photos and serves the console's photo view.
type Photos struct {
	Store Store
	Vault *vault.Vault
}

// photoAAD binds a sealed photo to its borrower.
func photoAAD(userID int64) []byte { return fmt.Appendf(nil, "loan.photo:%d", userID) }

// PutPhoto seals data and stores it, returning its key.
func (p Photos) PutPhoto(ctx context.Context, userID int64, data []byte) (string, error) {
	sealed, err := p.Vault.Seal(data, photoAAD(userID))
	if err != nil {
		return "", err
	}
	return p.Store.Put(ctx, sealed)
}

// DeletePhoto removes a stored photo (erasing its bytes).
func (p Photos) DeletePhoto(ctx context.Context, key string) error { return p.Store.Delete(ctx, key) }

// Photo opens the photo stored under key for borrower userID.
func (p Photos) Photo(ctx context.Context, userID int64, key string) ([]byte, error) {
	sealed, err := p.Store.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("read loan photo: %w", err)
	}
	return p.Vault.Open(sealed, photoAAD(userID))
}
