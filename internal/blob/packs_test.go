package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// openTestPacks opens a Packs under root that is closed when the test ends.
func openTestPacks(t testing.TB, root string, opts ...PackOption) *Packs {
	t.Helper()
	s, err := OpenPacks(root, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// payload returns n deterministic pseudo-random bytes.
func payload(seed uint64, n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16)}).Read(b)
	return b
}

func mustPut(t testing.TB, s Store, data []byte) string {
	t.Helper()
	key, err := s.Put(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func mustGet(t testing.TB, s Store, key string, want []byte) {
	t.Helper()
	got, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%s): %v", key, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%s) = %d bytes, want the %d put", key, len(got), len(want))
	}
}

// packFiles lists the pack ids under root.
func packFiles(t testing.TB, root string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(root, "packs", "*.pack"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// rekey returns key with its parsed fields changed by edit.
func rekey(t testing.TB, key string, edit func(*packKey)) string {
	t.Helper()
	k, ok := parsePackKey(key)
	if !ok {
		t.Fatalf("%q is not a pack key", key)
	}
	edit(&k)
	return formatPackKey(k.pack, k.off, k.n, k.tag)
}

func TestPacksRoundTrip(t *testing.T) {
	s := openTestPacks(t, t.TempDir())
	for _, tc := range []struct {
		name string
		size int
	}{
		{"an empty blob reads back empty", 0},
		{"a one-byte blob reads back", 1},
		{"a 2 KB photo reads back", 2 << 10},
		{"a 5 MB photo reads back", 5 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := payload(uint64(tc.size), tc.size)
			key := mustPut(t, s, data)
			if len(key) != packKeyLen || key[0] != 'p' {
				t.Fatalf("key %q is not a pack key", key)
			}
			mustGet(t, s, key, data)
		})
	}
}

func TestPacksGetAndDeleteOfBadKeys(t *testing.T) {
	ctx := context.Background()
	s := openTestPacks(t, t.TempDir())
	first, second := payload(1, 100), payload(2, 300)
	k1, k2 := mustPut(t, s, first), mustPut(t, s, second)

	for _, tc := range []struct {
		name string
		key  string
	}{
		{"an empty key is not found", ""},
		{"a key of a pack that does not exist is not found", rekey(t, k1, func(k *packKey) { k.pack = "0123456789abcdef" })},
		{"a key with another tag is not found", rekey(t, k1, func(k *packKey) { k.tag[7] ^= 1 })},
		{"a key one byte too long is not found", rekey(t, k1, func(k *packKey) { k.n++ })},
		{"a key one byte too short is not found", rekey(t, k2, func(k *packKey) { k.n-- })},
		{"a key one byte off the record is not found", rekey(t, k2, func(k *packKey) { k.off++ })},
		{"a key into the middle of another record is not found", rekey(t, k1, func(k *packKey) { k.off += headerLen + 50 })},
		{"a key with a huge offset is not found", rekey(t, k1, func(k *packKey) { k.off = 1 << 60 })},
		{"a key with an offset past any sane file is not found", "p" + k1[1:17] + "ffffffffffffffff" + k1[33:]},
		{"a key with upper-case hex is not found", "p" + "0123456789ABCDEF" + k1[17:]},
		{"a key with a non-hex digit is not found", k1[:len(k1)-1] + "g"},
		{"a key without its prefix is not found", "q" + k1[1:]},
		{"a key one digit short is not found", k1[:len(k1)-1]},
		{"a key one digit long is not found", k1 + "0"},
		{"a key naming a path is not found", "p../../../../etc/passwd" + k1[23:]},
		{"a legacy-length key that is not hex is not found", "zz" + k1[3:33]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.Get(ctx, tc.key); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Get(%q) err = %v, want ErrNotFound", tc.key, err)
			}
			if err := s.Delete(ctx, tc.key); err != nil {
				t.Fatalf("Delete(%q) = %v, want nil", tc.key, err)
			}
			mustGet(t, s, k1, first)
			mustGet(t, s, k2, second)
		})
	}
}

