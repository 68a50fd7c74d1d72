package parse

import (
	"bytes"
	"context"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const benchFile = fixtureDir + "/thick-gopdf-bench.pdf"

// BenchmarkParseThick is the full structured parse of the 32-page, 47-account
// benchmark fixture: PDF reading, layout and the section walker.
func BenchmarkParseThick(b *testing.B) {
	data, err := os.ReadFile(benchFile)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := NewReader(bytes.NewReader(data), int64(len(data)), Options{}).Read(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPeakMemory samples the heap while parsing the benchmark file and
// fails above 64 MiB; run with -v to see the figure.
func TestPeakMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("samples memory for a while")
	}
	data, err := os.ReadFile(benchFile)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var peak atomic.Uint64
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	})
	for range 3 {
		if _, err := NewReader(bytes.NewReader(data), int64(len(data)), Options{}).Read(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
	t.Logf("peak heap in use while parsing %s: %.1f MiB", benchFile, float64(peak.Load())/(1<<20))
	if peak.Load() > 64<<20 {
		t.Errorf("peak heap %d bytes over 64 MiB", peak.Load())
	}
}
