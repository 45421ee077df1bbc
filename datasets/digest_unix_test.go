//go:build unix

package datasets

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestDigestFileFIFO: a FIFO is refused at once, not read (which would
// block until something writes to it).
func TestDigestFileFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := DigestFile(RoleTrain, fifo); err == nil || !strings.Contains(err.Error(), "is not a regular file") {
		t.Errorf("error %v, want the FIFO refused", err)
	}
}
