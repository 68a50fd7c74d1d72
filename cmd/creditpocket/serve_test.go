package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a concurrency-safe writer the server logs into.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeStartsLogsAndShutsDownGracefully runs the real serve command on
// a random port: it logs its configuration with secrets masked and a
// request id on request lines, serves, and on cancellation (what SIGINT and
// SIGTERM do) drains and returns without error.
func TestServeStartsLogsAndShutsDownGracefully(t *testing.T) {
	dir := t.TempDir()
	env := func(k string) (string, bool) {
		switch k {
		case "CREDITPOCKET_DATA":
			return dir, true
		case "CREDITPOCKET_ENCRYPTION_KEY":
			return "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", true
		case "CREDITPOCKET_DEV": // sandbox providers; the only ones this version has
			return "1", true
		}
		return "", false
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, env, &logs, io.Discard) }()

	var addr string
	for deadline := time.Now().Add(20 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		sc := bufio.NewScanner(strings.NewReader(logs.String()))
		for sc.Scan() {
			var line map[string]any
			if json.Unmarshal(sc.Bytes(), &line) == nil && line["msg"] == "listening" {
				addr, _ = line["addr"].(string)
			}
		}
	}
	if addr == "" {
		t.Fatalf("server did not start:\n%s", logs.String())
	}
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz = %v, %v", resp, err)
	}
	resp.Body.Close()
	if rid := resp.Header.Get("X-Request-Id"); rid == "" || !strings.Contains(logs.String(), `"request_id":"`+rid+`"`) {
		t.Errorf("request id %q not in the request log line", rid)
	}
	if strings.Contains(logs.String(), "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=") {
		t.Error("the encryption key was logged")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if !strings.Contains(logs.String(), `"msg":"stopped"`) {
		t.Errorf("no 'stopped' log line:\n%s", logs.String())
	}
}
