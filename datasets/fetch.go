package datasets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/internal/safeopen"
)

// remoteSet is a data set published in MNIST's four-file form and
// downloaded on first use.
type remoteSet struct {
	family
	// bases are the canonical base URLs of its files, tried in order.
	bases []string
	// files are, in order, the training images and labels, then the test
	// images and labels.
	files [4]remoteFile
}

// loadRemote returns the splits of set: read from r.Dir when it is given,
// as [MNISTDir] reads MNIST; otherwise from the cache, after downloading
// into it whatever file is missing or damaged.
func loadRemote(r Request, set remoteSet, fe fetcher) (*Splits, error) {
	if r.Dir != "" {
		return readMNISTLike(set.family, r.Dir)
	}
	ctx := r.Context
	if ctx == nil {
		ctx = context.Background()
	}
	dir, err := cacheDir(r.Cache, set.name)
	if err != nil {
		return nil, err
	}
	bases := set.bases
	if r.Mirror != "" {
		if err := checkBase(r.Mirror); err != nil {
			return nil, fmt.Errorf("datasets: %s: %w", set.name, err)
		}
		bases = []string{r.Mirror}
	}
	// All four files first, so a network failure shows before seconds of
	// decoding.
	var data [4][]byte
	for i, f := range set.files {
		if data[i], err = fetchCached(ctx, set, dir, bases, f, fe); err != nil {
			return nil, err
		}
	}
	var m [4]*IDX
	var names [4]string
	for i, f := range set.files {
		if m[i], err = ReadIDX(bytes.NewReader(data[i])); err != nil {
			return nil, &fileError{path: filepath.Join(dir, f.Name), err: err}
		}
		names[i] = f.Name
	}
	s, err := mnistLikeSplits(set.family, m, names)
	if err != nil {
		return nil, err
	}
	// The files were checked against the published digests (a table
	// without one, as tests use, is hashed here).
	for i, f := range set.files {
		sum := f.SHA256
		if sum == "" {
			h := sha256.Sum256(data[i])
			sum = hex.EncodeToString(h[:])
		}
		s.Files = append(s.Files, FileDigest{Role: mnistRoles[i], Path: filepath.Join(dir, f.Name), SHA256: sum, Bytes: int64(len(data[i]))})
	}
	return s, nil
}

// cacheDir returns the directory the files of the data set name are kept
// in: name under cache, or under os.UserCacheDir()/zoo when cache is "".
func cacheDir(cache, name string) (string, error) {
	if cache == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("datasets: %s: no cache directory to download into (%v); read a copy of the files with --data DIR instead", name, err)
		}
		cache = filepath.Join(base, "zoo")
	}
	return filepath.Join(cache, name), nil
}

// fetchCached returns the content of f: the copy in dir when it passes
// f's checks, else a fresh download (tried from each base in turn), which
// is then kept in dir. A download is verified before a byte of it is
// written, and written to a temporary file renamed into place, so dir
// never holds a partial or unverified file under f's name, and two
// processes fetching the same file at once both end with a good copy.
func fetchCached(ctx context.Context, set remoteSet, dir string, bases []string, f remoteFile, fe fetcher) ([]byte, error) {
	path := filepath.Join(dir, f.Name)
	// The cache only saves downloads: whatever is wrong with it (a
	// damaged file, no permission, no directory) is noted and the file
	// downloaded, and keep says when it cannot be kept.
	switch st, err := os.Stat(path); {
	case err == nil && st.Mode().IsRegular() && st.Size() == f.Size:
		data, err := readCached(path, f.Size)
		if err != nil {
			fe.note("%s: %v; downloading it again", set.name, err)
			break
		}
		verr := f.verify(data)
		if verr == nil {
			return data, nil
		}
		fe.note("%s: the cached %s is damaged (%v); downloading it again", set.name, path, verr)
	case err == nil:
		fe.note("%s: the cached %s is not the published file (%d bytes, want %d); downloading it again", set.name, path, st.Size(), f.Size)
	}

	e := &downloadError{set: set, dir: dir}
	for _, base := range bases {
		u := fileURL(base, f.Name)
		data, err := fe.download(ctx, set.name, u, f)
		if err == nil {
			if err := keep(dir, path, data); err != nil {
				fe.note("%s: %v; it will be downloaded again next time", set.name, err)
			}
			return data, nil
		}
		e.tries = append(e.tries, fmt.Errorf("download %s: %w", u, err))
		if ctx.Err() != nil {
			break
		}
	}
	return nil, e
}

// keep writes a verified download into the cache.
func keep(dir, path string, data []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot keep the download: %w", err)
	}
	if err := atomicfile.Write(path, data); err != nil {
		return fmt.Errorf("cannot keep the download: %w", err)
	}
	return nil
}

// note writes a line to the progress writer, if there is one.
func (fe fetcher) note(format string, args ...any) {
	if fe.progress != nil {
		fmt.Fprintf(fe.progress, format+"\n", args...)
	}
}

// downloadError is the failure to download a file from every base URL
// tried. Unless the download was cancelled or a server sent a wrong file,
// it says how to get the data without the network.
type downloadError struct {
	set   remoteSet
	dir   string  // the cache directory
	tries []error // one per base URL, each naming it
}

func (e *downloadError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "datasets: %s: ", e.set.name)
	hint, wrong := true, false
	for i, t := range e.tries {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(t.Error())
		wrong = wrong || isDigestError(t)
		hint = hint && !errors.Is(t, context.Canceled) && !errors.Is(t, context.DeadlineExceeded)
	}
	if wrong {
		// Fetching by hand would give the same wrong file.
		b.WriteString("; the download was not kept")
		return b.String()
	}
	if !hint {
		return b.String()
	}
	names := make([]string, len(e.set.files))
	for i, f := range e.set.files {
		names[i] = f.Name
	}
	fmt.Fprintf(&b, "; to work offline, fetch %s from %s on a machine with network access and put them in %s, or in any directory read with --data DIR",
		strings.Join(names, ", "), e.set.bases[0], e.dir)
	return b.String()
}

func (e *downloadError) Unwrap() []error { return e.tries }

// readCached reads the cached file at path, of the given size, refusing
// one that was replaced by something other than a regular file since it
// was looked at (see safeopen.Open).
func readCached(path string, size int64) ([]byte, error) {
	f, err := safeopen.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, size+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) != size {
		return nil, fmt.Errorf("%s changed while being read (%d bytes, want %d)", path, len(data), size)
	}
	return data, nil
}
