package runs

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/recipes"
	"gorgonia.org/tensor"
)

func newVAE(t *testing.T, c models.VAEConfig) *models.VAE {
	t.Helper()
	v, err := models.NewVAE(c, rng.New(5, "init"))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestVAEModelRoundTrip: SaveModel then LoadModel (LoadVAE) gives the same
// variational autoencoder, mirrored or with its own decoder, either dtype.
func TestVAEModelRoundTrip(t *testing.T) {
	dir := t.TempDir()
	relu := models.Layer{Units: 5, Activation: models.ReLU}
	for i, c := range []models.VAEConfig{
		{Inputs: 8, Encoder: []models.Layer{relu}, Latent: 2},
		{Inputs: 8, Encoder: []models.Layer{relu, {Units: 4, Activation: models.Tanh}}, Latent: 3, Decoder: []models.Layer{{Units: 6, Activation: models.Sigmoid}}, DType: tensor.Float64},
		{Inputs: 8, Encoder: []models.Layer{relu}, Latent: 2, Decoder: []models.Layer{}},
	} {
		v := newVAE(t, c)
		path := filepath.Join(dir, "vae"+string(rune('a'+i))+".safetensors")
		if err := SaveModel(path, v); err != nil {
			t.Fatal(err)
		}
		back, err := LoadVAE(path)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		sameParams(t, v.Params(), back.Params())
		if a, b := configJSON(v.Config), configJSON(back.Config); a != b || (v.Config.Decoder == nil) != (back.Config.Decoder == nil) {
			t.Errorf("%d: config %s, want %s", i, b, a)
		}
		info, err := ReadModelInfo(path)
		if err != nil || info.Family != "vae" || info.VAE == nil || len(info.Tensors) != len(v.Params()) {
			t.Errorf("%d: ReadModelInfo %+v, %v", i, info, err)
		}
	}
	if _, err := LoadMLP(filepath.Join(dir, "vaea.safetensors")); err == nil || !strings.Contains(err.Error(), "not an mlp") {
		t.Errorf("LoadMLP of a vae: %v", err)
	}
	ae := newAutoencoder(t, models.AutoencoderConfig{Inputs: 8, Encoder: []models.Layer{{Units: 2, Activation: models.Sigmoid}}})
	if err := SaveModel(filepath.Join(dir, "ae.safetensors"), ae); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadVAE(filepath.Join(dir, "ae.safetensors")); err == nil || !strings.Contains(err.Error(), "not a vae") {
		t.Errorf("LoadVAE of an autoencoder: %v", err)
	}
}

// TestWriteRunVAE: a variational autoencoder built in Go becomes a run
// directory that Load opens as a vae: it encodes, decodes, samples and
// evaluates its negative ELBO, and its weights file loads as a model.
func TestWriteRunVAE(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vae")
	v := newVAE(t, models.VAEConfig{Inputs: 784, Encoder: []models.Layer{{Units: 16, Activation: models.ReLU}}, Latent: 2})
	if err := WriteRun(dir, v, RunInfo{Data: recipes.Data{Name: "mnist"}, Shape: []int{28, 28},
		Metrics: []MetricsRow{{Phase: PhaseTrain, Layer: -1, Epoch: 1, TrainLoss: 200, ValLoss: 190, LR: 0.001, Seconds: 1}},
		Summary: Summary{TestELBONats: 190}}); err != nil {
		t.Fatal(err)
	}
	run, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	sameParams(t, v.Params(), run.Params)
	if run.Recipe.Name != "go-vae" || run.Recipe.Loss != "elbo" || run.Spec.Model.Family != recipes.FamilyVAE || run.CodeUnits() != 2 {
		t.Errorf("loaded vae run %+v", run.Recipe)
	}
	x := make([]float32, 3*784)
	for i := range x {
		x[i] = float32(i%7) / 7
	}
	codes, err := run.Encode(x)
	if err != nil || len(codes) != 6 {
		t.Fatalf("Encode: %d values, %v", len(codes), err)
	}
	rec, err := run.Reconstruct(x)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := run.Decode(codes)
	if err != nil || !slices.Equal(rec, dec) {
		t.Errorf("Reconstruct is not Decode of Encode: %v", err)
	}
	if s, err := run.Sample(4, rand.NewPCG(1, 2)); err != nil || len(s) != 4*784 {
		t.Errorf("Sample: %d values, %v", len(s), err)
	}
	set := &datasets.Set{Name: "x", X: x, Shape: []int{28, 28}}
	e, err := run.ELBO(set)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := run.Evaluate(set); err != nil || m.Loss != e.NegELBO || m.HasError {
		t.Errorf("Evaluate %+v, %v; ELBO %+v", m, err, e)
	}
	if _, err := run.Predict(x); err == nil {
		t.Error("a vae predicted classes")
	}
	if _, err := run.Decode(make([]float32, 3)); err == nil {
		t.Error("Decode took 3 values for codes of 2")
	}
	if rows, err := ReadMetrics(dir); err != nil || len(rows) != 1 || rows[0].Phase != PhaseTrain {
		t.Errorf("metrics %+v, %v", rows, err)
	}
	if _, err := LoadVAE(filepath.Join(dir, WeightsFile)); err != nil {
		t.Error(err)
	}
	// A classifier run does not decode.
	mdir := filepath.Join(t.TempDir(), "mlp")
	if err := WriteRun(mdir, mlp(t, 1), RunInfo{Data: recipes.Data{Name: "mnist"}, Shape: []int{2, 3}}); err != nil {
		t.Fatal(err)
	}
	m, err := Load(mdir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.Sample(1, rand.NewPCG(1, 2)); err == nil || !strings.Contains(err.Error(), "only variational autoencoders") {
		t.Errorf("Sample of an mlp: %v", err)
	}
}
