package runs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorgonia-zoo/zoo/internal/safeopen"
)

// LockFile is the file in a run directory that pipeline.Train and pipeline.Resume hold locked
// while they write there, so that two processes never write one run: two
// resuming the same run would otherwise overwrite each other's checkpoint
// and metrics. Releasing the lock removes the file, so a finished or
// stopped run does not keep it. The lock itself goes with the process: a
// crash (or a second Ctrl-C, which exits at once) leaves the empty file,
// which holds no lock, and the next Lock or runs.Load works as if it were
// not there.
const LockFile = ".zoo.lock"

// errLocked is what lockFile returns when another process holds the lock.
var errLocked = errors.New("locked")

// Lock takes dir's run lock, as pipeline.Train and pipeline.Resume do while they write there,
// and returns the function that releases it, removing LockFile. It fails
// at once, saying so, when another process holds it. On systems without
// flock (Windows) it takes no lock.
func Lock(dir string) (unlock func(), err error) {
	path := filepath.Join(dir, LockFile)
	// A holder that releases the lock removes the file first: one opened
	// before that removal is locked in vain (a third process would create
	// and lock a new file), so the lock counts only on the file that is
	// still at path. Each retry follows another process's release.
	for range maxLockTries {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("runs: lock %s: %w", dir, err)
		}
		if err := lockFile(f); err != nil {
			f.Close()
			if errors.Is(err, errLocked) {
				return nil, fmt.Errorf("runs: %s is in use by another zoo process (it holds %s): wait for it to finish, or stop it (Ctrl-C saves a checkpoint) and resume", dir, path)
			}
			return nil, fmt.Errorf("runs: lock %s: %w", path, err)
		}
		if current(f, path) {
			return func() { release(f, path) }, nil
		}
		f.Close()
	}
	return nil, fmt.Errorf("runs: lock %s: the lock file was removed under each of %d attempts: is another zoo process starting and finishing runs here in a loop?", path, maxLockTries)
}

// maxLockTries bounds the attempts of Lock against lock files removed by
// the processes releasing them.
const maxLockTries = 100

// current reports whether f, just locked, is still the file at path.
func current(f *os.File, path string) bool {
	held, err := f.Stat()
	if err != nil {
		return false
	}
	now, err := os.Stat(path)
	return err == nil && os.SameFile(held, now)
}

// release removes the lock file while the lock is held, then lets go of
// it (closing the file releases the flock). Where an open file cannot be
// removed (Windows, which takes no lock anyway) it is removed after the
// close. A file that cannot be removed stays, holding no lock: harmless.
func release(f *os.File, path string) {
	if os.Remove(path) == nil {
		f.Close()
		return
	}
	f.Close()
	os.Remove(path)
}

// InUse reports whether another process holds the run directory's lock:
// a run still training. It creates no lock file, and takes none it finds
// free for longer than the probe.
func InUse(dir string) bool {
	f, err := safeopen.Open(filepath.Join(dir, LockFile))
	if err != nil {
		return false
	}
	defer f.Close()
	return errors.Is(lockFile(f), errLocked)
}
