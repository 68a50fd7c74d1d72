package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
	_ "time/tzdata" // the binary carries its own zone database

	"github.com/nyaruka/phonenumbers"

	"creditpocket/internal/account"
	"creditpocket/internal/blob"
	"creditpocket/internal/clientip"
	"creditpocket/internal/config"
	"creditpocket/internal/creditreport/intake"
	"creditpocket/internal/demo"
	"creditpocket/internal/httpapi"
	"creditpocket/internal/httpapi/appapi"
	"creditpocket/internal/httpapi/partnerapi"
	"creditpocket/internal/kyc"
	"creditpocket/internal/kyc/notify"
	"creditpocket/internal/loan"
	"creditpocket/internal/loan/cob"
	"creditpocket/internal/loan/payout"
	"creditpocket/internal/loan/repay"
	"creditpocket/internal/membudget"
	"creditpocket/internal/partner"
	"creditpocket/internal/payment"
	"creditpocket/internal/risk"
	"creditpocket/internal/risk/decision"
	"creditpocket/internal/sms"
	"creditpocket/internal/staff"
	"creditpocket/internal/store"
	"creditpocket/internal/store/accountdb"
	"creditpocket/internal/store/partnerdb"
	"creditpocket/internal/store/paymentdb"
	"creditpocket/internal/store/riskdb"
	"creditpocket/internal/vault"
)

