package blob

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Record header layout; see the package comment.
const (
	recordMagic   = "CPB1"
	recordVersion = 1
	headerLen     = 24
	tagLen        = 8
	// maxPayload is what the header's 32-bit length field can describe.
	maxPayload = math.MaxUint32

	packIDLen  = 16 // hex digits: 8 random bytes
	packKeyLen = 1 + packIDLen + 16 + 8 + 2*tagLen

	// DefaultPackSize is the size past which a pack is closed for
	// appending and a new one started.
	DefaultPackSize = 1 << 30
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt is returned by Get when a record's header matches its key but
// its bytes do not match their checksum: the disk or someone outside this
// package changed them, and returning them would hand out wrong data.
var ErrCorrupt = errors.New("blob: corrupt record")

// ErrClosed is returned by calls on a closed Packs.
var ErrClosed = errors.New("blob: store closed")

// Packs is a Store that appends blobs as records to pack files under
// root/packs, so a Put costs an append and a share of one fdatasync instead
// of an inode allocation and an fsync of its own (the inode allocation was
// most of the cost of FS.Put under load). Keys of FS (32 hex digits) are
// read and deleted through an FS over the same root, so blobs written by
// earlier versions stay reachable.
//
// A Packs appends only to packs it created itself in this run, so several
// processes may share a root; any of them reads and deletes every record.
// Call Close once all calls have returned.
type Packs struct {
	dir      string
	legacy   *FS
	packSize int64

	// Hooks for tests; fdatasync and punchHole in production.
	sync  func(*os.File) error
	punch func(f *os.File, off, n int64) error
	syncs atomic.Int64 // completed or failed syncs of pack data, for tests

	mu     sync.Mutex
	cond   *sync.Cond // signalled, with mu, when a sync of any pack ends
	cur    *pack      // pack taking appends; nil until the next Put needs one
	closed bool

	rmu     sync.RWMutex
	readers map[string]*os.File // by pack id; nil once closed
}

var _ Store = (*Packs)(nil)

// pack is a pack file this process appends to. All fields are guarded by
// Packs.mu.
type pack struct {
	id      string
	f       *os.File
	end     int64 // bytes appended: the next record's offset
	synced  int64 // bytes a completed fdatasync covers
	syncing bool  // a Put is running fdatasync without the lock
	err     error // a failed fdatasync: nothing unsynced here is durable
	retired bool  // takes no more appends
	users   int   // Puts that appended and have not returned; the last closes f once retired
}

// PackOption configures OpenPacks.
type PackOption func(*Packs)

// WithPackSize sets the size past which a pack is retired and the next Put
// starts a new one. Values below 1 mean DefaultPackSize.
func WithPackSize(n int64) PackOption {
	return func(s *Packs) {
		if n > 0 {
			s.packSize = n
		}
	}
}

// OpenPacks opens the store under root, creating root and root/packs if
// needed. The pack this process appends to is created by the first Put, so
// a process that only reads (a CLI command, say) leaves no empty pack.
func OpenPacks(root string, opts ...PackOption) (*Packs, error) {
	legacy, err := NewFS(root)
	if err != nil {
		return nil, err
	}
	s := &Packs{
		dir:      filepath.Join(root, "packs"),
		legacy:   legacy,
		packSize: DefaultPackSize,
		sync:     fdatasync,
		punch:    punchHole,
		readers:  make(map[string]*os.File),
	}
	s.cond = sync.NewCond(&s.mu)
	for _, o := range opts {
		o(s)
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, fmt.Errorf("blob store %s: %w", root, err)
	}
	// Make the packs folder's own name durable before any Put relies on it.
	if err := syncDir(root); err != nil {
		return nil, fmt.Errorf("blob store %s: %w", root, err)
	}
	return s, nil
}

// newPack creates an empty pack under a fresh random name. O_EXCL makes it
// ours alone; the flock tells other processes (and future tools such as a
// compactor) that it is still being written.
func (s *Packs) newPack() (*pack, error) {
	for attempt := 0; ; attempt++ {
		var b [packIDLen / 2]byte
		rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		name := s.packPath(id)
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("blob: create pack: %w", err)
		}
		if err = lockExclusive(f); err == nil {
			err = syncDir(s.dir)
		}
		if err != nil {
			f.Close()
			os.Remove(name)
			return nil, fmt.Errorf("blob: create pack %s: %w", name, err)
		}
		return &pack{id: id, f: f}, nil
	}
}

