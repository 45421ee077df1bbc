// Package atomicfile replaces files atomically: readers of the path see
// either the complete old content or the complete new content, never a
// partial write, and a failed write leaves the old file untouched.
//
// The new content is written to a temporary file in the same directory as
// the target (so that the final rename stays within one file system), which
// is flushed to stable storage, renamed over the target, and then the
// directory itself is synced so that the rename survives a crash.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// defaultMode is the permission of a newly created file. It is applied with
// chmod, so it is not reduced by the process umask.
const defaultMode fs.FileMode = 0o644

// Write replaces path with data atomically.
//
// The data is written to a temporary file in the same directory as path,
// which is synced, closed, renamed over path, after which the directory is
// synced. A new file gets mode 0644; if path already exists its permission
// bits (including setuid, setgid and sticky) are kept. If path is a symbolic
// link the link itself is replaced, not its target.
//
// On any error before the rename the temporary file is removed and the
// previous file, if any, is untouched. Errors have the form
// "atomicfile: write PATH: STEP: CAUSE" and wrap the underlying error.
// If only the final directory sync fails, the new content is already in
// place at path but may not survive a crash.
func Write(path string, data []byte) error {
	return write(path, func(f *os.File) error {
		if _, err := f.Write(data); err != nil {
			return fmt.Errorf("write temp file: %w", err)
		}
		return nil
	})
}

// WriteFunc is like Write, but streams the content: fn writes it to w, a
// buffered writer over the temporary file. If fn returns an error, nothing
// is renamed, the temporary file is removed, and the error is returned
// wrapped (errors.Is and errors.As see it).
func WriteFunc(path string, fn func(w io.Writer) error) error {
	return write(path, func(f *os.File) error {
		bw := bufio.NewWriter(f)
		if err := fn(bw); err != nil {
			return fmt.Errorf("write content: %w", err)
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("write temp file: %w", err)
		}
		return nil
	})
}

// write implements Write and WriteFunc; fill writes the content to the
// temporary file and returns an error already naming its step.
func write(path string, fill func(f *os.File) error) error {
	wrap := func(step string, e error) error {
		if step == "" {
			return fmt.Errorf("atomicfile: write %s: %w", path, e)
		}
		return fmt.Errorf("atomicfile: write %s: %s: %w", path, step, e)
	}

	mode := defaultMode
	switch fi, serr := os.Stat(path); {
	case serr == nil:
		if fi.IsDir() {
			return wrap("", errors.New("is a directory"))
		}
		mode = fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	case errors.Is(serr, fs.ErrNotExist):
		// A new file.
	default:
		return wrap("stat", serr)
	}

	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return wrap("create temp file", err)
	}
	tmpName := tmp.Name()
	// Until the rename succeeds, any return removes the temporary file.
	closed, renamed := false, false
	defer func() {
		if !closed {
			_ = tmp.Close()
		}
		if !renamed {
			_ = os.Remove(tmpName)
		}
	}()

	if err := tmp.Chmod(mode); err != nil {
		return wrap("chmod temp file", err)
	}
	if err := fill(tmp); err != nil {
		return wrap("", err)
	}
	if err := tmp.Sync(); err != nil {
		return wrap("fsync temp file", err)
	}
	closed = true
	if err := tmp.Close(); err != nil {
		return wrap("close temp file", err)
	}
	if err := os.Rename(tmpName, path); err != nil {
		return wrap("rename temp file", err)
	}
	// The new content is in place; the temporary name no longer exists.
	renamed = true
	if err := syncDir(dir); err != nil {
		return wrap("fsync directory", err)
	}
	return nil
}

// RemoveTemps removes the temporary files that writes of path killed
// before their rename (SIGKILL, a crash, a power cut) left in its
// directory. It must not run while another process writes path, whose
// temporary file it would remove. Errors have the form
// "atomicfile: remove temporary files of PATH: CAUSE".
func RemoveTemps(path string) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("atomicfile: remove temporary files of %s: %w", path, err)
	}
	prefix := "." + base + ".tmp-" // as os.CreateTemp names them in write
	for _, de := range des {
		if name := de.Name(); strings.HasPrefix(name, prefix) && de.Type().IsRegular() {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("atomicfile: remove temporary files of %s: %w", path, err)
			}
		}
	}
	return nil
}

// syncDir flushes the directory entry changes of dir to stable storage.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		_ = d.Close()
		return err
	}
	return d.Close()
}
