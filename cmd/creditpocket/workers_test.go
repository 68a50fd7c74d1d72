package main

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"creditpocket/internal/store"
	"creditpocket/internal/store/storetest"
)

func TestServeWorkersAreAwaitedBeforeTheDatabaseCloses(t *testing.T) {
	storetest.Run(t, func(t *testing.T, e store.Engine) {
		dbURL, dir := storetest.URL(t, e)
		app, err := Open(context.Background(), devConfig(dbURL, dir), slog.New(slog.DiscardHandler), Options{Hasher: fastHasher, QuietRequests: true})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		app.startWorkers(ctx, "http://127.0.0.1:1/payment/webhook")
		// A worker slow to stop: once its context ends it still reads the
		// database, as a close of business finishing its last batch would.
		var finished atomic.Bool
		var lastErr atomic.Value
		app.goWorker(ctx, func(ctx context.Context) {
			<-ctx.Done()
			time.Sleep(200 * time.Millisecond)
			if err := app.DB.Ping(context.Background()); err != nil {
				lastErr.Store(err)
			}
			finished.Store(true)
		})
		cancel() // what SIGINT does to serve's context
		if err := app.Close(); err != nil {
			t.Fatal(err)
		}
		if !finished.Load() {
			t.Fatal("Close returned before every worker had")
		}
		if err := lastErr.Load(); err != nil {
			t.Fatalf("a worker found the database closed: %v", err)
		}
	})
	t.Run("an app whose workers never started closes", func(t *testing.T) {
		dbURL, dir := storetest.URL(t, store.SQLite)
		app, err := Open(context.Background(), devConfig(dbURL, dir), slog.New(slog.DiscardHandler), Options{Hasher: fastHasher, QuietRequests: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := app.Close(); err != nil {
			t.Fatal(err)
		}
	})
}
