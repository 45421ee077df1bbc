package runs

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/recipes"
	"gorgonia.org/tensor"
)

// TestWriteRun: a model built in Go becomes a run directory that Load
// opens as the same model, whose recipe rebuilds its architecture and
// whose weights file also loads with LoadModel.
func TestWriteRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	m, err := models.NewMLP(models.MLPConfig{Inputs: 784, Classes: 10, Init: models.Glorot,
		Hidden:  []models.Layer{{Units: 8, Activation: models.Tanh}},
		Dropout: models.Dropout{Input: 0.1}}, rng.New(4, "init"))
	if err != nil {
		t.Fatal(err)
	}
	info := RunInfo{Name: "mine", Seed: 4, Data: recipes.Data{Name: "mnist", Train: 100}, Shape: []int{28, 28},
		Optimizer: map[string]any{"name": "adam", "lr": 0.001}, BatchSize: 10,
		Metrics: []MetricsRow{{Phase: PhaseTrain, Layer: -1, Epoch: 1, TrainLoss: 2, ValLoss: 2.1, ValError: 0.8, LR: 0.001, Seconds: 1}},
		Summary: Summary{TestError: 0.75, TestLoss: 2.2}}
	if err := WriteRun(dir, m, info); err != nil {
		t.Fatal(err)
	}
	run, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	sameParams(t, m.Params(), run.Params)
	if run.Recipe.Name != "mine" || !slices.Equal(run.Shape, []int{28, 28}) || run.Classes != 10 ||
		run.Summary.TestError != 0.75 || run.Summary.Parameters != models.Count(m.Params()) || run.Summary.Epochs != 1 ||
		run.Spec.Optimizer.Name != "adam" || run.Spec.Model.MLP.Dropout.Input != 0.1 {
		t.Errorf("loaded run %+v, summary %+v", run, run.Summary)
	}
	if rows, err := ReadMetrics(dir); err != nil || len(rows) != 1 || rows[0].ValError != 0.8 {
		t.Errorf("metrics %+v, %v", rows, err)
	}
	if _, err := run.Predict(make([]float32, 2*784)); err != nil {
		t.Error(err)
	}
	back, err := LoadMLP(filepath.Join(dir, WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	sameParams(t, m.Params(), back.Params())

	// A tied denoising autoencoder.
	aeDir := filepath.Join(t.TempDir(), "ae")
	ae := newAutoencoder(t, models.AutoencoderConfig{Inputs: 784, Encoder: []models.Layer{{Units: 16, Activation: models.Sigmoid}}, Output: models.Sigmoid, Tied: true})
	if err := WriteRun(aeDir, ae, RunInfo{Data: recipes.Data{Name: "mnist"}, Shape: []int{28, 28}, Corruption: models.Corruption{Type: models.Masking, Level: 0.25},
		Summary: Summary{TestReconstructionLoss: 0.1}}); err != nil {
		t.Fatal(err)
	}
	arun, err := Load(aeDir)
	if err != nil {
		t.Fatal(err)
	}
	defer arun.Close()
	sameParams(t, ae.Params(), arun.Params)
	if arun.Recipe.Name != "go-autoencoder" || arun.Recipe.Loss != "bce" || arun.Spec.Model.Corruption.Level != 0.25 || arun.CodeUnits() != 16 {
		t.Errorf("loaded autoencoder run %+v", arun.Recipe)
	}
	if _, err := os.Stat(filepath.Join(aeDir, MetricsFile)); err == nil {
		t.Error("metrics.csv written without metrics")
	}
}

func TestWriteRunErrors(t *testing.T) {
	tmp := t.TempDir()
	full := filepath.Join(tmp, "full")
	os.MkdirAll(full, 0o755)
	os.WriteFile(filepath.Join(full, "notes.txt"), []byte("mine"), 0o644)
	f64, err := models.NewMLP(models.MLPConfig{Inputs: 6, Classes: 3, DType: tensor.Float64}, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	flat := newAutoencoder(t, models.AutoencoderConfig{Inputs: 6, Encoder: []models.Layer{{Units: 4, Activation: models.ReLU}, {Units: 2, Activation: models.ReLU}}, Decoder: []models.Layer{}})
	mnist := recipes.Data{Name: "mnist"}
	tests := []struct {
		name string
		dir  string
		m    models.Network
		info RunInfo
		want string
	}{
		{"non-empty directory", full, mlp(t, 1, 5), RunInfo{Data: mnist}, "is not empty (it holds notes.txt); nothing there is overwritten"},
		{"float64", filepath.Join(tmp, "f64"), f64, RunInfo{Data: mnist}, "run directories hold float32 models (recipes have no dtype), this one is float64"},
		{"no recipe for it", filepath.Join(tmp, "flat"), flat, RunInfo{Data: mnist}, `a recipe cannot describe this model: it has {"inputs":6,"encoder":[{"units":4,"activation":"relu"},{"units":2,"activation":"relu"}],"decoder":[]`},
		{"shape", filepath.Join(tmp, "shape"), mlp(t, 1, 5), RunInfo{Data: mnist, Shape: []int{2, 2}}, "examples of shape [2 2] have 4 values, the model takes 6 inputs"},
		{"no data", filepath.Join(tmp, "nodata"), mlp(t, 1, 5), RunInfo{}, "RunInfo.Data.Name is empty: name the data set the model was trained on"},
		{"unknown data", filepath.Join(tmp, "baddata"), mlp(t, 1, 5), RunInfo{Data: recipes.Data{Name: "minst"}}, "RunInfo does not make a valid recipe: recipe made from RunInfo, line 4: data.name"},
		{"bad optimizer", filepath.Join(tmp, "opt"), mlp(t, 1, 5), RunInfo{Data: mnist, Optimizer: map[string]any{"name": "adma"}}, `unknown optimizer "adma"`},
		{"nil model", filepath.Join(tmp, "nil"), nil, RunInfo{Data: mnist}, "no model"},
	}
	for _, tt := range tests {
		err := WriteRun(tt.dir, tt.m, tt.info)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
		if tt.dir != full {
			if _, err := os.Stat(tt.dir); err == nil {
				t.Errorf("%s: a refused run left %s behind", tt.name, tt.dir)
			}
		}
	}
	if data, _ := os.ReadFile(filepath.Join(full, "notes.txt")); string(data) != "mine" {
		t.Error("the user's file changed")
	}
}
