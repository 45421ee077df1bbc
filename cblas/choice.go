package cblas

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/cpu"
)

// Choice is how single precision's products were assigned when a library
// was found and ZOO_BLAS did not pin the choice: zoo's kernel and the
// library were timed on a training step's products, once per machine and
// library, and the result kept in a cache file so that every later run on
// the same machine computes the same way (and so gives the same results).
type Choice struct {
	// Own says float32 runs on zoo's kernel; false: on the library.
	Own bool `json:"own"`
	// OwnGFLOPS and LibraryGFLOPS are the measured rates: the median
	// training step's float32 products, with Go's element-wise work
	// between them, per second. Zero when the measurement failed.
	OwnGFLOPS     float64 `json:"own_gflops"`
	LibraryGFLOPS float64 `json:"library_gflops"`
	// Measured is when they were measured.
	Measured time.Time `json:"measured"`
	// Cached says the choice was read from CacheFile rather than measured
	// by this process.
	Cached bool `json:"cached"`
	// CacheFile is the file that keeps the choice; "" if there is none.
	CacheFile string `json:"cache_file,omitempty"`
	// Note says what went wrong, if anything: a cache file that could not
	// be read (and was measured again) or written (measured again next run).
	Note string `json:"note,omitempty"`
}

// libraryMargin is how much faster the library must measure to take
// float32 from zoo's kernel. Near a tie the two are within the
// measurement's noise, and on zoo's kernel a run's results do not depend
// on whether the library is installed.
const libraryMargin = 0.03

// decide is the choice for the measured rates: zoo's kernel unless the
// library is more than libraryMargin faster.
func decide(ownGFLOPS, libGFLOPS float64) (own bool) {
	return !(libGFLOPS > ownGFLOPS*(1+libraryMargin))
}

// kernelVersion names zoo's float32 kernel and this measurement; a cached
// choice made with another is measured again. Change it when
// internal/sgemm's kernel or stepProducts changes.
const kernelVersion = "sgemm-avx2-1"

// choiceKey is what a cached choice holds for: the machine (CPU, its
// features and cores, the Go scheduler's parallelism) and the library
// (file, vendor, version, threads). A different key is measured again.
type choiceKey struct {
	CPU        string `json:"cpu"`
	Features   string `json:"features"`
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	Library    string `json:"library"`
	Vendor     string `json:"vendor"`
	Version    string `json:"version"`
	Threads    int    `json:"threads"`
	Kernel     string `json:"kernel"`
}

// keyFor is this machine's key with the library l.
func keyFor(l *Library) choiceKey {
	return choiceKey{
		CPU: cpuModel(), Features: cpuFeatures(), CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		Library: l.Path, Vendor: l.Vendor, Version: l.Version, Threads: l.Threads(), Kernel: kernelVersion,
	}
}

// cpuModel is the CPU's model name (/proc/cpuinfo's "model name"), or the
// architecture where the system does not say.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err == nil {
		defer f.Close()
		s := bufio.NewScanner(f)
		for s.Scan() {
			if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}

// cpuFeatures lists the CPU features the kernels' speed depends on.
func cpuFeatures() string {
	var fs []string
	for _, f := range []struct {
		name string
		has  bool
	}{
		{"avx2", cpu.X86.HasAVX2}, {"fma", cpu.X86.HasFMA}, {"avx512f", cpu.X86.HasAVX512F},
		{"avx512bf16", cpu.X86.HasAVX512BF16}, {"asimd", cpu.ARM64.HasASIMD}, {"sve", cpu.ARM64.HasSVE},
	} {
		if f.has {
			fs = append(fs, f.name)
		}
	}
	return strings.Join(fs, " ")
}

// cacheFormat identifies the cache file's layout.
const cacheFormat = "zoo blas choice 1"

// cacheName is the cache file's name under os.UserCacheDir()/zoo.
const cacheName = "blas-choice.json"

// maxEntries bounds the cache file: one entry per machine and library
// (several machines may share a home directory), the oldest dropped first.
const maxEntries = 32

// maxCacheSize bounds what is read of a cache file; a larger one is not
// zoo's.
const maxCacheSize = 1 << 20

type cacheFile struct {
	Format  string       `json:"format"`
	Entries []cacheEntry `json:"entries"`
}

type cacheEntry struct {
	Key           choiceKey `json:"key"`
	Own           bool      `json:"own"`
	OwnGFLOPS     float64   `json:"own_gflops"`
	LibraryGFLOPS float64   `json:"library_gflops"`
	Measured      time.Time `json:"measured"`
	// Busy says the machine was busy during the measurement (see
	// busyMachine); "" if it was quiet.
	Busy string `json:"busy,omitempty"`
}

// valid reports whether e is one zoo wrote: positive finite rates and the
// choice decide makes from them.
func (e cacheEntry) valid() bool {
	ok := func(x float64) bool { return x > 0 && !math.IsInf(x, 0) }
	return ok(e.OwnGFLOPS) && ok(e.LibraryGFLOPS) && e.Own == decide(e.OwnGFLOPS, e.LibraryGFLOPS) && !e.Measured.IsZero()
}

