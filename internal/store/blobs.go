package store

import (
	"context"
	"strings"
)

// BlobKeys calls fn with every blob key a row refers to: loan application
// photos, KYC documents and attached credit reports, in one read-only
// transaction, one snapshot on both engines. Rows are streamed, not collected; a key may
// come more than once.
func (db *DB) BlobKeys(ctx context.Context, fn func(key string) error) error {
	return db.View(ctx, func(ctx context.Context, t *Tx) error {
		for _, q := range []string{
			`SELECT photos FROM loans WHERE photos <> ''`, // comma-separated keys
			`SELECT blob_key FROM kyc_documents`,
			`SELECT blob_key FROM credit_reports`,
		} {
			if err := eachString(ctx, t, q, func(v string) error {
				for _, k := range strings.Split(v, ",") {
					if err := fn(k); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
}

// eachString runs a one-column query and calls fn with each value.
func eachString(ctx context.Context, t *Tx, q string, fn func(string) error) error {
	rows, err := t.Query(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return rows.Err()
}