func TestPacksDeleteErasesOnlyItsRecord(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		punch func(*os.File, int64, int64) error
	}{
		{"punching a hole erases the record", punchHole},
		{"zeroing erases the record where punching is unsupported", func(*os.File, int64, int64) error {
			return fmt.Errorf("fallocate: %w", syscall.EOPNOTSUPP)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			s := openTestPacks(t, root)
			s.punch = tc.punch
			before, victim, after := payload(1, 5000), payload(2, 9000), payload(3, 7000)
			kb, kv, ka := mustPut(t, s, before), mustPut(t, s, victim), mustPut(t, s, after)

			if err := s.Delete(ctx, kv); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Get(ctx, kv); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Get after Delete err = %v, want ErrNotFound", err)
			}
			if err := s.Delete(ctx, kv); err != nil {
				t.Fatalf("second Delete = %v, want nil", err)
			}
			mustGet(t, s, kb, before)
			mustGet(t, s, ka, after)

			k, _ := parsePackKey(kv)
			raw, err := os.ReadFile(s.packPath(k.pack))
			if err != nil {
				t.Fatal(err)
			}
			erased := raw[k.off+headerLen : k.off+headerLen+int64(k.n)]
			if !bytes.Equal(erased, make([]byte, len(erased))) {
				t.Fatal("the deleted record's bytes are still on disk")
			}
			f, err := os.Open(s.packPath(k.pack))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if h, err := readHeader(f, k.off); err != nil || !h.deleted() || !h.names(k) || h.sum != 0 {
				t.Fatalf("the deleted record's header = %+v, %v; want marked deleted, length and tag kept", h, err)
			}
		})
	}
}

func TestPacksGetOfACorruptedPayloadIsCorruption(t *testing.T) {
	s := openTestPacks(t, t.TempDir())
	key := mustPut(t, s, payload(1, 2048))
	k, _ := parsePackKey(key)
	f, err := os.OpenFile(s.packPath(k.pack), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, k.off+headerLen+1000); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x01
	if _, err := f.WriteAt(b, k.off+headerLen+1000); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(context.Background(), key); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
}

func TestPacksRollOverToNewPacks(t *testing.T) {
	root := t.TempDir()
	s := openTestPacks(t, root, WithPackSize(4096))
	keys := map[string][]byte{}
	for i := range 20 {
		data := payload(uint64(i), 1000)
		keys[mustPut(t, s, data)] = data
	}
	// 1024 bytes a record, so each pack takes four before it passes 4096.
	if got := len(packFiles(t, root)); got != 5 {
		t.Fatalf("%d packs, want 5", got)
	}
	for key, data := range keys {
		mustGet(t, s, key, data)
	}
}

func TestPacksReopenedReadsOldPacksAndWritesANewOne(t *testing.T) {
	root := t.TempDir()
	first, err := OpenPacks(root)
	if err != nil {
		t.Fatal(err)
	}
	old := payload(1, 3000)
	oldKey := mustPut(t, first, old)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	oldPack, _ := parsePackKey(oldKey)
	info, err := os.Stat(first.packPath(oldPack.pack))
	if err != nil {
		t.Fatal(err)
	}

	second := openTestPacks(t, root)
	mustGet(t, second, oldKey, old)
	newKey := mustPut(t, second, payload(2, 3000))
	if newPack, _ := parsePackKey(newKey); newPack.pack == oldPack.pack {
		t.Fatal("the reopened store appended to the old pack")
	}
	if again, err := os.Stat(first.packPath(oldPack.pack)); err != nil || again.Size() != info.Size() {
		t.Fatalf("the old pack changed: %v", err)
	}
	if got := len(packFiles(t, root)); got != 2 {
		t.Fatalf("%d packs, want 2", got)
	}
}

func TestPacksOpenTogetherNeverShareAPack(t *testing.T) {
	root := t.TempDir()
	a, b := openTestPacks(t, root), openTestPacks(t, root)
	packsOf := map[*Packs]map[string]bool{a: {}, b: {}}
	written := map[string][]byte{}
	for i := range 10 {
		for _, s := range []*Packs{a, b} {
			data := payload(uint64(i), 500+i)
			key := mustPut(t, s, data)
			k, _ := parsePackKey(key)
			packsOf[s][k.pack] = true
			written[key] = data
		}
	}
	for id := range packsOf[a] {
		if packsOf[b][id] {
			t.Fatalf("both stores wrote pack %s", id)
		}
	}
	for key, data := range written {
		mustGet(t, a, key, data)
		mustGet(t, b, key, data)
	}
	if runtime.GOOS == "linux" {
		f, err := os.Open(a.packPath(a.cur.id))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := lockExclusive(f); !errors.Is(err, syscall.EWOULDBLOCK) {
			t.Fatalf("flock of a pack being written = %v, want EWOULDBLOCK", err)
		}
	}
}

