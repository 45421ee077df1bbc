package shipped

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// Dir returns the run directory of the shipped model name, unpacked into
// os.UserCacheDir()/zoo/shipped (see unpack): what runs.Load, zoo eval and
// the other commands read. Its files are read-only; write nothing there.
func Dir(name string) (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("shipped: %s%s is unpacked into the user's cache directory, and there is none: %w", Prefix, name, err)
	}
	return unpack(name, filepath.Join(base, "zoo", "shipped"))
}

// unpack writes the shipped model name into parent/NAME-DIGEST, DIGEST the
// first 16 hex digits of its files' digest, so that copies of different
// contents (another zoo version's) never meet, and returns that directory.
// A copy already there is used when it holds exactly the embedded files;
// one that does not (edited, truncated, a file added) is replaced. The
// files are written into a temporary directory beside it and renamed into
// place together, so that processes unpacking at once, or one killed
// halfway, never leave a partial copy under the final name.
func unpack(name, parent string) (string, error) {
	data, digest, err := contents(name)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(parent, name+"-"+digest[:16])
	if same(dir, data) {
		return dir, nil
	}
	fail := func(err error) (string, error) {
		return "", fmt.Errorf("shipped: unpack %s%s into %s: %w", Prefix, name, parent, err)
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fail(err)
	}
	tmp, err := os.MkdirTemp(parent, "."+name+"-*")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(tmp) // gone once renamed
	for i, f := range Files {
		if err := os.WriteFile(filepath.Join(tmp, f), data[i], 0o444); err != nil {
			return fail(err)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil { // MkdirTemp makes it 0700
		return fail(err)
	}
	for range 3 {
		if err := os.Rename(tmp, dir); err == nil {
			return dir, nil
		}
		if same(dir, data) { // another process unpacked it first
			return dir, nil
		}
		// A changed copy: replace it.
		if err := os.RemoveAll(dir); err != nil {
			return fail(err)
		}
	}
	return fail(fmt.Errorf("%s keeps changing while it is unpacked", dir))
}

// same reports whether dir is a directory holding exactly the Files, with
// the contents data, as regular files.
func same(dir string, data [][]byte) bool {
	if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() {
		return false
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != len(Files) {
		return false
	}
	for i, f := range Files {
		p := filepath.Join(dir, f)
		fi, err := os.Lstat(p)
		if err != nil || !fi.Mode().IsRegular() || fi.Size() != int64(len(data[i])) {
			return false
		}
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Equal(b, data[i]) {
			return false
		}
	}
	return slices.IndexFunc(entries, func(e os.DirEntry) bool { return !slices.Contains(Files, e.Name()) }) < 0
}
