//go:build unix

package main

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/safetensors"
	"github.com/gorgonia-zoo/zoo/runs"
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

// TestSpecialFiles puts a named pipe with no writer, then a directory, in
// every place a command reads a file the user gives: each is refused at
// once (a pipe used to block the open forever, deaf to Ctrl-C), in one
// line naming the path and what it is.
func TestSpecialFiles(t *testing.T) {
	d := newFixture(t)
	csvRecipe := "data: {name: csv, files: {train: own/train.csv, test: own/test.csv}, label: label}"
	npyRecipe := "data: {name: npy, files: {train: own/x.npy, train_labels: own/y.npy, test: own/x.npy, test_labels: own/y.npy}}"
	places := []struct {
		name string
		// args makes the place at the path it returns and the command line.
		args func(t *testing.T, dir string) (string, []string)
	}{
		{"recipe file", func(t *testing.T, dir string) (string, []string) {
			p := filepath.Join(dir, "r.yaml")
			return p, []string{"train", p}
		}},
		{"IDX data file", func(t *testing.T, dir string) (string, []string) {
			data := copyDir(t, d.data, filepath.Join(dir, "data"))
			return filepath.Join(data, "train-images-idx3-ubyte"), []string{"train", d.recipe, "--data", data, "--out", filepath.Join(dir, "run")}
		}},
		{"CSV data file", func(t *testing.T, dir string) (string, []string) {
			r := filepath.Join(dir, "csv.yaml")
			writeText(t, r, strings.Replace(tinyRecipe, "data: {name: mnist}", csvRecipe, 1))
			if err := os.Mkdir(filepath.Join(dir, "own"), 0o755); err != nil {
				t.Fatal(err)
			}
			writeText(t, filepath.Join(dir, "own", "test.csv"), "x,label\n1,0\n")
			return filepath.Join(dir, "own", "train.csv"), []string{"train", r, "--out", filepath.Join(dir, "run")}
		}},
		{"NPY data file", func(t *testing.T, dir string) (string, []string) {
			r := filepath.Join(dir, "npy.yaml")
			writeText(t, r, strings.Replace(tinyRecipe, "data: {name: mnist}", npyRecipe, 1))
			if err := os.Mkdir(filepath.Join(dir, "own"), 0o755); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(dir, "own", "x.npy"), []string{"train", r, "--out", filepath.Join(dir, "run")}
		}},
		{"a run's recipe.yaml", func(t *testing.T, dir string) (string, []string) {
			run := copyDir(t, d.done, filepath.Join(dir, "run"))
			return filepath.Join(run, runs.RecipeFile), []string{"eval", run, "--data", d.data}
		}},
		{"a run's model.safetensors", func(t *testing.T, dir string) (string, []string) {
			run := copyDir(t, d.done, filepath.Join(dir, "run"))
			return filepath.Join(run, runs.WeightsFile), []string{"predict", run, filepath.Join(dir, "any.png")}
		}},
		{"a run's summary.json", func(t *testing.T, dir string) (string, []string) {
			run := copyDir(t, d.done, filepath.Join(dir, "run"))
			return filepath.Join(run, runs.SummaryFile), []string{"compare", run}
		}},
		{"an unfinished run's metrics.csv", func(t *testing.T, dir string) (string, []string) {
			run := copyDir(t, d.cut, filepath.Join(dir, "run"))
			return filepath.Join(run, runs.MetricsFile), []string{"compare", run}
		}},
		{"a checkpoint", func(t *testing.T, dir string) (string, []string) {
			run := copyDir(t, d.cut, filepath.Join(dir, "run"))
			return filepath.Join(run, runs.CheckpointFile), []string{"train", "--resume", run, "--data", d.data}
		}},
		{"an --init weights file", func(t *testing.T, dir string) (string, []string) {
			p := filepath.Join(dir, "init.safetensors")
			return p, []string{"train", d.recipe, "--data", d.data, "--init", p, "--out", filepath.Join(dir, "run")}
		}},
		{"a picture", func(t *testing.T, dir string) (string, []string) {
			p := filepath.Join(dir, "digit.png")
			return p, []string{"predict", d.done, p}
		}},
	}
	kinds := []struct {
		name, says string
		make       func(t *testing.T, path string)
	}{
		{"named pipe", "is a named pipe, not a file", func(t *testing.T, path string) { mkfifo(t, path) }},
		{"directory", "is a directory, not a file", func(t *testing.T, path string) {
			os.RemoveAll(path)
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, p := range places {
		for _, k := range kinds {
			if k.name == "directory" && p.name == "an --init weights file" {
				continue // a directory given to --init is a run directory
			}
			t.Run(p.name+" as a "+k.name, func(t *testing.T) {
				path, args := p.args(t, t.TempDir())
				k.make(t, path)
				code, _, stderr := zoo(t, args...)
				if code != exitError || !strings.Contains(stderr, path+": "+k.says) || strings.Count(stderr, "\n") != 1 {
					t.Errorf("zoo %s\nexit %d, stderr %s\nwant exit 1 and one line saying %s: %s", strings.Join(args, " "), code, stderr, path, k.says)
				}
			})
		}
	}
}