func (s *Packs) packPath(id string) string { return filepath.Join(s.dir, id+".pack") }

// Put appends data to the current pack and returns once an fdatasync
// covering it has completed. Concurrent Puts share fdatasyncs: whoever
// finds no sync running syncs everything appended so far, and the rest
// wait for a sync that covers them.
func (s *Packs) Put(ctx context.Context, data []byte) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if int64(len(data)) > maxPayload {
		return "", fmt.Errorf("blob: %d bytes: %w", len(data), ErrTooLarge)
	}
	var tag [tagLen]byte
	rand.Read(tag[:]) // never fails since Go 1.24; it crashes instead
	hdr := encodeHeader(uint32(len(data)), tag, crc32.Checksum(data, castagnoli), 0)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", ErrClosed
	}
	if s.cur == nil {
		p, err := s.newPack()
		if err != nil {
			return "", err
		}
		s.cur = p
	}
	p := s.cur
	off := p.end
	// Appends are serialized by mu, so a failed write leaves p.end where
	// it was and the next record simply overwrites the torn bytes.
	if _, err := p.f.WriteAt(hdr[:], off); err != nil {
		return "", fmt.Errorf("blob: append to pack %s: %w", p.id, err)
	}
	if _, err := p.f.WriteAt(data, off+headerLen); err != nil {
		return "", fmt.Errorf("blob: append to pack %s: %w", p.id, err)
	}
	end := off + headerLen + int64(len(data))
	p.end = end
	p.users++
	if p.end >= s.packSize {
		s.retire(p)
	}
	err := s.waitSynced(p, end)
	p.users--
	if p.retired && p.users == 0 {
		// Nothing is left for this descriptor to write or sync, and a
		// close error after a successful fdatasync loses no data.
		p.f.Close()
	}
	if err != nil {
		return "", err
	}
	return formatPackKey(p.id, off, uint32(len(data)), tag), nil
}

// waitSynced returns once p is synced up to end, running the sync itself
// when none is in flight. It is called with s.mu held and p.users counting
// the caller, so p.f stays open while the lock is dropped for the sync.
func (s *Packs) waitSynced(p *pack, end int64) error {
	for p.synced < end {
		switch {
		case p.err != nil:
			return p.err
		case p.syncing:
			s.cond.Wait()
		default:
			p.syncing = true
			target := p.end
			s.mu.Unlock()
			err := s.sync(p.f)
			s.syncs.Add(1)
			s.mu.Lock()
			p.syncing = false
			if err != nil {
				// After a failed fsync Linux may drop the dirty pages and
				// report success next time, so nothing unsynced in this
				// pack can be trusted: fail all its waiters and move on.
				p.err = fmt.Errorf("blob: sync pack %s: %w", p.id, err)
				s.retire(p)
			} else {
				p.synced = target
			}
			s.cond.Broadcast()
		}
	}
	return nil
}

// retire stops appends to p; its file is closed by its last user, or here
// when it has none. Called with s.mu held.
func (s *Packs) retire(p *pack) error {
	p.retired = true
	if s.cur == p {
		s.cur = nil
	}
	if p.users == 0 {
		return p.f.Close()
	}
	return nil
}

// Get reads a blob, checking that the record at the key's offset carries
// the key's tag and length, and that the payload matches its checksum.
func (s *Packs) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if isLegacyKey(key) {
		return s.legacy.Get(ctx, key)
	}
	k, ok := parsePackKey(key)
	if !ok {
		return nil, ErrNotFound
	}
	f, err := s.reader(k.pack)
	if err != nil {
		return nil, err
	}
	sum, err := k.check(f)
	if err != nil {
		return nil, err
	}
	// The header matched, so the length is one Put wrote: allocating it
	// cannot be forced by a made-up key.
	data := make([]byte, k.n)
	if _, err := f.ReadAt(data, k.off+headerLen); err != nil {
		if errors.Is(err, io.EOF) {
			err = ErrCorrupt // the header promises bytes the file lacks
		}
		return nil, fmt.Errorf("blob %s: %w", key, err)
	}
	if crc32.Checksum(data, castagnoli) != sum {
		// A Delete racing this Get zeroes the record; that is not
		// corruption, just a blob that is gone.
		if _, err := k.check(f); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("blob %s: payload checksum mismatch: %w", key, ErrCorrupt)
	}
	return data, nil
}

