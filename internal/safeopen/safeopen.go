// Package safeopen opens the files a user names for reading, refusing
// anything but a regular file.
//
// A named pipe given where a data file, a model or a summary should be
// would block os.Open until something writes to it (forever, and deaf to
// the process's context), a device such as /dev/zero would be read without
// end, and a directory fails later with a message that blames something
// else. Open refuses all of them up front, naming the path and what it is,
// without ever blocking: the file is opened non-blocking (which a regular
// file ignores) and checked with fstat on the descriptor itself, so a path
// swapped between a check and the open is still caught.
package safeopen

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// ErrNotRegular is what errors.Is finds in Open's error for a path that is
// not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// notRegular says what a path is instead of a file.
type notRegular struct{ kind string }

func (e *notRegular) Error() string        { return fmt.Sprintf("is %s, not a file", e.kind) }
func (e *notRegular) Is(target error) bool { return target == ErrNotRegular }

// Open opens the regular file at path (following symbolic links) for
// reading. For anything else it returns a *fs.PathError wrapping
// ErrNotRegular, such as "open PATH: is a named pipe, not a file"; other
// errors are os.Open's.
func Open(path string) (*os.File, error) {
	f, err := openNonblocking(path)
	if err != nil {
		// A socket cannot be opened at all (ENXIO): say what it is.
		if fi, serr := os.Stat(path); serr == nil && !fi.Mode().IsRegular() {
			return nil, Check(path, fi.Mode())
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if err := Check(path, fi.Mode()); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Check returns Open's error for a path of the given mode, nil for a
// regular file. Callers that only stat a path (to choose among several)
// give the same message as Open.
func Check(path string, mode fs.FileMode) error {
	if mode.IsRegular() {
		return nil
	}
	return &fs.PathError{Op: "open", Path: path, Err: &notRegular{Kind(mode)}}
}

// Kind names what a file of the given mode is, for messages: "a
// directory", "a named pipe", "a device", …
func Kind(mode fs.FileMode) string {
	switch {
	case mode.IsRegular():
		return "a regular file"
	case mode.IsDir():
		return "a directory"
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeCharDevice != 0:
		return "a character device"
	case mode&fs.ModeDevice != 0:
		return "a device"
	case mode&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file"
}