// readCache returns the entries of the cache file at path; none, without
// an error, if it does not exist. A file that is not zoo's cache, or has
// an entry zoo would not have written, is an error: it is measured again
// and replaced, never trusted.
func readCache(path string) ([]cacheEntry, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCacheSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxCacheSize {
		return nil, fmt.Errorf("%s is larger than %d bytes: not zoo's cache", path, maxCacheSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c cacheFile
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if c.Format != cacheFormat {
		return nil, fmt.Errorf("%s: format %q, want %q", path, c.Format, cacheFormat)
	}
	for i, e := range c.Entries {
		if !e.valid() {
			return nil, fmt.Errorf("%s: entry %d is inconsistent", path, i+1)
		}
	}
	return c.Entries, nil
}

// writeCache replaces the cache file at path with entries, atomically:
// a reader sees the old file or the new one, never a part.
func writeCache(path string, entries []cacheEntry) error {
	b, err := json.MarshalIndent(cacheFile{Format: cacheFormat, Entries: entries}, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".blas-choice-*.tmp")
	if err != nil {
		return err
	}
	_, err = tmp.Write(append(b, '\n'))
	if err == nil {
		err = tmp.Chmod(0o644) // as os.WriteFile would create it; CreateTemp makes 0600
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// defaultCacheFile is os.UserCacheDir()/zoo/blas-choice.json.
func defaultCacheFile() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "zoo", cacheName), nil
}

// A chooser makes the measured choice, through its cache file.
type chooser struct {
	// file is the cache file; "" for none, with fileErr saying why.
	file    string
	fileErr error
	// measure times zoo's kernel and the library (see measure).
	measure func() (ownGFLOPS, libGFLOPS float64, err error)
	now     func() time.Time
	// busy, if not nil, says whether other work is running that would
	// make the figures unrepresentative ("" if not).
	busy func() string
}

// choose returns the choice for key: the cached one, unless remeasure or
// there is none; else it measures and saves the result.
func (c chooser) choose(key choiceKey, remeasure bool) Choice {
	var entries []cacheEntry
	var notes []string
	if c.file != "" {
		lookup := func() (Choice, bool) {
			var err error
			notes = notes[:0]
			if entries, err = readCache(c.file); err != nil {
				notes = append(notes, fmt.Sprintf("measured again, replacing an unreadable cache file (%v)", err))
				entries = nil
			}
			i := slices.IndexFunc(entries, func(e cacheEntry) bool { return e.Key == key })
			if i < 0 || remeasure {
				return Choice{}, false
			}
			e := entries[i]
			ch := Choice{Own: e.Own, OwnGFLOPS: e.OwnGFLOPS, LibraryGFLOPS: e.LibraryGFLOPS, Measured: e.Measured, Cached: true, CacheFile: c.file}
			if e.Busy != "" {
				ch.Note = busyNote(e.Busy)
			}
			return ch, true
		}
		if ch, ok := lookup(); ok {
			return ch
		}
		// Measure under the lock, after looking again: another process
		// may have measured while this one waited.
		if unlock, err := lockCache(c.file); err == nil {
			defer unlock()
			if ch, ok := lookup(); ok {
				return ch
			}
		}
	}
	own, lib, err := c.measure()
	ch := Choice{Own: true, Measured: c.now().UTC().Truncate(time.Second), CacheFile: c.file}
	if err != nil {
		// Nothing is saved: the next run measures again.
		ch.CacheFile = ""
		ch.Note = strings.Join(append(notes, fmt.Sprintf("the measurement failed (%v): float32 stays on zoo's kernel", err)), "; ")
		return ch
	}
	ch.Own, ch.OwnGFLOPS, ch.LibraryGFLOPS = decide(own, lib), own, lib
	var busy string
	if c.busy != nil {
		if busy = c.busy(); busy != "" {
			notes = append(notes, busyNote(busy))
		}
	}
	if c.file == "" {
		notes = append(notes, fmt.Sprintf("not kept (no cache directory: %v): measured again next run", c.fileErr))
	} else {
		entries = slices.DeleteFunc(entries, func(e cacheEntry) bool { return e.Key == key })
		entries = append(entries, cacheEntry{Key: key, Own: ch.Own, OwnGFLOPS: own, LibraryGFLOPS: lib, Measured: ch.Measured, Busy: busy})
		if len(entries) > maxEntries {
			entries = entries[len(entries)-maxEntries:]
		}
		if err := writeCache(c.file, entries); err != nil {
			notes = append(notes, fmt.Sprintf("not kept (%v): measured again next run", err))
			ch.CacheFile = ""
		}
	}
	ch.Note = strings.Join(notes, "; ")
	return ch
}

// busyMachine reports a load average above the number of CPUs (Linux's
// /proc/loadavg; "" elsewhere or when the machine is quiet): other
// processes then took a share of the cores during the measurement.
func busyMachine() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	var load float64
	if _, err := fmt.Sscan(string(b), &load); err != nil || load <= float64(runtime.NumCPU()) {
		return ""
	}
	return fmt.Sprintf("measured on a busy machine (load average %.1f on %d CPUs)", load, runtime.NumCPU())
}

func busyNote(busy string) string {
	return busy + ": ZOO_BLAS=remeasure on a quiet machine measures again"
}

// describe is Info.Reason for a library found with zoo's kernel beside it:
// which computes float32 and why, with the figures.
func (ch Choice) describe(vendor, kernel string) string {
	where := fmt.Sprintf("float32 on zoo's %s kernel", strings.ToUpper(kernel))
	if !ch.Own {
		where = "float32 on " + vendor
	}
	var s string
	if ch.OwnGFLOPS == 0 {
		s = where
	} else {
		how := "measured"
		if ch.Cached {
			how = "measured earlier"
		}
		s = fmt.Sprintf("%s: %s %.0f GFLOP/s for zoo's kernel, %.0f for %s on an MLP/128 training step's products (%s)",
			where, how, ch.OwnGFLOPS, ch.LibraryGFLOPS, vendor, ch.Measured.Format("2006-01-02 15:04 UTC"))
		if ch.CacheFile != "" {
			s += "; kept in " + ch.CacheFile + " (ZOO_BLAS=remeasure measures again)"
		}
	}
	if ch.Note != "" {
		s += "; " + ch.Note
	}
	return s
}