// reader returns a shared read-only descriptor for a pack, opening it on
// first use. ReadAt is safe for concurrent use.
func (s *Packs) reader(id string) (*os.File, error) {
	s.rmu.RLock()
	f, ok := s.readers[id]
	closed := s.readers == nil
	s.rmu.RUnlock()
	if ok {
		return f, nil
	}
	if closed {
		return nil, ErrClosed
	}
	f, err := os.Open(s.packPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("blob: open pack %s: %w", id, err)
	}
	s.rmu.Lock()
	defer s.rmu.Unlock()
	if s.readers == nil {
		f.Close()
		return nil, ErrClosed
	}
	if other, ok := s.readers[id]; ok { // lost a race to open it
		f.Close()
		return other, nil
	}
	s.readers[id] = f
	return f, nil
}

// Delete erases a blob: it marks the record's header deleted (keeping its
// length, so Walk can step over it) and punches a hole over the payload
// (or zeroes it where the filesystem cannot punch), then syncs, so the
// bytes are gone from disk and not just unreferenced. A key whose record
// is missing or does not match is not an error; deleting a deleted record
// erases its payload again, which finishes a Delete a crash interrupted.
func (s *Packs) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if isLegacyKey(key) {
		return s.legacy.Delete(ctx, key)
	}
	k, ok := parsePackKey(key)
	if !ok {
		return nil
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	// A descriptor of its own: punching needs write access, and deletes
	// are rare enough not to need caching.
	f, err := os.OpenFile(s.packPath(k.pack), os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	defer f.Close()
	h, err := readHeader(f, k.off)
	if errors.Is(err, ErrNotFound) || err == nil && !h.names(k) {
		return nil
	}
	if err != nil {
		return err
	}
	// The deleted mark is made durable before the bytes go: a crash between
	// the two then leaves a deleted record whose bytes a second Delete
	// erases, never a live-looking record of zeros (which Get would call
	// corrupt and Walk would list).
	tomb := encodeHeader(k.n, k.tag, 0, flagDeleted)
	_, err = f.WriteAt(tomb[:], k.off)
	if err == nil {
		err = s.sync(f)
	}
	if err == nil && k.n > 0 {
		err = s.punch(f, k.off+headerLen, int64(k.n))
		if errors.Is(err, errors.ErrUnsupported) {
			err = zeroRange(f, k.off+headerLen, int64(k.n))
		}
	}
	if err == nil {
		// A full fsync, not fdatasync: erasure must survive a crash, and
		// whether fdatasync persists a punched hole is up to the
		// filesystem.
		err = f.Sync()
	}
	if err != nil {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}

// WalkFunc is called with each stored blob's key and a time no earlier
// than the blob was written: the last change to its pack or file. A pack
// changes while it is appended to, so a blob in it may be as young as that.
type WalkFunc func(key string, written time.Time) error

// Walk calls fn for every blob stored under the root, in no particular
// order: the live records of every pack and the files of FS. Records
// appended while it runs may be missed. It is for audits (which stored
// blobs does nothing refer to?) and tests, not request paths.
func (s *Packs) Walk(ctx context.Context, fn WalkFunc) error {
	packs, err := filepath.Glob(filepath.Join(s.dir, "*.pack"))
	if err != nil {
		return err
	}
	for _, name := range packs {
		id := strings.TrimSuffix(filepath.Base(name), ".pack")
		if len(id) != packIDLen || strings.Trim(id, "0123456789abcdef") != "" {
			continue // not a pack this package wrote
		}
		if err := walkPack(ctx, name, id, fn); err != nil {
			return err
		}
	}
	return s.legacy.walk(ctx, fn)
}

// walkPack steps through one pack's records from its start. It stops at
// the first bytes that are not a record header: the end, or the torn tail
// of an append a crash interrupted, which no key refers to.
func walkPack(ctx context.Context, name, id string, fn WalkFunc) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("blob: walk pack %s: %w", id, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("blob: walk pack %s: %w", id, err)
	}
	for off := int64(0); ; {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := readHeader(f, off)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if off+headerLen+int64(h.n) > info.Size() {
			return nil // a header whose payload never made it to disk
		}
		if !h.deleted() {
			if err := fn(formatPackKey(id, off, h.n, h.tag), info.ModTime()); err != nil {
				return err
			}
		}
		off += headerLen + int64(h.n)
	}
}

// zeroRange overwrites n bytes at off with zeros, for filesystems that
// cannot punch holes.
func zeroRange(f *os.File, off, n int64) error {
	zeros := make([]byte, min(n, 64<<10))
	for n > 0 {
		w, err := f.WriteAt(zeros[:min(n, int64(len(zeros)))], off)
		if err != nil {
			return err
		}
		off, n = off+int64(w), n-int64(w)
	}
	return nil
}

// Close stops appends, closing the current pack once its Puts have
// returned, and closes the cached readers.
func (s *Packs) Close() error {
	s.mu.Lock()
	var err error
	if !s.closed {
		s.closed = true
		if s.cur != nil {
			err = s.retire(s.cur)
		}
	}
	s.mu.Unlock()

	s.rmu.Lock()
	defer s.rmu.Unlock()
	for _, f := range s.readers {
		err = errors.Join(err, f.Close())
	}
	s.readers = nil
	return err
}

func isLegacyKey(key string) bool { return len(key) == 32 }

// packKey is a parsed key: where a record is and what its header must say.
type packKey struct {
	pack string
	off  int64
	n    uint32
	tag  [tagLen]byte
}

// formatPackKey encodes "p", the pack id, then the offset, length and tag
// in fixed-width lowercase hex.
func formatPackKey(pack string, off int64, n uint32, tag [tagLen]byte) string {
	var raw [8 + 4 + tagLen]byte
	binary.BigEndian.PutUint64(raw[0:], uint64(off))
	binary.BigEndian.PutUint32(raw[8:], n)
	copy(raw[12:], tag[:])
	return "p" + pack + hex.EncodeToString(raw[:])
}

// parsePackKey accepts exactly what formatPackKey produces, so each record
// has one key and no key names a path or offset outside the packs.
func parsePackKey(key string) (packKey, bool) {
	if len(key) != packKeyLen || key[0] != 'p' || strings.Trim(key[1:], "0123456789abcdef") != "" {
		return packKey{}, false
	}
	var raw [8 + 4 + tagLen]byte
	if _, err := hex.Decode(raw[:], []byte(key[1+packIDLen:])); err != nil {
		return packKey{}, false
	}
	k := packKey{pack: key[1 : 1+packIDLen], n: binary.BigEndian.Uint32(raw[8:])}
	off := binary.BigEndian.Uint64(raw[0:])
	// Keep offset arithmetic far from overflow.
	if off > math.MaxInt64-headerLen-maxPayload {
		return packKey{}, false
	}
	k.off = int64(off)
	copy(k.tag[:], raw[12:])
	return k, true
}

// Header flags (byte 5).
const flagDeleted = 1 // the payload was erased; length and tag are kept

func encodeHeader(n uint32, tag [tagLen]byte, sum uint32, flags byte) [headerLen]byte {
	var h [headerLen]byte
	copy(h[0:4], recordMagic)
	h[4] = recordVersion
	h[5] = flags
	binary.BigEndian.PutUint32(h[8:], n)
	copy(h[12:20], tag[:])
	binary.BigEndian.PutUint32(h[20:], sum)
	return h
}

// header is a decoded record header.
type header struct {
	flags byte
	n     uint32
	tag   [tagLen]byte
	sum   uint32
}

func (h header) deleted() bool        { return h.flags&flagDeleted != 0 }
func (h header) names(k packKey) bool { return h.n == k.n && h.tag == k.tag }

// readHeader reads the record header at off: ErrNotFound when the bytes
// there are not one (past the end, a torn append, or the middle of a
// record).
func readHeader(f *os.File, off int64) (header, error) {
	var b [headerLen]byte
	if _, err := f.ReadAt(b[:], off); err != nil {
		if errors.Is(err, io.EOF) {
			return header{}, ErrNotFound
		}
		return header{}, fmt.Errorf("blob: read pack %s: %w", filepath.Base(f.Name()), err)
	}
	if string(b[0:4]) != recordMagic || b[4] != recordVersion {
		return header{}, ErrNotFound
	}
	return header{flags: b[5], n: binary.BigEndian.Uint32(b[8:]), tag: [tagLen]byte(b[12:20]),
		sum: binary.BigEndian.Uint32(b[20:])}, nil
}

// check returns the payload checksum of the live record k names, or
// ErrNotFound unless the header at k's offset is a live record with k's
// length and tag.
func (k packKey) check(f *os.File) (sum uint32, err error) {
	h, err := readHeader(f, k.off)
	if err != nil {
		return 0, err
	}
	if h.deleted() || !h.names(k) {
		return 0, ErrNotFound
	}
	return h.sum, nil
}

// syncDir flushes a folder so names just created in it survive a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