func TestPacksReadAndDeleteFSBlobs(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	fs, err := NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	oneLevel := []byte("written by FS")
	oneLevelKey := mustPut(t, fs, oneLevel)
	const twoLevelKey = "0123456789abcdef0123456789abcdef"
	twoLevel := []byte("written by an earlier version")
	twoLevelPath := filepath.Join(root, "01", "23", twoLevelKey)
	if err := os.MkdirAll(filepath.Dir(twoLevelPath), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(twoLevelPath, twoLevel, 0o600); err != nil {
		t.Fatal(err)
	}

	s := openTestPacks(t, root)
	for _, tc := range []struct {
		name string
		key  string
		data []byte
	}{
		{"a blob of the one-level layout reads and deletes", oneLevelKey, oneLevel},
		{"a blob of the two-level layout reads and deletes", twoLevelKey, twoLevel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustGet(t, s, tc.key, tc.data)
			if err := s.Delete(ctx, tc.key); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Get(ctx, tc.key); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Get after Delete err = %v", err)
			}
			if _, err := fs.Get(ctx, tc.key); !errors.Is(err, ErrNotFound) {
				t.Fatalf("FS still has it: %v", err)
			}
		})
	}
}

func TestPacksHonourCancellationAndClose(t *testing.T) {
	root := t.TempDir()
	s := openTestPacks(t, root)
	key := mustPut(t, s, []byte("kept"))
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Put(cancelled, []byte("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context = %v", err)
	}
	if _, err := s.Get(cancelled, key); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a cancelled context = %v", err)
	}
	if err := s.Delete(cancelled, key); !errors.Is(err, context.Canceled) {
		t.Errorf("Delete with a cancelled context = %v", err)
	}
	mustGet(t, s, key, []byte("kept"))

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	ctx := context.Background()
	if _, err := s.Put(ctx, []byte("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("Put after Close = %v", err)
	}
	if _, err := s.Get(ctx, key); !errors.Is(err, ErrClosed) {
		t.Errorf("Get after Close = %v", err)
	}
	if err := s.Delete(ctx, key); !errors.Is(err, ErrClosed) {
		t.Errorf("Delete after Close = %v", err)
	}
}

// holdFirstSync makes s's first sync wait until n records of size bytes
// are appended, then finish with result (a real fdatasync when nil), so
// the Puts meanwhile queue up behind it deterministically.
func holdFirstSync(t *testing.T, s *Packs, n, size int, result error) {
	var once sync.Once
	s.sync = func(f *os.File) error {
		first := false
		once.Do(func() { first = true })
		if !first {
			return fdatasync(f)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			s.mu.Lock()
			end := s.cur.end
			s.mu.Unlock()
			if end >= int64(n*(headerLen+size)) {
				break
			}
			if time.Now().After(deadline) {
				t.Error("the Puts never all appended")
				break
			}
			time.Sleep(100 * time.Microsecond)
		}
		if result != nil {
			return result
		}
		return fdatasync(f)
	}
}

// putAll runs one Put of size bytes in each of n goroutines.
func putAll(s *Packs, n, size int) (keys []string, errs []error) {
	keys, errs = make([]string, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { keys[i], errs[i] = s.Put(context.Background(), payload(uint64(i), size)) })
	}
	wg.Wait()
	return keys, errs
}

func TestPacksConcurrentPutsShareSyncs(t *testing.T) {
	t.Run("puts queued behind a sync share the next one", func(t *testing.T) {
		s := openTestPacks(t, t.TempDir())
		holdFirstSync(t, s, 64, 100, nil)
		_, errs := putAll(s, 64, 100)
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if got := s.syncs.Load(); got > 2 {
			t.Fatalf("%d syncs for 64 puts, want at most 2", got)
		}
	})
	t.Run("puts of random sizes from 64 goroutines all read back", func(t *testing.T) {
		s := openTestPacks(t, t.TempDir(), WithPackSize(1<<20))
		const goroutines, each = 64, 8
		var wg sync.WaitGroup
		keys := make([][]string, goroutines)
		for g := range goroutines {
			wg.Go(func() {
				r := rand.New(rand.NewPCG(uint64(g), 0))
				for i := range each {
					key, err := s.Put(context.Background(), payload(uint64(g*each+i), r.IntN(64<<10)))
					if err != nil {
						t.Error(err)
						return
					}
					keys[g] = append(keys[g], key)
				}
			})
		}
		wg.Wait()
		for g := range goroutines {
			r := rand.New(rand.NewPCG(uint64(g), 0))
			for i, key := range keys[g] {
				mustGet(t, s, key, payload(uint64(g*each+i), r.IntN(64<<10)))
			}
		}
		syncs := s.syncs.Load()
		t.Logf("%d syncs for %d puts", syncs, goroutines*each)
		if syncs >= goroutines*each {
			t.Fatalf("%d syncs for %d puts: none shared", syncs, goroutines*each)
		}
	})
}

