package main

import (
	"context"
	"flag"
	"io"

	"creditpocket/internal/account"
	"creditpocket/internal/config"
	"creditpocket/internal/partner"
	"creditpocket/internal/partner/partnercmd"
	"creditpocket/internal/staff"
	"creditpocket/internal/staff/staffcmd"
	"creditpocket/internal/store/partnerdb"
)

// cmdStaff runs "creditpocket staff …" (internal/staff/staffcmd) on the
// existing, migrated database of the configuration its flags give.
func cmdStaff(ctx context.Context, args []string, env func(string) (string, bool), stdin io.Reader, stdout, stderr io.Writer) error {
	cfg := config.Default()
	return staffcmd.Run(ctx, args, staffcmd.Opener{
		Bind: func(fs *flag.FlagSet) error { return cfg.Bind(fs, env) },
		Open: func(ctx context.Context) (*staff.Service, func(), error) {
			db, v, err := openSealed(ctx, cfg, nil)
			if err != nil {
				return nil, nil, err
			}
			return newStaffService(db, v, account.DefaultArgon2id(), nil), func() { db.Close() }, nil
		},
	}, stdin, stdout, stderr)
}

// cmdPartner runs "creditpocket partner …" (internal/partner/partnercmd)
// on the existing, migrated database of the configuration its flags give.
func cmdPartner(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	cfg := config.Default()
	return partnercmd.Run(ctx, args, partnercmd.Opener{
		Bind: func(fs *flag.FlagSet) error { return cfg.Bind(fs, env) },
		Open: func(ctx context.Context) (*partner.Service, func(), error) {
			if err := cfg.Validate(); err != nil {
				return nil, nil, err
			}
			db, err := openExisting(ctx, cfg, nil)
			if err != nil {
				return nil, nil, err
			}
			return &partner.Service{Store: partnerdb.New(db)}, func() { db.Close() }, nil
		},
	}, stdout, stderr)
}
