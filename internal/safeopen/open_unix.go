//go:build unix

package safeopen

import (
	"os"
	"syscall"
)

// openNonblocking opens path read-only with O_NONBLOCK, so that opening a
// named pipe with no writer returns at once instead of waiting for one.
// Reads of a regular file ignore the flag.
func openNonblocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
