package cblas

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorgonia-zoo/zoo/internal/sgemm"
)

var testKey = choiceKey{CPU: "Test CPU", Features: "avx2 fma", CPUs: 2, GOMAXPROCS: 2,
	Library: "libopenblas.so.0", Vendor: "openblas", Version: "OpenBLAS 0.3.21", Threads: 2, Kernel: kernelVersion}

// TestChoose: the choice follows the measurement, is kept, and is read
// back until the key changes; a damaged or foreign cache file is measured
// again and replaced; ZOO_BLAS=remeasure measures again.
func TestChoose(t *testing.T) {
	otherLib := testKey
	otherLib.Version = "OpenBLAS 0.3.26"
	otherCPU := testKey
	otherCPU.CPU, otherCPU.Features = "Other CPU", "avx2 fma avx512f"
	when := time.Date(2026, 12, 3, 16, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		cache     string // the cache file's content before; "" for none
		prior     *cacheEntry
		key       choiceKey
		remeasure bool
		own, lib  float64 // what the measurement gives
		wantOwn   bool
		measured  bool   // whether the measurement runs
		note      string // in Choice.Note
	}{
		{name: "own kernel faster", key: testKey, own: 210, lib: 180, wantOwn: true, measured: true},
		{name: "library faster", key: testKey, own: 150, lib: 230, wantOwn: false, measured: true},
		{name: "near tie keeps zoo's kernel", key: testKey, own: 200, lib: 205, wantOwn: true, measured: true},
		{name: "cache hit", prior: &cacheEntry{Key: testKey, Own: false, OwnGFLOPS: 150, LibraryGFLOPS: 230, Measured: when},
			key: testKey, own: 300, lib: 100, wantOwn: false},
		{name: "library changed", prior: &cacheEntry{Key: testKey, Own: false, OwnGFLOPS: 150, LibraryGFLOPS: 230, Measured: when},
			key: otherLib, own: 300, lib: 100, wantOwn: true, measured: true},
		{name: "CPU changed", prior: &cacheEntry{Key: testKey, Own: true, OwnGFLOPS: 230, LibraryGFLOPS: 150, Measured: when},
			key: otherCPU, own: 100, lib: 300, wantOwn: false, measured: true},
		{name: "remeasure", prior: &cacheEntry{Key: testKey, Own: false, OwnGFLOPS: 150, LibraryGFLOPS: 230, Measured: when},
			key: testKey, remeasure: true, own: 300, lib: 100, wantOwn: true, measured: true},
		{name: "damaged cache", cache: `{"format": "zoo blas choice 1", "entries": [{"key": {"cpu"`,
			key: testKey, own: 210, lib: 180, wantOwn: true, measured: true, note: "measured again"},
		{name: "foreign file", cache: "not JSON at all\n",
			key: testKey, own: 150, lib: 230, wantOwn: false, measured: true, note: "measured again"},
		{name: "another format", cache: `{"format": "zoo blas choice 99", "entries": []}`,
			key: testKey, own: 210, lib: 180, wantOwn: true, measured: true, note: "format"},
		{name: "inconsistent entry", cache: `{"format": "zoo blas choice 1", "entries": [{"key": {"cpu": "Test CPU", "features": "avx2 fma", "cpus": 2, "gomaxprocs": 2, "library": "libopenblas.so.0", "vendor": "openblas", "version": "OpenBLAS 0.3.21", "threads": 2, "kernel": "` + kernelVersion + `"}, "own": false, "own_gflops": 300, "library_gflops": 100, "measured": "2026-12-03T16:00:00Z"}]}`,
			key: testKey, own: 210, lib: 180, wantOwn: true, measured: true, note: "inconsistent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "zoo", cacheName)
			if tc.prior != nil {
				if err := writeCache(file, []cacheEntry{*tc.prior}); err != nil {
					t.Fatal(err)
				}
			} else if tc.cache != "" {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, []byte(tc.cache), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			measured := 0
			c := chooser{file: file, now: func() time.Time { return when.Add(time.Hour) },
				measure: func() (float64, float64, error) { measured++; return tc.own, tc.lib, nil }}
			ch := c.choose(tc.key, tc.remeasure)
			if ch.Own != tc.wantOwn {
				t.Errorf("Own %t, want %t (choice %+v)", ch.Own, tc.wantOwn, ch)
			}
			if (measured > 0) != tc.measured || measured > 1 {
				t.Errorf("measured %d times, want measured %t", measured, tc.measured)
			}
			if ch.Cached == tc.measured {
				t.Errorf("Cached %t, want %t", ch.Cached, !tc.measured)
			}
			if !strings.Contains(ch.Note, tc.note) || (tc.note == "" && ch.Note != "") {
				t.Errorf("Note %q, want it to mention %q", ch.Note, tc.note)
			}
			// Whatever was there, the file now holds this key's choice,
			// and the next run reads it without measuring.
			entries, err := readCache(file)
			if err != nil {
				t.Fatalf("cache after: %v", err)
			}
			again := chooser{file: file, now: time.Now, measure: func() (float64, float64, error) {
				t.Error("measured again although the choice is kept")
				return 1, 1, nil
			}}.choose(tc.key, false)
			if !again.Cached || again.Own != ch.Own || again.OwnGFLOPS != ch.OwnGFLOPS || again.LibraryGFLOPS != ch.LibraryGFLOPS || !again.Measured.Equal(ch.Measured) {
				t.Errorf("next run: %+v, want the kept %+v", again, ch)
			}
			// Another key's entry survives a new measurement.
			if tc.prior != nil && tc.key != tc.prior.Key && len(entries) != 2 {
				t.Errorf("cache holds %d entries, want the old key's and the new one's", len(entries))
			}
		})
	}
}

