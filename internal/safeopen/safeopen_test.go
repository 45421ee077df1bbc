//go:build unix

package safeopen

import (
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestOpen opens one path of each kind: only regular files (directly or
// through a link) open, the rest are refused at once (a named pipe without
// a writer would block os.Open forever), naming the path and the kind.
func TestOpen(t *testing.T) {
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	if err := os.WriteFile(path("file"), []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path("fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(path("fifo"), path("link-to-fifo")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(path("file"), path("link-to-file")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path("dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", path("sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, tt := range []struct {
		path string
		want string // the error; "" to open
	}{
		{path("file"), ""},
		{path("link-to-file"), ""},
		{path("fifo"), "open " + path("fifo") + ": is a named pipe, not a file"},
		{path("link-to-fifo"), "open " + path("link-to-fifo") + ": is a named pipe, not a file"},
		{path("dir"), "open " + path("dir") + ": is a directory, not a file"},
		{"/dev/null", "open /dev/null: is a character device, not a file"},
		{path("sock"), "open " + path("sock") + ": is a socket, not a file"},
		{path("missing"), "open " + path("missing") + ": no such file or directory"},
	} {
		f, err := Open(tt.path)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Open(%s): %v", tt.path, err)
		case tt.want == "":
			if data, err := io.ReadAll(f); err != nil || string(data) != "data" {
				t.Errorf("Open(%s): read %q, %v", tt.path, data, err)
			}
			f.Close()
		case err == nil:
			f.Close()
			t.Errorf("Open(%s) opened it, want %q", tt.path, tt.want)
		case err.Error() != tt.want:
			t.Errorf("Open(%s): %v, want %s", tt.path, err, tt.want)
		}
		var pe *fs.PathError
		if err != nil && !errors.As(err, &pe) {
			t.Errorf("Open(%s): %T is no *fs.PathError", tt.path, err)
		}
	}
	if _, err := Open(path("fifo")); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Open(fifo): %v does not wrap ErrNotRegular", err)
	}
}
