package runs

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/models"
)

// TestInitWeightsExact: a file holding exactly the model's tensors sets
// every parameter; a run directory stands for its model.safetensors.
func TestInitWeightsExact(t *testing.T) {
	dir := t.TempDir()
	src := mlp(t, 1, 5)
	if err := SaveWeights(filepath.Join(dir, WeightsFile), src.Params(), nil); err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{dir, filepath.Join(dir, WeightsFile)} {
		m := mlp(t, 2, 5)
		rec, err := InitWeights(from, m.Params(), false)
		if err != nil {
			t.Fatal(err)
		}
		sameParams(t, src.Params(), m.Params())
		if rec.From != filepath.Join(dir, WeightsFile) || rec.Partial || rec.Copied() != 4 || rec.Tensors[0] != (InitTensor{Name: "layers.0.weight", From: "layers.0.weight"}) {
			t.Errorf("record %+v", rec)
		}
	}
}

// TestInitWeightsPartial: an autoencoder's encoder goes into an mlp's
// hidden layer; the other parameters keep the seed's draw, and the record
// says which came from where.
func TestInitWeightsPartial(t *testing.T) {
	dir := t.TempDir()
	ae := newAutoencoder(t, models.AutoencoderConfig{Inputs: 6, Encoder: []models.Layer{{Units: 5, Activation: models.ReLU}}, Output: models.Sigmoid, Tied: true})
	path := filepath.Join(dir, "dae.safetensors")
	if err := SaveWeights(path, ae.Params(), nil); err != nil {
		t.Fatal(err)
	}
	m, seed := mlp(t, 2, 5), mlp(t, 2, 5)
	rec, err := InitWeights(path, m.Params(), true)
	if err != nil {
		t.Fatal(err)
	}
	sameValues(t, ae.Params()[:2], m.Params()[:2])
	sameParams(t, seed.Params()[2:], m.Params()[2:])
	want := []InitTensor{
		{Name: "layers.0.weight", From: "encoder.0.weight"},
		{Name: "layers.0.bias", From: "encoder.0.bias"},
		{Name: "layers.1.weight", Why: "not in the file"},
		{Name: "layers.1.bias", Why: "not in the file"},
	}
	if !slices.Equal(rec.Tensors, want) || !slices.Equal(rec.Unused, []string{"decoder.0.bias"}) || !rec.Partial {
		t.Errorf("record %+v", rec)
	}

	// A layer of the same name but another shape keeps the seed's draw,
	// and says why.
	other := mlp(t, 3, 5)
	if err := SaveWeights(filepath.Join(dir, "three.safetensors"), mlp(t, 3, 5).Params(), nil); err != nil {
		t.Fatal(err)
	}
	m4 := mlp(t, 2, 5, 4)
	rec, err = InitWeights(filepath.Join(dir, "three.safetensors"), m4.Params(), true)
	if err != nil {
		t.Fatal(err)
	}
	sameValues(t, other.Params()[:2], m4.Params()[:2])
	if rec.Copied() != 2 || rec.Tensors[2].Why != "the file's layers.1.weight is F32 [5 3], the model wants F32 [5 4]" {
		t.Errorf("record %+v", rec)
	}
}

func TestInitWeightsErrors(t *testing.T) {
	dir := t.TempDir()
	five := filepath.Join(dir, "five.safetensors")
	if err := SaveWeights(five, mlp(t, 1, 5).Params(), nil); err != nil {
		t.Fatal(err)
	}
	dae := filepath.Join(dir, "dae.safetensors")
	ae := newAutoencoder(t, models.AutoencoderConfig{Inputs: 6, Encoder: []models.Layer{{Units: 5, Activation: models.ReLU}}, Tied: true})
	if err := SaveWeights(dae, ae.Params(), nil); err != nil {
		t.Fatal(err)
	}
	unrelated := filepath.Join(dir, "unrelated.safetensors")
	if err := SaveWeights(unrelated, []*models.Param{models.NewParam("x", ae.Params()[0].Value.Dtype(), 2)}, nil); err != nil {
		t.Fatal(err)
	}
	nan := filepath.Join(dir, "nan.safetensors")
	bad := mlp(t, 1, 5)
	bad.Params()[2].Value.Data().([]float32)[7] = float32(math.NaN())
	if err := SaveWeights(nan, bad.Params(), nil); err != nil {
		t.Fatal(err)
	}
	unfinished := filepath.Join(dir, "unfinished")
	os.MkdirAll(unfinished, 0o755)
	os.WriteFile(filepath.Join(unfinished, CheckpointFile), nil, 0o644)
	empty := filepath.Join(dir, "empty")
	os.MkdirAll(empty, 0o755)
	const hint = "; to take only the tensors that match and draw the others from the seed, set init.partial: true (--init-partial)"
	tests := []struct {
		name    string
		from    string
		model   *models.MLP
		partial bool
		want    string
	}{
		{"other width", five, mlp(t, 2, 4), false, `runs: init from ` + five + `: tensor "layers.0.weight" is F32 [6 5], the model wants F32 [6 4]` + hint},
		{"deeper model", five, mlp(t, 2, 5, 3), false, `no tensor "layers.2.weight"`},
		{"an autoencoder, not partial", dae, mlp(t, 2, 5), false, `no tensor "layers.0.weight" (the model's parameters are layers.0.weight, layers.0.bias, layers.1.weight, layers.1.bias; the file holds encoder.0.weight, encoder.0.bias, decoder.0.bias)` + hint},
		{"shallower model", five, mlp(t, 2), false, `tensor "layers.0.weight" is F32 [6 5], the model wants F32 [6 3]`},
		{"not a number", nan, mlp(t, 2, 5), false, `runs: init from ` + nan + `: tensor "layers.1.weight" holds NaN at index 7: a model's weights are finite numbers`},
		{"not a number, partial", nan, mlp(t, 2, 5), true, `tensor "layers.1.weight" holds NaN at index 7`},
		{"nothing matches", unrelated, mlp(t, 2, 5), true, "no tensor matches a parameter of the model by name and shape"},
		{"missing", filepath.Join(dir, "none"), mlp(t, 2, 5), false, "runs: init: stat " + filepath.Join(dir, "none") + ": no such file or directory"},
		{"unfinished run", unfinished, mlp(t, 2, 5), false, "is unfinished (no model.safetensors yet)"},
		{"directory without a model", empty, mlp(t, 2, 5), false, "is a directory without model.safetensors"},
	}
	for _, tt := range tests {
		before := tt.model.Params()[0].Float64s()
		_, err := InitWeights(tt.from, tt.model.Params(), tt.partial)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
		if !slices.Equal(before, tt.model.Params()[0].Float64s()) {
			t.Errorf("%s: a failed init changed the weights", tt.name)
		}
	}
}

// sameValues fails unless a and b hold the same values, bit for bit.
func sameValues(t *testing.T, a, b []*models.Param) {
	t.Helper()
	for i, p := range a {
		if !slices.Equal(p.Float64s(), b[i].Float64s()) {
			t.Fatalf("%s and %s differ", p.Name, b[i].Name)
		}
	}
}
