// Package httpapitest holds what the HTTP packages' tests share: a log
// sink safe for a server's goroutines and a reader of its JSON log lines.
package httpapitest

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
)

// PanicText stands for what a bug's panic says; no client may see it.
const PanicText = "runtime error: index out of range [7] with length 3 in walker.go"

// SyncBuffer is a log sink safe for the server's goroutines.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// StackLines are the JSON log lines that carry a stack.
func StackLines(t *testing.T, log string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var m map[string]any
		if line == "" || json.Unmarshal([]byte(line), &m) != nil {
			continue
		}
		if _, ok := m["stack"]; ok {
			out = append(out, m)
		}
	}
	return out
}