// parseConfig reads a command's flags over the environment.
func parseConfig(name string, args []string, env func(string) (string, bool), stderr io.Writer) (config.Config, error) {
	cfg, fs, err := commandFlags(name, env, stderr)
	if err != nil {
		return *cfg, err
	}
	if err := fs.Parse(args); err != nil {
		return *cfg, err
	}
	if fs.NArg() > 0 {
		return *cfg, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return *cfg, cfg.Validate()
}

// commandFlags is the flag set of "creditpocket name" with the
// configuration flags of serve (--data, --database-url, …) bound to cfg;
// a command adds its own flags before parsing.
func commandFlags(name string, env func(string) (string, bool), stderr io.Writer) (*config.Config, *flag.FlagSet, error) {
	cfg := config.Default()
	fs := flag.NewFlagSet("creditpocket "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return &cfg, fs, cfg.Bind(fs, env)
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// App is a wired creditpocket: its database and services.
type App struct {
	Config config.Config
	DB     *store.DB
	Blobs  *blob.Packs // photos, KYC documents, credit reports: DataDir/blobs
	Server *httpapi.Server
	Log    *slog.Logger
	// Partners holds open-API credentials.
	Partners *partner.Service
	// Loans is the loan engine's applications, decisions and reads;
	// Payouts, Repay and COB its payout, payment and close-of-business
	// flows; Payments the sandbox provider's asynchronous half (payouts,
	// checkouts, webhooks).
	Loans    *loan.Service
	Payouts  *payout.Dispatcher
	Repay    *repay.Service
	COB      *cob.Runner
	Payments *payment.Async
	// Risk is the risk-decision engine; RiskStore its storage (risk.go).
	Risk      *risk.Engine
	RiskStore *riskdb.Store
	// Decisions decides and stores risk events for the partner API and
	// loan underwriting alike, and takes loans' outcomes as feedback.
	Decisions *decision.Service
	// KYC is the card-binding KYC service; KYCNotifier delivers its
	// merchant webhooks (wire_kyc.go).
	KYC         *kyc.Service
	KYCNotifier *notify.Notifier

	clock   func() time.Time // Options.Now
	workers workers          // serve's background work (workers.go)
}

// Options let tests lighten the wiring.
type Options struct {
	Hasher        account.PasswordHasher // nil means the production argon2id
	QuietRequests bool
	Now           func() time.Time // nil means time.Now
}

// Open wires an App as serve does: database (created and migrated, demo
// data seeded when configured), key (checked against the database's key
// check value), blob store, providers and services.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, opt Options) (*App, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir, log)
	if err != nil {
		return nil, err
	}
	return openApp(ctx, db, cfg, log, opt, true)
}

// OpenExisting wires an App on an existing, migrated database, for
// commands that must never create or migrate one (cob run).
func OpenExisting(ctx context.Context, cfg config.Config, log *slog.Logger, opt Options) (*App, error) {
	db, err := store.OpenExisting(ctx, cfg.DatabaseURL, cfg.DataDir, log)
	if err != nil {
		return nil, err
	}
	return openApp(ctx, db, cfg, log, opt, false)
}

func openApp(ctx context.Context, db *store.DB, cfg config.Config, log *slog.Logger, opt Options, setup bool) (*App, error) {
	app := &App{Config: cfg, DB: db, Log: log}
	if err := app.init(ctx, opt, setup); err != nil {
		db.Close()
		return nil, err
	}
	return app, nil
}

// init wires the services; setup first migrates the database and seeds
// the demo data.
func (a *App) init(ctx context.Context, opt Options, setup bool) error {
	cfg := a.Config
	a.clock = opt.Now
	if setup {
		if _, err := a.DB.Migrate(ctx); err != nil {
			return err
		}
	}
	if setup && cfg.SeedDemo {
		if err := accountdb.NewReference(a.DB).Seed(ctx, demo.Reference()); err != nil {
			return fmt.Errorf("seed demo data: %w", err)
		}
	}
	v, err := openCheckedVault(ctx, cfg, a.DB, setup)
	if err != nil {
		return err
	}
	if a.Blobs, err = blob.OpenPacks(filepath.Join(cfg.DataDir, "blobs")); err != nil {
		return err
	}
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return err
	}
	hasher := opt.Hasher
	if hasher == nil {
		hasher = account.DefaultArgon2id()
	}
	acfg := account.DefaultConfig()
	acfg.DefaultCallingCode = cfg.DefaultCallingCode
	acfg.DefaultCountry = phonenumbers.GetRegionCodeForCountryCode(cfg.DefaultCallingCode)
	acfg.SessionTTL = cfg.SessionTTL
	acfg.SessionCacheTTL = cfg.SessionCacheTTL
	smsSandbox := &sms.Sandbox{Outbox: accountdb.NewSMSOutbox(a.DB), Now: opt.Now}
	accounts := &account.Service{
		Store:    accountdb.New(a.DB),
		SMS:      smsSandbox,
		Payments: &payment.Sandbox{Recipients: paymentdb.NewRecipients(a.DB), Now: opt.Now},
		Vault:    v,
		Blobs:    a.Blobs,
		Hasher:   hasher,
		Config:   acfg,
		Now:      opt.Now,
	}
	if setup && cfg.SeedDemo {
		if err := seedLoanDemo(ctx, a.DB); err != nil {
			return err
		}
	}
	a.Partners = &partner.Service{Store: partnerdb.New(a.DB), Now: opt.Now}
	riskAPI := a.wireRisk(ctx, v, opt) // risk engine (risk.go); loan apply decides with it
	loans, err := a.wireLoans(v, accounts, loc, opt)
	if err != nil {
		return err
	}
	// card-binding KYC (wire_kyc.go)
	if err := a.wireKYC(v, opt); err != nil {
		return err
	}
	cons, err := a.wireConsole(v, accounts, hasher, loc, opt) // operator console (wire_console.go)
	if err != nil {
		return err
	}
	proxies, err := clientip.Parse(cfg.TrustedProxies) // checked by config.Validate
	if err != nil {
		return fmt.Errorf("trusted-proxies: %w", err)
	}
	a.Server = httpapi.New(httpapi.Server{
		Proxies:   proxies,
		Console:   cons,
		Partners:  a.Partners,
		OpsToken:  cfg.OpsToken,
		Risk:      riskAPI,
		KYC:       a.KYC,
		Reports:   &intake.Service{},
		Loans:     loans,
		Accounts:  accounts,
		Reference: accountdb.NewReference(a.DB),
		SMS:       smsSandbox, // config.Validate allows only the sandbox provider today
		Ready:     a.DB.Ping,
		Location:  loc,
		Version:   version,
		Memory:    membudget.New(cfg.MemoryBudget, 0),

		// The /sandbox/* routes exist only in dev mode, and answer only
		// loopback peers even then.
		DevSandbox: cfg.Dev,
		APIs:       []httpapi.API{appapi.Routes, partnerapi.Routes},
	}, httpapi.Options{Logger: a.Log, QuietRequests: opt.QuietRequests})
	return nil
}

// isLoopback reports whether a listens on a loopback address only (an
// unspecified host, ":8080", listens on every interface).
func isLoopback(a net.Addr) bool {
	t, ok := a.(*net.TCPAddr)
	return ok && t.IP.IsLoopback()
}

// loopback is the address the server's own workers call it on.
func loopback(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok && (t.IP == nil || t.IP.IsUnspecified()) {
		return net.JoinHostPort("127.0.0.1", fmt.Sprint(t.Port))
	}
	return a.String()
}

// masterKey is the configured key, or in dev mode the dev key under
// DataDir, which only serve (createDevKey) makes on first start.
func masterKey(cfg config.Config, createDevKey bool) ([]byte, error) {
	key, ok, err := cfg.Key()
	switch {
	case err != nil:
		return nil, err
	case ok:
		return key, nil
	case !cfg.Dev:
		return nil, errors.New("encryption key: none configured: set CREDITPOCKET_ENCRYPTION_KEY or --encryption-key-file (the dev key under --data is used only with --dev)")
	}
	if !createDevKey {
		path := filepath.Join(cfg.DataDir, "keys", "master.key")
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("encryption key: no dev key at %s (serve --dev makes it; check --data): %w", path, err)
		}
	}
	return vault.LoadOrCreateDevKey(cfg.DataDir)
}

