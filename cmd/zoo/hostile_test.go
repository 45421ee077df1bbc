//go:build unix

package main

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/safetensors"
)

// mkfifo replaces path (if it exists) by a named pipe with no writer: an
// os.Open of it would block forever.
func mkfifo(t *testing.T, path string) string {
	t.Helper()
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// mkdirAt replaces the file at path by an empty directory.
func mkdirAt(t *testing.T, path string) string {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// setValue rewrites value index of tensor name (F32 or F64) of the
// safetensors file at path to v, keeping everything else.
func setValue(t *testing.T, path, name string, index int, v float64) {
	t.Helper()
	f, err := safetensors.ReadFile(path, safetensors.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for i := range f.Tensors {
		ts := &f.Tensors[i]
		if ts.Name != name {
			continue
		}
		found = true
		ts.Data = append([]byte(nil), ts.Data...)
		switch ts.DType {
		case "F32":
			binary.LittleEndian.PutUint32(ts.Data[4*index:], math.Float32bits(float32(v)))
		case "F64":
			binary.LittleEndian.PutUint64(ts.Data[8*index:], math.Float64bits(v))
		default:
			t.Fatalf("%s: tensor %s is %s", path, name, ts.DType)
		}
	}
	if !found {
		t.Fatalf("%s: no tensor %s", path, name)
	}
	if err := safetensors.WriteFile(path, f.Tensors, f.Metadata); err != nil {
		t.Fatal(err)
	}
}

// copyData copies the fixture's data set into dir.
func (d *fixture) copyData(t *testing.T, name string) string {
	t.Helper()
	return copyDir(t, d.data, filepath.Join(d.dir, name))
}
