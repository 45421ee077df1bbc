package pipeline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/train"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/internal/safetensors"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// tinyRun are the overrides that make a built-in recipe's run take a moment.
var tinyRun = []string{"data.train=200", "data.validation=100", "data.test=100", "epochs=1", "batch_size=50"}

// trainWith trains the built-in recipe name with set and init into a new
// directory, logging to log.
func trainWith(t *testing.T, name string, init *recipes.Init, log *bytes.Buffer, set ...string) (string, *runs.Summary, error) {
	t.Helper()
	r, err := recipes.Builtin(name, recipes.Options{Set: append(slices.Clone(tinyRun), set...)})
	if err != nil {
		t.Fatal(err)
	}
	r.Init = init
	dir := filepath.Join(t.TempDir(), "run")
	s, err := Train(context.Background(), r, Options{Out: dir, Log: log})
	return dir, s, err
}

// tensorBytes returns the tensors of a weights file by name: dtype, shape
// and data.
func tensorBytes(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := safetensors.ReadFile(path, safetensors.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, ts := range f.Tensors {
		out[ts.Name] = ts.DType + string(rune(len(ts.Shape))) + string(ts.Data)
	}
	return out
}

// TestInitLRZero: a run started from given weights with a learning rate of
// 0 ends with exactly those weights, and its recipe and summary say where
// they came from.
func TestInitLRZero(t *testing.T) {
	m, err := models.NewMLP(models.MLPConfig{Inputs: 784, Classes: 10, Hidden: []models.Layer{{Units: 8, Activation: models.ReLU}}}, rng.New(99, "init"))
	if err != nil {
		t.Fatal(err)
	}
	init := filepath.Join(t.TempDir(), "given.safetensors")
	if err := runs.SaveModel(init, m); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	dir, s, err := trainWith(t, "mlp-mnist", &recipes.Init{From: init}, &log,
		"model.layers=[{units: 8, activation: relu}]", "optimizer.lr=0")
	if err != nil {
		t.Fatal(err)
	}
	got, want := tensorBytes(t, filepath.Join(dir, runs.WeightsFile)), tensorBytes(t, init)
	if len(got) != 4 || len(got) != len(want) {
		t.Fatalf("%d tensors, want %d", len(got), len(want))
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("tensor %s changed with lr 0", name)
		}
	}
	if s.Init == nil || s.Init.From != init || s.Init.Copied() != 4 || s.Init.Partial {
		t.Errorf("summary init %+v", s.Init)
	}
	if !strings.Contains(log.String(), "initial weights: all 4 tensors from "+init) {
		t.Errorf("log:\n%s", log.String())
	}
	saved, err := recipes.Load(filepath.Join(dir, runs.RecipeFile), recipes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if saved.Init == nil || saved.Init.From != init {
		t.Errorf("recipe.yaml's init %+v, want from %s", saved.Init, init)
	}

	// The same seed without init: other weights.
	plain, _, err := trainWith(t, "mlp-mnist", nil, &bytes.Buffer{}, "model.layers=[{units: 8, activation: relu}]", "optimizer.lr=0")
	if err != nil {
		t.Fatal(err)
	}
	if tensorBytes(t, filepath.Join(plain, runs.WeightsFile))["layers.0.weight"] == want["layers.0.weight"] {
		t.Error("a run without init has the init file's weights")
	}
}

// TestInitPartial: a dae run's encoder starts an mlp's hidden layer only
// when a partial start is asked for, and the log says, tensor by tensor,
// where each came from.
func TestInitPartial(t *testing.T) {
	dae, _, err := trainWith(t, "dae-mnist", nil, &bytes.Buffer{}, "model.encoder=[{units: 8, activation: sigmoid}]")
	if err != nil {
		t.Fatal(err)
	}
	mlp := []string{"model.layers=[{units: 8, activation: sigmoid}]", "optimizer.lr=0", "optimizer.momentum=0"}

	var log bytes.Buffer
	dir, _, err := trainWith(t, "mlp-mnist", &recipes.Init{From: dae}, &log, mlp...)
	daeFile := filepath.Join(dae, runs.WeightsFile)
	if err == nil || !strings.Contains(err.Error(), `runs: init from `+daeFile+`: no tensor "layers.0.weight"`) || !strings.Contains(err.Error(), "init.partial: true") {
		t.Errorf("a dae's weights into an mlp without partial: %v", err)
	}
	if _, serr := os.Stat(dir); serr == nil {
		t.Errorf("the refused run left %s behind", dir)
	}

	log.Reset()
	dir, s, err := trainWith(t, "mlp-mnist", &recipes.Init{From: dae, Partial: true}, &log, mlp...)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"initial weights (partial): 2 of 4 tensors from " + daeFile + ", the others drawn from seed 1",
		"  layers.0.weight      from the file's encoder.0.weight",
		"  layers.0.bias        from the file's encoder.0.bias",
		"  layers.1.weight      from the seed: not in the file",
		"  not used from the file: decoder.0.bias",
	} {
		if !strings.Contains(log.String(), line+"\n") {
			t.Errorf("the log lacks %q:\n%s", line, log.String())
		}
	}
	got, from := tensorBytes(t, filepath.Join(dir, runs.WeightsFile)), tensorBytes(t, daeFile)
	if got["layers.0.weight"] != from["encoder.0.weight"] || got["layers.0.bias"] != from["encoder.0.bias"] {
		t.Error("the encoder's weights did not come through unchanged with lr 0")
	}
	if s.Init == nil || !s.Init.Partial || s.Init.Copied() != 2 || s.Init.Tensors[2].Why != "not in the file" {
		t.Errorf("summary init %+v", s.Init)
	}
}

// TestInitResume: a run started from given weights and interrupted resumes
// from its checkpoint (not from the file again) to the weights of the
// uninterrupted run, and its summary still says where they came from.
func TestInitResume(t *testing.T) {
	m, err := models.NewMLP(models.MLPConfig{Inputs: 784, Classes: 10, Hidden: []models.Layer{{Units: 16, Activation: models.ReLU}}}, rng.New(98, "init"))
	if err != nil {
		t.Fatal(err)
	}
	init := filepath.Join(t.TempDir(), "given.safetensors")
	if err := runs.SaveModel(init, m); err != nil {
		t.Fatal(err)
	}
	r, err := recipes.Parse("tiny", []byte(tinyRecipe+"init: {from: "+init+"}\n"), recipes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	whole := filepath.Join(t.TempDir(), "run")
	if _, err := Train(context.Background(), r, Options{Out: whole}); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("enough")
	dir := filepath.Join(t.TempDir(), "run")
	fail := train.StepFunc(func(s train.StepInfo) error {
		if s.Epoch == 2 {
			return stop
		}
		return nil
	})
	if _, err := Train(context.Background(), r, Options{Out: dir, Hooks: []train.Hook{fail}}); !errors.Is(err, stop) {
		t.Fatalf("error %v, want the hook's", err)
	}
	// The file is not read again: the checkpoint holds the weights.
	if err := os.Remove(init); err != nil {
		t.Fatal(err)
	}
	s, err := Resume(context.Background(), Options{Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := read(t, whole, runs.WeightsFile), read(t, dir, runs.WeightsFile); !bytes.Equal(a, b) {
		t.Error("the resumed run's weights differ from the uninterrupted run's")
	}
	if s.Init == nil || s.Init.From != init || s.Init.Copied() != 4 {
		t.Errorf("the resumed run's summary says init %+v", s.Init)
	}
}
