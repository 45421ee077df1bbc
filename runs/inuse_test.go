package runs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadLiveRun: opening a run that another process is still training
// says so, instead of "not a finished run" or advice to resume it; the
// probe creates no lock file where there is none.
func TestLoadLiveRun(t *testing.T) {
	dir := t.TempDir()
	if InUse(dir) {
		t.Fatal("an empty directory is in use")
	}
	if _, err := os.Stat(filepath.Join(dir, LockFile)); !os.IsNotExist(err) {
		t.Fatalf("the probe created %s (%v)", LockFile, err)
	}
	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	// A checkpoint, as a live run has after its first epoch.
	if err := os.WriteFile(filepath.Join(dir, CheckpointFile), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !InUse(dir) {
		t.Error("a locked run is not in use")
	}
	_, err = Load(dir)
	if want := "runs: the run in " + dir + " is still training (another zoo process holds " + filepath.Join(dir, LockFile) + "): open it once it has finished"; err == nil || err.Error() != want {
		t.Errorf("Load of a live run: %v, want %q", err, want)
	}
	unlock()
	if InUse(dir) {
		t.Error("an unlocked run is in use")
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "is unfinished") {
		t.Errorf("Load of an interrupted run: %v", err)
	}
}

// TestLockFileRemoved: releasing the lock removes its file; a file left by
// a crashed process (it holds no lock) neither blocks the next Lock nor
// outlives it; and a holder that locked a file removed by a release before
// it could lock it does not count as holding the lock.
func TestLockFileRemoved(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, LockFile)
	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("held: %v", err)
	}
	unlock()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("after the release %s is still there (%v)", LockFile, err)
	}

	if err := os.WriteFile(path, nil, 0o644); err != nil { // a crash's leftover
		t.Fatal(err)
	}
	if InUse(dir) {
		t.Error("a leftover lock file counts as a run in use")
	}
	unlock, err = Lock(dir)
	if err != nil {
		t.Fatalf("Lock over a leftover lock file: %v", err)
	}
	unlock()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the leftover %s outlived the next release (%v)", LockFile, err)
	}

	// A file opened, then removed before it is locked: not the lock.
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if current(f, path) {
		t.Error("a removed lock file counts as current")
	}
}
