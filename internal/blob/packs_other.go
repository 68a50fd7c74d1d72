//go:build !linux

package blob

import (
	"errors"
	"os"
)

// Production runs on Linux; these keep the package building and testable
// elsewhere with weaker but safe stand-ins.

func fdatasync(f *os.File) error { return f.Sync() }

// punchHole reports no support, so Delete zeroes the record instead.
func punchHole(*os.File, int64, int64) error { return errors.ErrUnsupported }

// lockExclusive does nothing: O_EXCL creation already makes a pack ours
// alone, and the lock is only a hint to other tools.
func lockExclusive(*os.File) error { return nil }
