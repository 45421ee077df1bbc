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
)

func newConv(t *testing.T) *models.ConvAutoencoder {
	t.Helper()
	a, err := models.NewConvAutoencoder(models.ConvAutoencoderConfig{Channels: 1, Height: 28, Width: 28, Output: models.Sigmoid,
		Encoder: []models.ConvLayer{{Filters: 4, Kernel: 3, Activation: models.ReLU, Pool: 2}, {Filters: 2, Kernel: 5, Activation: models.Tanh, Pool: 3}}}, rng.New(5, "init"))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestConvModelFile: a convolutional autoencoder saved with its
// architecture loads back as the same model, from the file alone.
func TestConvModelFile(t *testing.T) {
	a := newConv(t)
	path := filepath.Join(t.TempDir(), "conv.safetensors")
	if err := SaveModel(path, a); err != nil {
		t.Fatal(err)
	}
	info, err := ReadModelInfo(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Family != "conv-autoencoder" || info.ConvAutoencoder == nil || info.ConvAutoencoder.Height != 28 || len(info.Tensors) != 10 {
		t.Errorf("info %+v", info)
	}
	m, err := LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	back, ok := m.(*models.ConvAutoencoder)
	if !ok {
		t.Fatalf("loaded a %T", m)
	}
	sameParams(t, a.Params(), back.Params())
	if _, err := LoadAutoencoder(path); err == nil || !strings.Contains(err.Error(), "conv-autoencoder, not an autoencoder") {
		t.Errorf("LoadAutoencoder of a conv-autoencoder: %v", err)
	}
}

// TestConvWriteRun: a convolutional autoencoder built in Go becomes a run
// directory that Load opens as the same model; its model.safetensors,
// copied out, loads as a model file, and a run's own weights file (no
// architecture) is refused with the reason.
func TestConvWriteRun(t *testing.T) {
	a := newConv(t)
	dir := filepath.Join(t.TempDir(), "run")
	if err := WriteRun(dir, a, RunInfo{Data: recipes.Data{Name: "mnist"}, Corruption: models.Corruption{Type: models.Gaussian, Level: 0.3},
		Summary: Summary{TestReconstructionLoss: 0.2}}); err != nil {
		t.Fatal(err)
	}
	run, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	sameParams(t, a.Params(), run.Params)
	if run.Recipe.Name != "go-conv-autoencoder" || run.Recipe.Loss != "bce" || !slices.Equal(run.Shape, []int{28, 28}) ||
		run.CodeUnits() != 2*5*5 || run.Spec.Model.Corruption.Level != 0.3 {
		t.Errorf("loaded run %+v, shape %v, code %d", run.Recipe, run.Shape, run.CodeUnits())
	}
	codes, err := run.Encode(make([]float32, 3*784))
	if err != nil || len(codes) != 3*50 {
		t.Errorf("encode: %d values, %v", len(codes), err)
	}
	if l := run.Layers(); len(l) != 5 || l[1] != (LayerInfo{Name: "encoder.1", In: 4, Out: 2, Activation: "tanh", Kernel: 5, Pool: 3}) {
		t.Errorf("layers %+v", l)
	}
	if _, err := LoadModel(filepath.Join(dir, WeightsFile)); err != nil {
		t.Errorf("WriteRun's weights as a model file: %v", err)
	}

	// Pictures of another shape are not this model's.
	if err := WriteRun(filepath.Join(t.TempDir(), "bad"), a, RunInfo{Data: recipes.Data{Name: "mnist"}, Shape: []int{784}}); err == nil || !strings.Contains(err.Error(), "pictures") {
		t.Errorf("flat shape: %v", err)
	}

	// A trained run's weights hold its recipe, not the picture size.
	trained := filepath.Join(t.TempDir(), "trained.safetensors")
	r, err := recipes.Builtin("conv-ae-mnist", recipes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	text, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := SaveWeights(trained, a.Params(), map[string]string{"zoo.recipe": string(text)}); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadModel(trained); err == nil || !strings.Contains(err.Error(), "size of the pictures") || !strings.Contains(err.Error(), "runs.Load") {
		t.Errorf("a conv run's weights file: %v", err)
	}
	if err := os.Remove(trained); err != nil {
		t.Fatal(err)
	}
}
