package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/gorgonia-zoo/zoo/runs"
)

// newOutFile refuses an --out file that exists: the commands writing one
// (encode, reconstruct, filters, compare) make a new file, and a file of the
// same name may be the user's own, which nothing says may be replaced.
func newOutFile(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("--out %s: %w", path, err)
	case fi.IsDir():
		return fmt.Errorf("--out %s is a directory: name the file to write", path)
	}
	return fmt.Errorf("--out %s exists, and zoo does not overwrite files: remove it or choose another name", path)
}

// startCPUProfile starts writing a CPU profile to path, a new file, and
// returns what stops it and closes the file.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("--cpuprofile %s exists, and zoo does not overwrite files: remove it or choose another name", path)
	}
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("--cpuprofile %s: %w", path, err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// defaultOut returns the run directory for a run or experiment called name
// when --out is not given (runs.DefaultOut), refusing it should its parent
// hold Go source files: the default never writes into a source package.
func defaultOut(name string, now time.Time) (string, error) {
	dir := runs.DefaultOut(name, now)
	if src, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), "*.go")); len(src) > 0 {
		return "", fmt.Errorf("the default run directory %s would be inside a Go source package (%s holds %s): give the run directory with --out", dir, filepath.Dir(dir), filepath.Base(src[0]))
	}
	return dir, nil
}

// newOutDir refuses an --out directory that holds anything: zoo experiment
// writes its reports, figures and data there, whose names a user's files
// may have.
func newOutDir(path string) error {
	entries, err := os.ReadDir(path)
	if err != nil {
		// Missing (it is created), or not a directory (creating it says so).
		return nil
	}
	if len(entries) == 0 {
		return nil
	}
	var names []string
	for _, e := range entries[:min(len(entries), 3)] {
		names = append(names, e.Name())
	}
	if len(entries) > 3 {
		names = append(names, fmt.Sprintf("and %d more", len(entries)-3))
	}
	return fmt.Errorf("--out %s is not empty (it holds %s): results are written only into a new or empty directory, so that nothing there is overwritten; choose another --out", path, strings.Join(names, ", "))
}
