package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// LoadRunData returns the data the run m was trained on, to evaluate it or
// encode it: read from where the run recorded it (summary.json's data),
// or from o.Dir (--data) when given, and refused when its files are not
// the ones the run was trained on (see runs.DataRecord). A run without a
// record (written before it was kept) reads the data its recipe names, as
// LoadData does.
func LoadRunData(ctx context.Context, m *runs.Model, o DataOptions) (*datasets.Splits, error) {
	var rec *runs.DataRecord
	if m.Summary != nil {
		rec = m.Summary.Data
	}
	s, _, err := loadRecorded(ctx, m.Spec.Data, o, rec)
	return s, err
}

// loadRecorded loads the data d names as LoadData does, and its record.
// With rec, the record of the data a run was trained on, the data is read
// from where rec says unless o.Dir is given, and must be the same files:
// the files at the recorded paths are checked before they are read (so a
// changed file is named as such rather than failing to parse), and the
// digests of the files read are compared with the record after.
func loadRecorded(ctx context.Context, d recipes.Data, o DataOptions, rec *runs.DataRecord) (*datasets.Splits, *runs.DataRecord, error) {
	if rec != nil {
		if rec.Name != d.Name {
			return nil, nil, fmt.Errorf("pipeline: the run was trained on the %s data, its recipe now names %s: put data.name back", rec.Name, d.Name)
		}
		if o.Dir == "" && rec.Source == runs.DataDir {
			o.Dir = rec.Dir
		}
		if err := checkRecorded(rec, o.Dir); err != nil {
			return nil, nil, err
		}
	}
	s, err := LoadData(ctx, d, o)
	if err != nil {
		return nil, nil, err
	}
	dir := o.Dir
	if dir == "" {
		dir = d.Dir // as LoadData reads it
	}
	got, err := dataRecord(d, dir, s)
	if err != nil {
		return nil, nil, err
	}
	if rec != nil {
		if err := sameData(rec, got, dir); err != nil {
			return nil, nil, err
		}
	}
	return s, got, nil
}

// dataRecord records the data d names, read from dir ("" for none) into s.
func dataRecord(d recipes.Data, dir string, s *datasets.Splits) (*runs.DataRecord, error) {
	rec := &runs.DataRecord{Name: d.Name, Files: map[string]runs.DataFile{}}
	switch {
	case len(d.Files) > 0:
		rec.Source = runs.DataFiles
	case dir != "":
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, fmt.Errorf("pipeline: data directory %s: %w", dir, err)
		}
		rec.Source, rec.Dir = runs.DataDir, abs
	case d.Name == "mnist":
		rec.Source = runs.DataBuiltIn
	default:
		rec.Source = runs.DataDownload
	}
	for _, f := range s.Files {
		p := f.Path
		if rec.Source != runs.DataBuiltIn {
			abs, err := filepath.Abs(p)
			if err != nil {
				return nil, fmt.Errorf("pipeline: data file %s: %w", p, err)
			}
			p = abs
		}
		rec.Files[f.Role] = runs.DataFile{Path: p, SHA256: f.SHA256, Bytes: f.Bytes}
	}
	return rec, nil
}

// checkRecorded checks, before the data is read, the files of rec where
// they will be read from: at their recorded paths, or when dir overrides
// a recorded directory, under the same names in dir (a file missing there
// is left to the data set's own search and the comparison after).
func checkRecorded(rec *runs.DataRecord, dir string) error {
	if rec.Source != runs.DataDir && rec.Source != runs.DataFiles {
		return nil // built in, or a download the data set checks itself
	}
	override := rec.Source == runs.DataDir && dir != "" && !sameDir(dir, rec.Dir)
	if rec.Source == runs.DataDir && !override {
		if st, err := os.Stat(rec.Dir); err != nil || !st.IsDir() {
			return fmt.Errorf("pipeline: the run was trained on the %s data in %s (%s); that directory is gone: give --data with a directory holding the same files", rec.Name, rec.Dir, firstDigest(rec))
		}
	}
	for _, role := range sortedRoles(rec.Files) {
		want := rec.Files[role]
		path := want.Path
		if override {
			path = filepath.Join(dir, filepath.Base(want.Path))
		}
		got, err := datasets.DigestFile(role, path)
		switch {
		case errors.Is(err, fs.ErrNotExist) && override:
			continue
		case errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("pipeline: the run was trained on %s (sha256 %s); that file is gone: put the same file back there", want.Path, short(want.SHA256))
		case err != nil:
			return err
		}
		if err := sameFile(want, runs.DataFile{Path: path, SHA256: got.SHA256, Bytes: got.Bytes}, override); err != nil {
			return err
		}
	}
	return nil
}

// sameData compares the record got of the data just read with rec, the
// run's, role by role.
func sameData(rec, got *runs.DataRecord, dir string) error {
	override := dir != "" && !(rec.Source == runs.DataDir && sameDir(dir, rec.Dir))
	for _, role := range sortedRoles(rec.Files) {
		g, ok := got.Files[role]
		if !ok {
			return fmt.Errorf("pipeline: the data read has no %s file; the run was trained on %s (sha256 %s)", role, rec.Files[role].Path, short(rec.Files[role].SHA256))
		}
		want := rec.Files[role]
		if rec.Source == runs.DataBuiltIn {
			want.Path = "zoo's built-in " + want.Path
		}
		if err := sameFile(want, g, override); err != nil {
			return err
		}
	}
	for _, role := range sortedRoles(got.Files) {
		if _, ok := rec.Files[role]; !ok {
			return fmt.Errorf("pipeline: %s (%s) was not part of the data the run was trained on: give the same files", got.Files[role].Path, role)
		}
	}
	return nil
}

// sameFile refuses got, a file as read now, unless it has the digest of
// want, the run's; override says got was found through --data rather than
// at the run's own path.
func sameFile(want, got runs.DataFile, override bool) error {
	if got.SHA256 == want.SHA256 {
		return nil
	}
	if !override && got.Path == want.Path {
		return fmt.Errorf("pipeline: %s has changed since the run was trained on it (sha256 %s, %d bytes; it was %s, %d bytes): put back the file the run was trained on", got.Path, short(got.SHA256), got.Bytes, short(want.SHA256), want.Bytes)
	}
	return fmt.Errorf("pipeline: %s is not the file the run was trained on (sha256 %s, %d bytes; the run's %s: %s, %d bytes): give the same files", got.Path, short(got.SHA256), got.Bytes, want.Path, short(want.SHA256), want.Bytes)
}

// firstDigest names a record's training file and its digest, to identify
// the data in a message.
func firstDigest(rec *runs.DataRecord) string {
	f, ok := rec.Files[datasets.RoleTrain]
	if !ok {
		return "no files recorded"
	}
	return fmt.Sprintf("%s sha256 %s", filepath.Base(f.Path), short(f.SHA256))
}

// short is the start of a hex digest, enough to tell files apart in a
// message.
func short(sha string) string {
	if len(sha) <= 12 {
		return sha
	}
	return sha[:12] + "…"
}

// sameDir reports whether a and b name the same directory path.
func sameDir(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

func sortedRoles[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
