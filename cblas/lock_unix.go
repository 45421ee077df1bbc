//go:build unix

package cblas

import (
	"os"
	"path/filepath"
	"syscall"
)

// lockCache takes an exclusive lock beside the cache file at path (in
// path+".lock"), waiting while another process holds it, and returns the
// function that releases it. Processes starting together on a new machine
// (the points of a sweep) so measure once, one after another reading the
// first's choice, rather than each measuring and perhaps choosing
// differently. The lock goes with its process, should that die.
func lockCache(path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}
