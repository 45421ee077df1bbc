package runs

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/internal/safetensors"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/recipes"
	"gorgonia.org/tensor"
)

// withValue returns the safetensors file data with value index of tensor
// name set to v (F32 or F64).
func withValue(t *testing.T, data []byte, name string, index int, v float64) []byte {
	t.Helper()
	return rewrite(t, data, func(f *safetensors.File) {
		for i := range f.Tensors {
			ts := &f.Tensors[i]
			if ts.Name != name {
				continue
			}
			ts.Data = slices.Clone(ts.Data)
			if ts.DType == "F32" {
				binary.LittleEndian.PutUint32(ts.Data[4*index:], math.Float32bits(float32(v)))
			} else {
				binary.LittleEndian.PutUint64(ts.Data[8*index:], math.Float64bits(v))
			}
			return
		}
		t.Fatalf("no tensor %s", name)
	})
}

// TestNonFiniteWeights: a NaN or an infinity anywhere in a weights file,
// of either dtype, is refused by every way weights are read (LoadWeights,
// LoadModel, InitWeights), naming the tensor and the first bad index, and
// leaves the model as it was.
func TestNonFiniteWeights(t *testing.T) {
	dir := t.TempDir()
	models64, err := models.NewMLP(models.MLPConfig{Inputs: 6, Classes: 3, DType: tensor.Float64,
		Hidden: []models.Layer{{Units: 4, Activation: models.ReLU}}}, rng.New(2, "init"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*models.MLP{tinyMLP(t, 1, 4), models64} {
		dt := m.Config.DType.String()
		path := filepath.Join(dir, dt+".safetensors")
		if err := SaveModel(path, m); err != nil {
			t.Fatal(err)
		}
		good, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			tensor string
			index  int
			v      float64
		}{
			{"layers.0.weight", 0, math.NaN()},
			{"layers.0.weight", 23, math.Inf(1)},
			{"layers.0.bias", 2, math.Inf(-1)},
			{"layers.1.weight", 5, math.NaN()},
			{"layers.1.bias", 1, math.NaN()},
		} {
			bad := filepath.Join(dir, fmt.Sprintf("%s-%s-%d.safetensors", dt, tt.tensor, tt.index))
			if err := os.WriteFile(bad, withValue(t, good, tt.tensor, tt.index, tt.v), 0o644); err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("tensor %q holds %v at index %d: a model's weights are finite numbers", tt.tensor, tt.v, tt.index)
			target := tinyMLP(t, 9, 4)
			if dt == "float64" {
				target, _ = models.NewMLP(models64.Config, rng.New(9, "init"))
			}
			before := slices.Clone(target.Params()[0].Float64s())
			for api, load := range map[string]func() error{
				"LoadWeights": func() error { _, err := LoadWeights(bad, target.Params()); return err },
				"LoadModel":   func() error { _, err := LoadModel(bad); return err },
				"InitWeights": func() error { _, err := InitWeights(bad, target.Params(), false); return err },
			} {
				if err := load(); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), bad) {
					t.Errorf("%s(%s): %v, want %q", api, filepath.Base(bad), err, want)
				}
			}
			if !slices.Equal(before, target.Params()[0].Float64s()) {
				t.Errorf("%s: a refused load changed the model", filepath.Base(bad))
			}
		}
	}
}

