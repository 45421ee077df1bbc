package datasets

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fixtureSet returns a remote data set of four tiny generated files (12
// training pictures of 3×2 pixels, 4 test pictures), named fashion-mnist
// so messages and set names can be checked, with its files' contents by
// name. Its bases are never reached: every test passes a mirror.
func fixtureSet(t *testing.T) (remoteSet, map[string][]byte) {
	t.Helper()
	set := remoteSet{
		family: family{name: "fashion-mnist", label: "one of the 10 classes"},
		bases:  []string{"http://canonical.invalid/fashion/"},
	}
	content := map[string][]byte{}
	for i, raw := range synthMNIST(12, 4, 3, 2) {
		name := mnistBases[i] + ".gz"
		data := gzipBytes(t, raw)
		m, s := md5.Sum(data), sha256.Sum256(data)
		set.files[i] = remoteFile{Name: name, Size: int64(len(data)),
			MD5: hex.EncodeToString(m[:]), SHA256: hex.EncodeToString(s[:])}
		content[name] = data
	}
	return set, content
}

// server serves files by name, counting requests; bad, when set, answers
// instead for the names it wants (returning true).
type server struct {
	*httptest.Server
	hits atomic.Int64
}

func serve(t *testing.T, files map[string][]byte, bad func(w http.ResponseWriter, r *http.Request, data []byte) bool) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		data, ok := files[filepath.Base(r.URL.Path)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if bad != nil && bad(w, r, data) {
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data)
	}))
	t.Cleanup(s.Close)
	return s
}

// testFetcher is a fetcher for s with short timeouts, writing its progress
// to log (nil: nowhere).
func testFetcher(s *server, log io.Writer) fetcher {
	return fetcher{client: s.Client(), stall: 300 * time.Millisecond, progress: log}
}

// only returns a bad handler that applies f to the training images alone.
func only(f func(w http.ResponseWriter, r *http.Request, data []byte)) func(http.ResponseWriter, *http.Request, []byte) bool {
	return func(w http.ResponseWriter, r *http.Request, data []byte) bool {
		if !strings.HasPrefix(r.URL.Path, "/fashion/train-images") {
			return false
		}
		f(w, r, data)
		return true
	}
}

