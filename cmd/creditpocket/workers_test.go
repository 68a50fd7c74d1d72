package main

import (
	"context"
	"log/slog"
	"strings"
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

func TestAWorkerThatPanicsIsLoggedAndRunsAgainWithoutStoppingServe(t *testing.T) {
	defer func(d time.Duration) { workerRestart = d }(workerRestart)
	workerRestart = 10 * time.Millisecond
	dbURL, dir := storetest.URL(t, store.SQLite)
	var logs syncBuffer
	app, err := Open(context.Background(), devConfig(dbURL, dir), slog.New(slog.NewJSONHandler(&logs, nil)), Options{Hasher: fastHasher, QuietRequests: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var runs atomic.Int32
	again := make(chan struct{})
	app.goWorker(ctx, func(ctx context.Context) {
		if runs.Add(1) == 1 {
			panic("a bug in one background job")
		}
		close(again)
		<-ctx.Done()
	})
	select {
	case <-again:
	case <-time.After(5 * time.Second):
		t.Fatal("the worker did not run again after its panic")
	}
	if err := app.DB.Ping(context.Background()); err != nil {
		t.Fatalf("the database after a worker's panic: %v", err)
	}
	cancel()
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "background worker panicked") || !strings.Contains(logs.String(), "a bug in one background job") {
		t.Fatalf("the panic was not logged: %s", logs.String())
	}
}
