//go:build unix

package safetensors

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadNamedPipe: a named pipe with no writer is refused at once by
// both readers (an os.Open of it would block forever).
func TestReadNamedPipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	want := "safetensors: open " + path + ": is a named pipe, not a file"
	if _, err := ReadFile(path, Limits{}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("ReadFile: %v, want %q", err, want)
	}
	if _, err := ReadHeader(path, Limits{}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("ReadHeader: %v, want %q", err, want)
	}
}