// cacheFiles lists the files in a cache directory, temporary ones included.
func cacheFiles(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestLoadRemoteDownloadsOnce(t *testing.T) {
	set, content := fixtureSet(t)
	srv := serve(t, content, nil)
	cache := t.TempDir()
	var log bytes.Buffer
	r := Request{Cache: cache, Mirror: srv.URL + "/fashion/"}

	s, err := loadRemote(r, set, testFetcher(srv, &log))
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.hits.Load(); got != 4 {
		t.Errorf("first load made %d requests, want 4", got)
	}
	for _, tc := range []struct {
		set  *Set
		name string
		n    int
	}{{s.Train, "fashion-mnist/train", 10}, {s.Validation, "fashion-mnist/validation", 2}, {s.Test, "fashion-mnist/test", 4}} {
		if tc.set.Name != tc.name || tc.set.Len() != tc.n || tc.set.Classes != 10 || !slices.Equal(tc.set.Shape, []int{3, 2}) {
			t.Errorf("got %q with %d examples, %d classes, shape %v; want %q with %d, 10, [3 2]",
				tc.set.Name, tc.set.Len(), tc.set.Classes, tc.set.Shape, tc.name, tc.n)
		}
	}
	dir := filepath.Join(cache, "fashion-mnist")
	got := cacheFiles(t, dir)
	slices.Sort(got)
	want := []string{"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"}
	if !slices.Equal(got, want) {
		t.Errorf("cache holds %v, want %v", got, want)
	}
	for name, data := range content {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !bytes.Equal(b, data) {
			t.Errorf("cached %s differs from the served file (%v)", name, err)
		}
	}
	for _, w := range []string{
		"fashion-mnist: downloading " + srv.URL + "/fashion/train-images-idx3-ubyte.gz (",
		"fashion-mnist: train-images-idx3-ubyte.gz: ", "checksum ok",
	} {
		if !strings.Contains(log.String(), w) {
			t.Errorf("progress lacks %q:\n%s", w, log.String())
		}
	}

	// The second load reads the cache and asks the server nothing.
	log.Reset()
	s2, err := loadRemote(r, set, testFetcher(srv, &log))
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.hits.Load(); got != 4 {
		t.Errorf("second load made %d requests, want none", got-4)
	}
	if log.Len() != 0 {
		t.Errorf("second load reported progress: %s", log.String())
	}
	if !slices.Equal(s2.Train.X, s.Train.X) || !slices.Equal(s2.Test.Labels, s.Test.Labels) {
		t.Error("the cached copy loads differently")
	}
}

func TestLoadRemoteFailures(t *testing.T) {
	half := func(w http.ResponseWriter, data []byte) {
		w.Write(data[:len(data)/2])
		w.(http.Flusher).Flush()
	}
	for _, tc := range []struct {
		name string
		bad  func(w http.ResponseWriter, r *http.Request, data []byte)
		md5  bool     // check by MD5 alone
		want []string // substrings of the error, after its URL
		hint bool     // whether the error says how to work offline
	}{
		{"sha256 mismatch", func(w http.ResponseWriter, r *http.Request, data []byte) {
			d := slices.Clone(data)
			d[len(d)/2] ^= 1
			w.Write(d)
		}, false, []string{": sha256 ", ", want ", "; the download was not kept"}, false},
		{"md5 mismatch", func(w http.ResponseWriter, r *http.Request, data []byte) {
			d := slices.Clone(data)
			d[len(d)/2] ^= 1
			w.Write(d)
		}, true, []string{": md5 ", ", want ", "; the download was not kept"}, false},
		{"truncated", func(w http.ResponseWriter, r *http.Request, data []byte) {
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			half(w, data)
		}, false, []string{": connection closed after "}, true},
		{"truncated, no length", func(w http.ResponseWriter, r *http.Request, data []byte) {
			half(w, data)
		}, false, []string{": connection closed after "}, true},
		{"longer than announced", func(w http.ResponseWriter, r *http.Request, data []byte) {
			w.Header().Set("Content-Length", strconv.Itoa(len(data)+1))
			w.Write(append(slices.Clone(data), 0))
		}, false, []string{": server announces "}, true},
		{"endless", func(w http.ResponseWriter, r *http.Request, data []byte) {
			chunk := make([]byte, 4096)
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, false, []string{": server sent more than the "}, true},
		{"404", func(w http.ResponseWriter, r *http.Request, data []byte) {
			http.NotFound(w, r)
		}, false, []string{": server answered 404 Not Found"}, true},
		{"500", func(w http.ResponseWriter, r *http.Request, data []byte) {
			http.Error(w, "oops", http.StatusInternalServerError)
		}, false, []string{": server answered 500 Internal Server Error"}, true},
		{"stalls", func(w http.ResponseWriter, r *http.Request, data []byte) {
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			half(w, data)
			<-r.Context().Done()
		}, false, []string{": after ", "no data for 300ms"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, content := fixtureSet(t)
			if tc.md5 {
				for i := range set.files {
					set.files[i].SHA256 = ""
				}
			}
			srv := serve(t, content, only(tc.bad))
			cache := t.TempDir()
			var log bytes.Buffer
			_, err := loadRemote(Request{Cache: cache, Mirror: srv.URL + "/fashion"}, set, testFetcher(srv, &log))
			if err == nil {
				t.Fatal("loaded")
			}
			msg := err.Error()
			url := srv.URL + "/fashion/train-images-idx3-ubyte.gz"
			if !strings.HasPrefix(msg, "datasets: fashion-mnist: download "+url+": ") {
				t.Errorf("error %q does not start with the data set and URL", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			dir := filepath.Join(cache, "fashion-mnist")
			hint := "; to work offline, fetch train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz from http://canonical.invalid/fashion/ on a machine with network access and put them in " + dir + ", or in any directory read with --data DIR"
			if got := strings.HasSuffix(msg, hint); got != tc.hint {
				t.Errorf("error %q: offline hint %v, want %v", msg, got, tc.hint)
			}
			if files := cacheFiles(t, dir); len(files) != 0 {
				t.Errorf("a failed first download left %v in the cache", files)
			}
		})
	}
}

// TestLoadRemoteCancel cancels the context in the middle of a download:
// the error is context.Canceled, says nothing about working offline, and
// nothing is left in the cache.
func TestLoadRemoteCancel(t *testing.T) {
	set, content := fixtureSet(t)
	started := make(chan struct{})
	srv := serve(t, content, only(func(w http.ResponseWriter, r *http.Request, data []byte) {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data[:len(data)/2])
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done()
	}))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	cache := t.TempDir()
	fe := testFetcher(srv, &bytes.Buffer{})
	fe.stall = time.Minute
	_, err := loadRemote(Request{Cache: cache, Mirror: srv.URL + "/fashion", Context: ctx}, set, fe)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v is not context.Canceled", err)
	}
	if strings.Contains(err.Error(), "offline") {
		t.Errorf("error %q gives an offline hint for a cancellation", err)
	}
	if files := cacheFiles(t, filepath.Join(cache, "fashion-mnist")); len(files) != 0 {
		t.Errorf("a cancelled download left %v in the cache", files)
	}
}

// TestLoadRemoteFallback: when the first base fails, the next one is
// tried, and the error of a set whose every base fails names them all.
func TestLoadRemoteFallback(t *testing.T) {
	set, content := fixtureSet(t)
	down := serve(t, nil, nil) // answers 404 to everything
	up := serve(t, content, nil)
	set.bases = []string{down.URL + "/fashion/", up.URL + "/fashion/"}
	if _, err := loadRemote(Request{Cache: t.TempDir()}, set, testFetcher(up, nil)); err != nil {
		t.Fatal(err)
	}
	if down.hits.Load() != 4 || up.hits.Load() != 4 {
		t.Errorf("%d requests to the failing base and %d to the working one, want 4 and 4", down.hits.Load(), up.hits.Load())
	}

	gone := serve(t, nil, nil)
	gone.Close() // nothing listens: as without a network
	set.bases = []string{down.URL + "/fashion/", gone.URL + "/fashion/"}
	_, err := loadRemote(Request{Cache: t.TempDir()}, set, testFetcher(up, nil))
	if err == nil {
		t.Fatal("loaded with no working base")
	}
	for _, w := range []string{
		"datasets: fashion-mnist: download " + down.URL + "/fashion/train-images-idx3-ubyte.gz: server answered 404 Not Found; ",
		"download " + gone.URL + "/fashion/train-images-idx3-ubyte.gz: dial tcp ",
		"; to work offline, fetch train-images-idx3-ubyte.gz, ",
		" from " + down.URL + "/fashion/ on a machine",
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}

// TestLoadRemoteDamagedCache: a cached file that fails its checks is
// downloaded again and replaced; the others are not.
func TestLoadRemoteDamagedCache(t *testing.T) {
	for _, tc := range []struct {
		name string
		data func([]byte) []byte
		note string
	}{
		{"flipped bit", func(d []byte) []byte { d = slices.Clone(d); d[len(d)/2] ^= 1; return d }, "is damaged (sha256 "},
		{"truncated", func(d []byte) []byte { return d[:len(d)-1] }, "is not the published file ("},
		{"empty", func(d []byte) []byte { return nil }, "is not the published file (0 bytes, want "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, content := fixtureSet(t)
			srv := serve(t, content, nil)
			cache := t.TempDir()
			dir := filepath.Join(cache, "fashion-mnist")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for name, data := range content {
				if name == "t10k-labels-idx1-ubyte.gz" {
					data = tc.data(data)
				}
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var log bytes.Buffer
			if _, err := loadRemote(Request{Cache: cache, Mirror: srv.URL}, set, testFetcher(srv, &log)); err != nil {
				t.Fatal(err)
			}
			if srv.hits.Load() != 1 {
				t.Errorf("%d requests, want 1 for the damaged file", srv.hits.Load())
			}
			if !strings.Contains(log.String(), "t10k-labels-idx1-ubyte.gz "+tc.note) {
				t.Errorf("progress does not say %q:\n%s", tc.note, log.String())
			}
			if b, _ := os.ReadFile(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz")); !bytes.Equal(b, content["t10k-labels-idx1-ubyte.gz"]) {
				t.Error("the damaged file was not replaced")
			}
		})
	}
}

// TestLoadRemoteConcurrent: loaders sharing a cache (two zoo processes)
// all succeed and leave it whole.
func TestLoadRemoteConcurrent(t *testing.T) {
	set, content := fixtureSet(t)
	srv := serve(t, content, nil)
	cache := t.TempDir()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = loadRemote(Request{Cache: cache, Mirror: srv.URL}, set, testFetcher(srv, nil))
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	dir := filepath.Join(cache, "fashion-mnist")
	if files := cacheFiles(t, dir); len(files) != 4 {
		t.Errorf("cache holds %v, want the 4 files", files)
	}
	for name, data := range content {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); !bytes.Equal(b, data) {
			t.Errorf("cached %s is not the served file", name)
		}
	}
}

// TestLoadRemoteDir: with Request.Dir the files are read from there and
// nothing is downloaded; errors name the data set.
func TestLoadRemoteDir(t *testing.T) {
	set, content := fixtureSet(t)
	srv := serve(t, content, nil)
	var files []mnistFile
	for name, data := range content {
		files = append(files, mnistFile{name, data})
	}
	dir := writeMNIST(t, files)
	cache := t.TempDir()
	s, err := loadRemote(Request{Dir: dir, Cache: cache, Mirror: srv.URL}, set, testFetcher(srv, nil))
	if err != nil {
		t.Fatal(err)
	}
	if s.Train.Name != "fashion-mnist/train" || s.Train.Len() != 10 || s.Test.Len() != 4 {
		t.Errorf("got %q with %d and %d test examples", s.Train.Name, s.Train.Len(), s.Test.Len())
	}
	if srv.hits.Load() != 0 || len(cacheFiles(t, filepath.Join(cache, "fashion-mnist"))) != 0 {
		t.Error("reading a directory downloaded or cached something")
	}

	_, err = loadRemote(Request{Dir: filepath.Join(dir, "nope")}, set, testFetcher(srv, nil))
	if err == nil || !strings.HasPrefix(err.Error(), "datasets: fashion-mnist: data directory: ") {
		t.Errorf("missing directory: error %v", err)
	}
	os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
	_, err = loadRemote(Request{Dir: dir}, set, testFetcher(srv, nil))
	if err == nil || !strings.HasPrefix(err.Error(), "datasets: fashion-mnist: "+dir+" has none of t10k-labels-idx1-ubyte, ") {
		t.Errorf("missing file: error %v", err)
	}
}

// TestLoadRemoteBadLabel: the checks of the MNIST form name the data set
// and say what a label must be.
func TestLoadRemoteBadLabel(t *testing.T) {
	set, content := fixtureSet(t)
	labels := gzipBytes(t, idxBytes(0x08, []uint32{4}, []byte{0, 1, 10, 3}))
	content["t10k-labels-idx1-ubyte.gz"] = labels
	s := sha256.Sum256(labels)
	set.files[3] = remoteFile{Name: "t10k-labels-idx1-ubyte.gz", Size: int64(len(labels)), SHA256: hex.EncodeToString(s[:])}
	srv := serve(t, content, nil)
	_, err := loadRemote(Request{Cache: t.TempDir(), Mirror: srv.URL}, set, testFetcher(srv, nil))
	want := "datasets: fashion-mnist: t10k-labels-idx1-ubyte.gz: label 10 of example 2 is not one of the 10 classes"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

func TestLoadRemoteBadMirror(t *testing.T) {
	set, _ := fixtureSet(t)
	for _, m := range []string{"ftp://example.com/x/", "example.com/x", "http://", "::"} {
		_, err := loadRemote(Request{Cache: t.TempDir(), Mirror: m}, set, fetcher{})
		want := "datasets: fashion-mnist: mirror " + strconv.Quote(m) + " is not an http:// or https:// URL"
		if err == nil || err.Error() != want {
			t.Errorf("mirror %q: error %v, want %s", m, err, want)
		}
	}
}

// TestPublishedTables checks the built-in file tables for slips: the
// standard names in order, sizes, well-formed digests, usable URLs. It
// does not reach the network.
func TestPublishedTables(t *testing.T) {
	for _, set := range []remoteSet{fashionMNIST(), kmnist()} {
		t.Run(set.name, func(t *testing.T) {
			src, err := Lookup(set.name)
			if err != nil || src.Name != set.name || src.Classes != 10 || src.Load == nil {
				t.Errorf("Lookup(%q) = %+v, %v", set.name, src, err)
			}
			for i, f := range set.files {
				if f.Name != mnistBases[i]+".gz" {
					t.Errorf("file %d is %s, want %s.gz", i, f.Name, mnistBases[i])
				}
				if f.Size < 5000 || f.Size > 30<<20 {
					t.Errorf("%s: size %d", f.Name, f.Size)
				}
				for _, d := range []struct {
					hex string
					n   int
				}{{f.MD5, 32}, {f.SHA256, 64}} {
					if b, err := hex.DecodeString(d.hex); err != nil || len(d.hex) != d.n || len(b) == 0 {
						t.Errorf("%s: digest %q is not %d hex digits", f.Name, d.hex, d.n)
					}
				}
			}
			if len(set.bases) == 0 {
				t.Error("no base URL")
			}
			for _, b := range set.bases {
				if err := checkBase(b); err != nil || !strings.HasSuffix(b, "/") {
					t.Errorf("base %q: %v", b, err)
				}
			}
		})
	}
}

// TestPublishedTableChecked runs the exported loaders against a mirror
// serving the small fixtures: their real tables reject them by size,
// before reading a byte, and name the mirror's URL.
func TestPublishedTableChecked(t *testing.T) {
	for _, tc := range []struct {
		name string
		load func(Request) (*Splits, error)
		size int64
	}{{"fashion-mnist", FashionMNIST, 26421880}, {"kmnist", KMNIST, 18165135}} {
		t.Run(tc.name, func(t *testing.T) {
			_, content := fixtureSet(t)
			srv := serve(t, content, nil)
			cache := t.TempDir()
			_, err := tc.load(Request{Cache: cache, Mirror: srv.URL + "/x/"})
			want := "datasets: " + tc.name + ": download " + srv.URL + "/x/train-images-idx3-ubyte.gz: server announces " +
				strconv.Itoa(len(content["train-images-idx3-ubyte.gz"])) + " bytes, want " + strconv.FormatInt(tc.size, 10) + "; to work offline, "
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %v, want it to start %s", err, want)
			}
			if srv.hits.Load() != 1 {
				t.Errorf("%d requests, want 1", srv.hits.Load())
			}
		})
	}
}

// TestLoadRemoteUnwritableCache: a cache that cannot be written to does
// not stop the load; the progress says the files could not be kept.
func TestLoadRemoteUnwritableCache(t *testing.T) {
	set, content := fixtureSet(t)
	srv := serve(t, content, nil)
	cache := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(cache, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	s, err := loadRemote(Request{Cache: cache, Mirror: srv.URL}, set, testFetcher(srv, &log))
	if err != nil {
		t.Fatal(err)
	}
	if s.Train.Len() != 10 {
		t.Errorf("%d training examples, want 10", s.Train.Len())
	}
	if n := strings.Count(log.String(), "cannot keep the download: "); n != 4 {
		t.Errorf("progress says %d times that a file was not kept, want 4:\n%s", n, log.String())
	}
}

// TestLoadRemoteUncheckable: a file table without a size or a digest is
// refused before any request, rather than trusting whatever comes.
func TestLoadRemoteUncheckable(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*remoteFile)
	}{
		{"no digest", func(f *remoteFile) { f.MD5, f.SHA256 = "", "" }},
		{"no size", func(f *remoteFile) { f.Size = 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, content := fixtureSet(t)
			tc.edit(&set.files[0])
			srv := serve(t, content, nil)
			_, err := loadRemote(Request{Cache: t.TempDir(), Mirror: srv.URL}, set, testFetcher(srv, nil))
			if err == nil || !strings.Contains(err.Error(), "train-images-idx3-ubyte.gz has no size or digest to check it against") {
				t.Errorf("error %v", err)
			}
			if srv.hits.Load() != 0 {
				t.Errorf("%d requests for an uncheckable file", srv.hits.Load())
			}
		})
	}
}
