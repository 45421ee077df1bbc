package datasets

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSplitsFiles: every way of loading a data set reports the files it
// read with their digests — the user's files by role, the files found in
// a directory, the built-in and downloaded copies by their published
// digests — and Limit keeps them.
func TestSplitsFiles(t *testing.T) {
	f := synthMNIST(30, 7, 4, 3)
	var files []mnistFile
	for i, b := range f {
		files = append(files, mnistFile{name: mnistBases[i], data: b})
	}
	dir := writeMNIST(t, files)
	byRole := map[string]string{
		RoleTrain: filepath.Join(dir, mnistTrainImages), RoleTrainLabels: filepath.Join(dir, mnistTrainLabels),
		RoleTest: filepath.Join(dir, mnistTestImages), RoleTestLabels: filepath.Join(dir, mnistTestLabels),
	}
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	fromDir := []FileDigest{
		{RoleTrain, byRole[RoleTrain], sum(f[0]), int64(len(f[0]))},
		{RoleTrainLabels, byRole[RoleTrainLabels], sum(f[1]), int64(len(f[1]))},
		{RoleTest, byRole[RoleTest], sum(f[2]), int64(len(f[2]))},
		{RoleTestLabels, byRole[RoleTestLabels], sum(f[3]), int64(len(f[3]))},
	}
	sorted := slices.Clone(fromDir)
	slices.SortFunc(sorted, func(a, b FileDigest) int { return strings.Compare(a.Role, b.Role) })

	set, content := fixtureSet(t)
	srv := serve(t, content, nil)
	cache := t.TempDir()
	var downloaded []FileDigest
	for i, rf := range set.files {
		downloaded = append(downloaded, FileDigest{mnistRoles[i], filepath.Join(cache, "fashion-mnist", rf.Name), rf.SHA256, rf.Size})
	}

	idx, err := Lookup("idx")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		load func() (*Splits, error)
		want []FileDigest
	}{
		{"MNISTDir", func() (*Splits, error) { return MNISTDir(dir) }, fromDir},
		{"idx source", func() (*Splits, error) { return idx.Load(Request{Files: byRole}) }, sorted},
		{"a download", func() (*Splits, error) {
			return loadRemote(Request{Cache: cache, Mirror: srv.URL}, set, testFetcher(srv, nil))
		}, downloaded},
		{"a download read from a directory", func() (*Splits, error) {
			return loadRemote(Request{Dir: dir}, set, testFetcher(srv, nil))
		}, fromDir},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.load()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s.Files, tt.want) {
				t.Errorf("files %+v\nwant %+v", s.Files, tt.want)
			}
			if got := s.Limit(5, 1, 1).Files; !slices.Equal(got, tt.want) {
				t.Errorf("Limit dropped the files: %+v", got)
			}
		})
	}
}

// TestMNISTFiles: the built-in MNIST reports its embedded files with
// their published digests.
func TestMNISTFiles(t *testing.T) {
	s, err := MNIST()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{mnistTrainImagesSHA256, mnistTrainLabelsSHA256, mnistTestImagesSHA256, mnistTestLabelsSHA256}
	if len(s.Files) != 4 {
		t.Fatalf("files %+v, want MNIST's four", s.Files)
	}
	for i, f := range s.Files {
		if f.Role != mnistRoles[i] || f.SHA256 != want[i] || !strings.HasSuffix(f.Path, ".gz") || f.Bytes <= 0 {
			t.Errorf("file %d: %+v", i, f)
		}
	}
}

// TestDigestFileRefuses: DigestFile reads only regular files that exist.
func TestDigestFileRefuses(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ name, path, want string }{
		{"missing", filepath.Join(dir, "nope"), "no such file"},
		{"a directory", dir, "is not a regular file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DigestFile(RoleTrain, tt.path); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one with %q", err, tt.want)
			}
		})
	}
}
