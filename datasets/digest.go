package datasets

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// FileDigest is one file a data set was read from and its SHA-256, so a
// run can record the data it was trained on and later refuse data that
// has changed (a resumed run, an evaluation).
type FileDigest struct {
	// Role is what the file holds: train, train_labels, test, test_labels,
	// validation or validation_labels (see Request.Files; MNIST's four
	// files take the roles of npy's and idx's).
	Role string
	// Path is the file read, as the request named it (its directory joined
	// with the file's name for a data set read from a directory); for the
	// copy of MNIST built into zoo, the embedded file's name.
	Path string
	// SHA256 is the hex SHA-256 of the file's bytes, as stored (a gzipped
	// file's compressed bytes), and Bytes their number.
	SHA256 string
	Bytes  int64
}

// DigestFile returns the SHA-256 and size of the file at path, for role.
// It reads only a regular file: a FIFO or a device could block forever.
// Hashing runs at several hundred MB/s, so MNIST's 50 MB cost a tenth of a
// second.
func DigestFile(role, path string) (FileDigest, error) {
	// Checked before opening: opening a FIFO blocks.
	st, err := os.Stat(path)
	if err != nil {
		return FileDigest{}, fmt.Errorf("datasets: %w", err)
	}
	if !st.Mode().IsRegular() {
		return FileDigest{}, fmt.Errorf("datasets: %s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return FileDigest{}, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return FileDigest{}, fmt.Errorf("datasets: read %s: %w", path, err)
	}
	return FileDigest{Role: role, Path: path, SHA256: hex.EncodeToString(h.Sum(nil)), Bytes: n}, nil
}

// digestFiles returns the digests of files, by role in sorted order: the
// files a data set read from the user's files was loaded from.
func digestFiles(files map[string]string) ([]FileDigest, error) {
	var out []FileDigest
	for _, role := range sortedRoles(files) {
		d, err := DigestFile(role, files[role])
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// mnistRoles are the roles of MNIST's four files, in the order the
// loaders read them: training images and labels, test images and labels.
var mnistRoles = [4]string{RoleTrain, RoleTrainLabels, RoleTest, RoleTestLabels}