// newVault is the vault of the configured master key; only serve
// (createDevKey) may make the dev key. Open it with openCheckedVault.
func newVault(cfg config.Config, createDevKey bool) (*vault.Vault, error) {
	key, err := masterKey(cfg, createDevKey)
	if err != nil {
		return nil, err
	}
	return vault.New(key)
}

// keyCheckLabel is hashed under the master key into the key check value
// (a keyed hash, so the value reveals nothing about the key).
const keyCheckLabel = "creditpocket master key check v1"

// keyCheckShown is how many hex digits of a key check value messages show.
const keyCheckShown = 12

// openCheckedVault is the vault of the configured key for db: the key's
// check value is recorded there by the first process and every later one
// must match it, so a process given another key refuses to start instead
// of failing on every sealed value it reads ("sealed value is corrupt").
// Only serve (createDevKey) makes a dev key; commands use the one there is.
func openCheckedVault(ctx context.Context, cfg config.Config, db *store.DB, createDevKey bool) (*vault.Vault, error) {
	v, err := newVault(cfg, createDevKey)
	if err != nil {
		return nil, err
	}
	mine := v.Hash("key-check", keyCheckLabel)
	recorded, err := db.KeyCheck(ctx, mine, func() error {
		// A database from before key check values records the key of its
		// first start after the upgrade: only if it opens the data there,
		// a sample of each kind (a deployment may hold staff or KYC
		// submissions and no borrower profile).
		refuse := func(what string) error {
			return fmt.Errorf("encryption key: this key does not open the personal data already stored (%s), so it is not this database's key; start with the key the data was sealed under (CREDITPOCKET_ENCRYPTION_KEY or --encryption-key-file)", what)
		}
		userID, sealed, ok, err := db.SealedIDNumber(ctx)
		if err != nil {
			return err
		}
		if _, err := v.OpenString(sealed, account.ProfileAAD(userID)); ok && err != nil {
			return refuse(fmt.Sprintf("user %d's ID number", userID))
		}
		email, sealed, ok, err := db.SealedTOTP(ctx)
		if err != nil {
			return err
		}
		if _, err := v.Open(sealed, staff.TOTPAAD(email)); ok && err != nil {
			return refuse("staff member " + email + "'s TOTP secret")
		}
		bindingID, sealed, ok, err := db.SealedApplicant(ctx)
		if err != nil {
			return err
		}
		if _, err := v.Open(sealed, kyc.ApplicantAAD(bindingID)); ok && err != nil {
			return refuse(fmt.Sprintf("KYC binding %d's applicant", bindingID))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if recorded != mine {
		return nil, fmt.Errorf("encryption key: this database was first started with another key: it expects the key whose check value begins %s, this key's begins %s; start with the expected key (CREDITPOCKET_ENCRYPTION_KEY or --encryption-key-file), since another key cannot open the personal data sealed under it",
			recorded[:min(keyCheckShown, len(recorded))], mine[:keyCheckShown])
	}
	return v, nil
}

// openSealed checks cfg and opens its existing, migrated database with the
// vault of its checked key, for the commands that read or write sealed
// data (staff, risk).
func openSealed(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.DB, *vault.Vault, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	db, err := openExisting(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	v, err := openCheckedVault(ctx, cfg, db, false)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, v, nil
}

// openExisting opens the configured database for the commands that work
// on a deployment's data beside running servers: it must exist and be
// migrated (store.OpenExisting); only serve and migrate create or migrate.
func openExisting(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.DB, error) {
	return store.OpenExisting(ctx, cfg.DatabaseURL, cfg.DataDir, log)
}

// Close stops the background workers, waits until every one has
// returned, and only then releases the database.
func (a *App) Close() error {
	a.stopWorkers()
	err := a.DB.Close()
	if a.Blobs != nil {
		err = errors.Join(err, a.Blobs.Close())
	}
	return err
}

func cmdServe(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	cfg, err := parseConfig("serve", args, env, stderr)
	if err != nil {
		return err
	}
	if refusals := cfg.ProductionRefusals(); len(refusals) > 0 {
		return fmt.Errorf("serve: refusing to start for real borrowers (run with --dev for the sandbox quick start): %s", strings.Join(refusals, "; "))
	}
	log := newLogger(stdout, cfg.LogLevel)
	log.Info("starting creditpocket", append([]any{"version", version}, cfg.Masked()...)...)
	app, err := Open(ctx, cfg, log, Options{})
	if err != nil {
		return err
	}
	defer app.Close()
	softMemoryLimit(cfg.MemoryBudget, env, log) // memlimit.go
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	if cfg.Dev && !isLoopback(ln.Addr()) {
		log.Warn("DEV MODE LISTENING BEYOND LOOPBACK: sandbox providers and demo data, not safe for real borrowers, and other machines can reach it "+
			"(the /sandbox/* routes still answer only loopback peers); listen on 127.0.0.1 unless you mean it",
			"addr", ln.Addr().String())
	}
	app.startWorkers(ctx, "http://"+loopback(ln.Addr())+"/payment/webhook") // workers.go; Close awaits them
	err = serve(ctx, ln, app, cfg.DrainDelay, log)
	app.stopWorkers() // requests are drained; the deferred Close closes the database after this
	fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if ferr := app.Partners.Flush(fctx); ferr != nil { // batched partner call counts
		log.Warn("flush partner usage", "err", ferr)
	}
	return err
}

// serve runs the HTTP server on ln until ctx ends, then drains: /readyz
// answers 503 at once, requests are still served for drainDelay (so a load
// balancer notices and stops sending), then in-flight requests get up to
// 15 seconds.
func serve(ctx context.Context, ln net.Listener, app *App, drainDelay time.Duration, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           app.Server.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	app.Server.Drain()
	log.Info("shutting down", "drain_delay", drainDelay.String())
	time.Sleep(drainDelay)
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

func cmdMigrate(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	cfg, err := parseConfig("migrate", args, env, stderr)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir, newLogger(stderr, cfg.LogLevel))
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: applied %d migration(s) %v\n", db.Engine, len(applied), applied)
	return nil
}