func TestPacksFailedSyncFailsItsPutsAndRetiresThePack(t *testing.T) {
	root := t.TempDir()
	s := openTestPacks(t, root)
	holdFirstSync(t, s, 8, 100, syscall.EIO)
	keys, errs := putAll(s, 8, 100)
	for i, err := range errs {
		if !errors.Is(err, syscall.EIO) {
			t.Errorf("Put %d = %q, %v; want EIO", i, keys[i], err)
		}
	}
	packs, err := filepath.Glob(filepath.Join(root, "packs", "*.pack"))
	if err != nil || len(packs) != 1 {
		t.Fatalf("packs after the failed sync: %v, %v; want the one that failed", packs, err)
	}
	failed := strings.TrimSuffix(filepath.Base(packs[0]), ".pack")
	key := mustPut(t, s, []byte("after the failure"))
	if k, _ := parsePackKey(key); k.pack == failed {
		t.Fatal("a Put after a failed sync went to the failed pack")
	}
	mustGet(t, s, key, []byte("after the failure"))
}

// FuzzPackKey checks that no key makes Get or Delete panic, read another
// record's bytes or erase anything it does not name.
func FuzzPackKey(f *testing.F) {
	s, err := OpenPacks(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	records := map[string][]byte{}
	for i, n := range []int{0, 1, 100, 3000} {
		key := mustPut(f, s, payload(uint64(i), n))
		records[key] = payload(uint64(i), n)
		f.Add(key)
		f.Add(rekey(f, key, func(k *packKey) { k.off++ }))
		f.Add(rekey(f, key, func(k *packKey) { k.n++ }))
		f.Add(rekey(f, key, func(k *packKey) { k.tag[0] ^= 0x80 }))
		f.Add(key[:len(key)-1])
	}
	f.Add("0123456789abcdef0123456789abcdef")
	f.Add("p")
	f.Add("")
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, key string) {
		got, err := s.Get(ctx, key)
		want, known := records[key]
		switch {
		case known && (err != nil || !bytes.Equal(got, want)):
			t.Fatalf("Get of a stored key = %d bytes, %v", len(got), err)
		case !known && !errors.Is(err, ErrNotFound):
			t.Fatalf("Get(%q) = %d bytes, %v; want ErrNotFound", key, len(got), err)
		case known:
			return // deleting a stored record would change later runs
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Fatalf("Delete(%q) = %v", key, err)
		}
		for key, data := range records {
			mustGet(t, s, key, data)
		}
	})
}

// BenchmarkPut compares one file per blob with pack appends for 2 KB blobs
// on the real disk, 16 goroutines per core putting at once.
func BenchmarkPut(b *testing.B) {
	data := payload(1, 2<<10)
	for _, bc := range []struct {
		name string
		open func(b *testing.B) Store
	}{
		{"FS", func(b *testing.B) Store {
			s, err := NewFS(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
		{"Packs", func(b *testing.B) Store { return openTestPacks(b, b.TempDir()) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := bc.open(b)
			b.SetBytes(int64(len(data)))
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.Put(context.Background(), data); err != nil {
						b.Error(err)
						return
					}
				}
			})
			if p, ok := s.(*Packs); ok {
				b.ReportMetric(float64(p.syncs.Load())/float64(b.N), "syncs/op")
			}
		})
	}
}

func TestPacksWalkNamesEveryLiveBlob(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	fs, err := NewFS(root)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{mustPut(t, fs, []byte("written by FS")): true}
	s := openTestPacks(t, root, WithPackSize(3000))
	var deleted []string
	for i := range 12 {
		key := mustPut(t, s, payload(uint64(i), 100*i))
		if i%4 == 1 {
			deleted = append(deleted, key)
			continue
		}
		want[key] = true
	}
	for _, key := range deleted {
		if err := s.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	// A crash in the middle of an append leaves a torn record at the end
	// of a pack: Walk stops there.
	packs, _ := filepath.Glob(filepath.Join(root, "packs", "*.pack"))
	f, err := os.OpenFile(packs[0], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	torn := encodeHeader(5000, [tagLen]byte{1}, 0, 0)
	if _, err := f.Write(append(torn[:], "partial"...)); err != nil {
		t.Fatal(err)
	}
	f.Close()

	got := map[string]bool{}
	if err := s.Walk(ctx, func(key string, written time.Time) error {
		if time.Since(written) > time.Minute {
			t.Errorf("%s: written %v, a minute before the test", key, written)
		}
		if got[key] {
			t.Errorf("%s walked twice", key)
		}
		got[key] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got, want) {
		t.Fatalf("walked %d keys, want the %d live ones:\n got %v\nwant %v", len(got), len(want), got, want)
	}
}
