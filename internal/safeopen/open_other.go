//go:build !unix

package safeopen

import "os"

// openNonblocking opens path read-only: systems other than Unix have no
// named pipes in the file system to block on.
func openNonblocking(path string) (*os.File, error) {
	return os.Open(path)
}