// TestChooseCannotKeep: without a cache directory, or with one that cannot
// be written, the measured choice is used and the reason says it is not
// kept; a failed measurement leaves float32 on zoo's kernel.
func TestChooseCannotKeep(t *testing.T) {
	measure := func() (float64, float64, error) { return 100, 200, nil }
	ch := chooser{fileErr: errors.New("$HOME is not defined"), now: time.Now, measure: measure}.choose(testKey, false)
	if ch.Own || ch.CacheFile != "" || !strings.Contains(ch.Note, "$HOME is not defined") {
		t.Errorf("no cache directory: %+v", ch)
	}
	blocked := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocked, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ch = chooser{file: filepath.Join(blocked, "zoo", cacheName), now: time.Now, measure: measure}.choose(testKey, false)
	if ch.Own || ch.CacheFile != "" || !strings.Contains(ch.Note, "not kept") {
		t.Errorf("unwritable cache: %+v", ch)
	}
	fail := func() (float64, float64, error) { return 0, 0, errors.New("the clock did not advance") }
	ch = chooser{file: filepath.Join(t.TempDir(), cacheName), now: time.Now, measure: fail}.choose(testKey, false)
	if !ch.Own || !strings.Contains(ch.Note, "the clock did not advance") {
		t.Errorf("failed measurement: %+v", ch)
	}
}

// TestPinnedDoesNotMeasure: ZOO_BLAS=go, gonum, library or a named library
// makes no measurement and touches no cache file.
func TestPinnedDoesNotMeasure(t *testing.T) {
	for _, env := range []string{"go", "gonum", "library", "libzoo-no-such-blas.so.9"} {
		cache := filepath.Join(t.TempDir(), cacheName)
		_, info := selectWith(env, Options{CacheFile: cache})
		if info.Choice != nil {
			t.Errorf("ZOO_BLAS=%s: measured: %+v", env, info.Choice)
		}
		if _, err := os.Stat(cache); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("ZOO_BLAS=%s: cache file: %v, want none", env, err)
		}
	}
}

func TestDescribe(t *testing.T) {
	when := time.Date(2026, 12, 3, 16, 5, 0, 0, time.UTC)
	for _, tc := range []struct {
		ch   Choice
		want string
	}{
		{Choice{Own: true, OwnGFLOPS: 212.4, LibraryGFLOPS: 180.2, Measured: when, CacheFile: "/c/zoo/blas-choice.json"},
			"float32 on zoo's AVX2 kernel: measured 212 GFLOP/s for zoo's kernel, 180 for openblas on an MLP/128 training step's products (2026-12-03 16:05 UTC); kept in /c/zoo/blas-choice.json (ZOO_BLAS=remeasure measures again)"},
		{Choice{Own: false, OwnGFLOPS: 150, LibraryGFLOPS: 230, Measured: when, Cached: true, Note: "not kept (disk full): measured again next run"},
			"float32 on openblas: measured earlier 150 GFLOP/s for zoo's kernel, 230 for openblas on an MLP/128 training step's products (2026-12-03 16:05 UTC); not kept (disk full): measured again next run"},
	} {
		if got := tc.ch.describe("openblas", "avx2"); got != tc.want {
			t.Errorf("describe:\n got %q\nwant %q", got, tc.want)
		}
	}
}

// TestChooseBusy: a measurement on a busy machine says so and how to
// measure again.
func TestChooseBusy(t *testing.T) {
	c := chooser{file: filepath.Join(t.TempDir(), cacheName), now: time.Now,
		measure: func() (float64, float64, error) { return 200, 100, nil },
		busy:    func() string { return "measured on a busy machine (load average 9.5 on 2 CPUs)" }}
	ch := c.choose(testKey, false)
	if !ch.Own || !strings.Contains(ch.Note, "load average 9.5") || !strings.Contains(ch.Note, "ZOO_BLAS=remeasure") {
		t.Errorf("busy machine: %+v", ch)
	}
	// The kept choice still says so.
	c.measure = func() (float64, float64, error) { t.Error("measured again"); return 1, 1, nil }
	if again := c.choose(testKey, false); !again.Cached || again.Note != ch.Note {
		t.Errorf("kept choice: %+v, want the note %q", again, ch.Note)
	}
}

// TestUnmeasured: Options.Unmeasured, and a test binary by default, keep
// float32 on zoo's kernel beside a library without measuring or touching
// the cache file.
func TestUnmeasured(t *testing.T) {
	openOrSkip(t)
	cache := filepath.Join(t.TempDir(), cacheName)
	impl, info := selectWith("", Options{CacheFile: cache, Unmeasured: true})
	im := impl.(*Implementation)
	if im.OwnFloat32 != sgemm.UsesAVX2() || info.Choice != nil {
		t.Errorf("OwnFloat32 %t, choice %+v; want zoo's kernel where it has one, unmeasured", im.OwnFloat32, info.Choice)
	}
	if _, err := os.Stat(cache); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cache file: %v, want none", err)
	}
	// A test binary is unmeasured by default: it never writes the
	// user's cache.
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	t.Setenv("HOME", home)
	impl, info = Select("")
	if im := impl.(*Implementation); im.OwnFloat32 != sgemm.UsesAVX2() || info.Choice != nil {
		t.Errorf("test binary: OwnFloat32 %t, choice %+v; want zoo's kernel, unmeasured", im.OwnFloat32, info.Choice)
	}
	if entries, _ := os.ReadDir(home); len(entries) != 0 {
		t.Errorf("test binary wrote %s: %v", home, entries)
	}
}
