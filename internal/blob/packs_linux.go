package blob

import (
	"os"

	"golang.org/x/sys/unix"
)

// fdatasync flushes f's data and the metadata needed to read it back (its
// size), skipping timestamps: cheaper than fsync on every append.
func fdatasync(f *os.File) error {
	return control(f, unix.Fdatasync)
}

// punchHole frees the blocks under [off, off+n) without changing the file
// size, so later records keep their offsets. Filesystems that cannot punch
// fail with EOPNOTSUPP, which errors.Is matches to errors.ErrUnsupported.
func punchHole(f *os.File, off, n int64) error {
	return control(f, func(fd int) error {
		return unix.Fallocate(fd, unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, off, n)
	})
}

// lockExclusive takes a non-blocking exclusive flock, held until f is
// closed.
func lockExclusive(f *os.File) error {
	return control(f, func(fd int) error { return unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB) })
}

// control runs op on f's descriptor, keeping f open meanwhile.
func control(f *os.File, op func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var opErr error
	if err := rc.Control(func(fd uintptr) { opErr = op(int(fd)) }); err != nil {
		return err
	}
	return opErr
}
