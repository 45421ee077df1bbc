package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// entries returns the names in dir, failing the test on error.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

// onlyFile checks that dir holds exactly the file name (no temp files).
func onlyFile(t *testing.T, dir, name string) {
	t.Helper()
	if got := entries(t, dir); len(got) != 1 || got[0] != name {
		t.Errorf("directory holds %q, want only %q", got, name)
	}
}

func TestWriteNewAndReplace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.txt")

	if err := Write(path, []byte("first")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "first" {
		t.Fatalf("content %q, want %q", got, "first")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("new file mode %v, want 0644", fi.Mode().Perm())
	}

	if err := Write(path, []byte("second, longer content")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "second, longer content" {
		t.Fatalf("content %q after replace", got)
	}
	if err := Write(path, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); len(got) != 0 {
		t.Fatalf("content %q after writing nothing", got)
	}
	onlyFile(t, dir, "f.txt")
}

func TestWriteFuncStreams(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "big.bin")
	want := bytes.Repeat([]byte("0123456789abcdef"), 100000) // 1.6 MB, beyond bufio's buffer
	err := WriteFunc(path, func(w io.Writer) error {
		for chunk := range slicesChunk(want, 7777) {
			if _, err := w.Write(chunk); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("content differs: %d bytes, want %d", len(got), len(want))
	}
	onlyFile(t, dir, "big.bin")
}

// slicesChunk yields consecutive pieces of b of at most n bytes.
func slicesChunk(b []byte, n int) func(func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for len(b) > 0 {
			k := min(n, len(b))
			if !yield(b[:k]) {
				return
			}
			b = b[k:]
		}
	}
}

func TestKeepsExistingMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secret")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil { // in case of umask
		t.Fatal(err)
	}
	if err := Write(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after replace, want 0600", fi.Mode().Perm())
	}
}

// TestFailureKeepsOldFile covers a content function that fails after
// writing part of its output, including a simulated full disk.
func TestFailureKeepsOldFile(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name    string
		partial int // bytes written before failing
		err     error
	}{
		{"fails before writing", 0, errBoom},
		{"fails halfway", 3000, errBoom},
		{"full disk after partial write", 1 << 20, fmt.Errorf("write chunk: %w", syscall.ENOSPC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "model.bin")
			old := bytes.Repeat([]byte{0xAB, 0xCD}, 5000)
			if err := os.WriteFile(path, old, 0o644); err != nil {
				t.Fatal(err)
			}
			err := WriteFunc(path, func(w io.Writer) error {
				if _, err := w.Write(make([]byte, tt.partial)); err != nil {
					return err
				}
				return tt.err
			})
			if err == nil {
				t.Fatal("WriteFunc succeeded, want error")
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("error %v does not wrap %v", err, tt.err)
			}
			if errors.Is(tt.err, syscall.ENOSPC) && !errors.Is(err, syscall.ENOSPC) {
				t.Errorf("error %v lost ENOSPC", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not mention %s", err, path)
			}
			got, rerr := os.ReadFile(path)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if !bytes.Equal(got, old) {
				t.Errorf("old file changed: %d bytes, want %d", len(got), len(old))
			}
			onlyFile(t, dir, "model.bin")
		})
	}
}

func TestFailureWithoutOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "new.bin")
	err := WriteFunc(path, func(w io.Writer) error {
		_, _ = w.Write([]byte("partial"))
		return syscall.ENOSPC
	})
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("error %v, want ENOSPC", err)
	}
	if got := entries(t, dir); len(got) != 0 {
		t.Errorf("directory holds %q, want nothing", got)
	}
}

func TestReadOnlyDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: directory permissions are not enforced")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })

	err := Write(path, []byte("new"))
	if err == nil {
		t.Fatal("Write into a read-only directory succeeded")
	}
	if !strings.Contains(err.Error(), path) || !errors.Is(err, fs.ErrPermission) {
		t.Errorf("error %q should mention %s and wrap a permission error", err, path)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("old file changed to %q", got)
	}
}

// TestBadPaths exercises failures that do not depend on permissions, so
// they also run as root.
func TestBadPaths(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, step string
	}{
		{"missing directory", filepath.Join(dir, "nope", "f"), "create temp file"},
		{"parent is a file", filepath.Join(file, "f"), "stat"},
		{"target is a directory", dir, "is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Write(tt.path, []byte("data"))
			if err == nil {
				t.Fatal("Write succeeded, want error")
			}
			want := "atomicfile: write " + tt.path + ": " + tt.step
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q, want prefix %q", err, want)
			}
		})
	}
	if got, _ := os.ReadFile(file); string(got) != "x" {
		t.Errorf("unrelated file changed to %q", got)
	}
}

// TestConcurrentWriters checks that concurrent replacements never expose a
// torn file: the result is one of the written contents.
func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	contents := make([][]byte, 8)
	for i := range contents {
		contents[i] = bytes.Repeat([]byte{byte('a' + i)}, 64<<10)
	}
	var wg sync.WaitGroup
	for _, c := range contents {
		wg.Go(func() {
			if err := Write(path, c); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ok := false
	for _, c := range contents {
		ok = ok || bytes.Equal(got, c)
	}
	if !ok {
		t.Error("final content is not any single writer's content")
	}
	onlyFile(t, dir, "f")
}

// TestRemoveTemps: the temporary file a killed write leaves behind is
// removed; the target and other files are not.
func TestRemoveTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.bin")
	if err := Write(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".model.bin.tmp-12345", ".other.bin.tmp-1", "model.bin.tmp-2"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := RemoveTemps(path); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(entries(t, dir), " "); got != ".other.bin.tmp-1 model.bin model.bin.tmp-2" {
		t.Errorf("directory holds %s", got)
	}
	if err := RemoveTemps(filepath.Join(dir, "missing", "f")); err == nil {
		t.Error("RemoveTemps in a missing directory succeeded")
	}
}
