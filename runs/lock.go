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
// and metrics. The lock goes with the process (an exit or a crash releases
// it); the empty file stays.
const LockFile = ".zoo.lock"

// errLocked is what lockFile returns when another process holds the lock.
var errLocked = errors.New("locked")

// Lock takes dir's run lock, as pipeline.Train and pipeline.Resume do while they write there,
// and returns the function that releases it. It fails at once, saying so,
// when another process holds it. On systems without flock (Windows) it
// takes no lock.
func Lock(dir string) (unlock func(), err error) {
	path := filepath.Join(dir, LockFile)
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
	// Closing the file releases the lock.
	return func() { f.Close() }, nil
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