// TestNoRun: a run is written only into a new directory, an empty one, or
// one holding only a lock; a run already there and anything else of a
// user's are refused, by name.
func TestNoRun(t *testing.T) {
	for _, tt := range []struct {
		name  string
		files []string // nil: the directory does not exist
		want  string
	}{
		{"missing", nil, ""},
		{"empty", []string{}, ""},
		{"a lock only", []string{LockFile}, ""},
		{"a run killed writing its recipe", []string{LockFile, "." + RecipeFile + ".tmp-123"}, ""},
		{"a finished run", []string{SummaryFile, WeightsFile, RecipeFile, LockFile}, "already holds a run (summary.json exists)"},
		{"a started run", []string{RecipeFile, LockFile}, "already holds a run (recipe.yaml exists)"},
		{"the user's metrics.csv", []string{MetricsFile}, "is not empty and is not a zoo run (it holds metrics.csv)"},
		{"the user's checkpoint", []string{CheckpointFile}, "is not empty and is not a zoo run (it holds checkpoint.safetensors)"},
		{"a hidden file", []string{".notes"}, "is not empty and is not a zoo run (it holds .notes)"},
	} {
		dir := filepath.Join(t.TempDir(), "out")
		if tt.files != nil {
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for _, f := range tt.files {
			if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		err := NoRun(dir)
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), dir+" "+tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

// TestSummaryShapeLies: the model is rebuilt from summary.json's
// input_shape and classes, so a summary that lies about them (or lacks
// them, for a run not on MNIST's 28×28 digits) is named, not the weights.
func TestSummaryShapeLies(t *testing.T) {
	mlpDir := filepath.Join(t.TempDir(), "mlp")
	m, err := models.NewMLP(models.MLPConfig{Inputs: 12, Classes: 3, Hidden: []models.Layer{{Units: 4, Activation: models.Tanh}}}, rng.New(4, "init"))
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteRun(mlpDir, m, RunInfo{Data: recipes.Data{Name: "mnist"}, Shape: []int{3, 4}}); err != nil {
		t.Fatal(err)
	}
	aeDir := filepath.Join(t.TempDir(), "ae")
	ae := newAutoencoder(t, models.AutoencoderConfig{Inputs: 12, Encoder: []models.Layer{{Units: 5, Activation: models.Sigmoid}}, Output: models.Sigmoid})
	if err := WriteRun(aeDir, ae, RunInfo{Data: recipes.Data{Name: "mnist"}, Shape: []int{3, 4}}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, dir, old, new, want string
	}{
		{"input_shape of an mlp", mlpDir, `"input_shape": [
    3,
    4
  ]`, `"input_shape": [3, 5]`, `says input_shape [3 5], examples of 15 values, but the first layer of model.safetensors (layers.0.weight [12 4]) takes 12 inputs`},
		{"no input_shape", mlpDir, `"input_shape": [
    3,
    4
  ],`, ``, `says no input_shape (a run from before it was recorded: MNIST's [28 28] assumed), examples of 784 values, but the first layer`},
		{"classes", mlpDir, `"classes": 3`, `"classes": 7`, `says classes 7, but the output layer of model.safetensors (layers.1.bias [3]) has 3 units`},
		{"input_shape of an autoencoder", aeDir, `"input_shape": [
    3,
    4
  ]`, `"input_shape": [2, 4]`, `says input_shape [2 4], examples of 8 values, but the first layer of model.safetensors (encoder.0.weight [12 5]) takes 12 inputs`},
	} {
		dir := filepath.Join(t.TempDir(), "run")
		for _, f := range []string{RecipeFile, WeightsFile, SummaryFile} {
			data, err := os.ReadFile(filepath.Join(tt.dir, f))
			if err != nil {
				t.Fatal(err)
			}
			if f == SummaryFile {
				if !strings.Contains(string(data), tt.old) {
					t.Fatalf("%s: summary.json has no %s:\n%s", tt.name, tt.old, data)
				}
				data = []byte(strings.Replace(string(data), tt.old, tt.new, 1))
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, SummaryFile)+" "+tt.want) {
			t.Errorf("%s: %v\nwant %s", tt.name, err, tt.want)
		}
	}
}

// TestNoRunFile: an --out that is a file is named as such, not as the
// mkdir that would fail on it.
func TestNoRunFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := NoRun(path); err == nil || err.Error() != "runs: "+path+" is a file, not a directory: a run is a directory; choose another --out" {
		t.Errorf("NoRun of a file: %v", err)
	}
}
