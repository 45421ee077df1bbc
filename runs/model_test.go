package runs

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/internal/safetensors"
	"github.com/gorgonia-zoo/zoo/models"
	"gorgonia.org/tensor"
)

// sameParams fails unless a and b hold the same parameters, bit for bit.
func sameParams(t *testing.T, a, b []*models.Param) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d parameters, want %d", len(b), len(a))
	}
	for i, p := range a {
		if p.Name != b[i].Name || !slices.Equal(p.Value.Shape(), b[i].Value.Shape()) || p.Value.Dtype() != b[i].Value.Dtype() {
			t.Fatalf("parameter %d: %s %v %v, want %s %v %v", i, b[i].Name, b[i].Value.Shape(), b[i].Value.Dtype(), p.Name, p.Value.Shape(), p.Value.Dtype())
		}
		if !slices.Equal(p.Float64s(), b[i].Float64s()) {
			t.Fatalf("parameter %s: values differ", p.Name)
		}
	}
}

func newAutoencoder(t *testing.T, c models.AutoencoderConfig) *models.Autoencoder {
	t.Helper()
	ae, err := models.NewAutoencoder(c, rng.New(3, "init"))
	if err != nil {
		t.Fatal(err)
	}
	return ae
}

// TestModelRoundTrip: SaveModel then LoadModel gives the same
// architecture and the same weights, for each family and dtype.
func TestModelRoundTrip(t *testing.T) {
	dir := t.TempDir()
	dropout, err := models.NewMLP(models.MLPConfig{Inputs: 6, Classes: 3, Init: models.He, DType: tensor.Float64,
		Hidden:  []models.Layer{{Units: 5, Activation: models.ReLU}, {Units: 4, Activation: models.Tanh}},
		Dropout: models.Dropout{Input: 0.2, Hidden: []float64{0.5}}}, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	layer := func(n int, a models.Activation) models.Layer { return models.Layer{Units: n, Activation: a} }
	nets := []models.Network{
		mlp(t, 1),
		mlp(t, 1, 5, 4),
		dropout,
		newAutoencoder(t, models.AutoencoderConfig{Inputs: 6, Encoder: []models.Layer{layer(4, models.ReLU), layer(2, models.Sigmoid)}, Output: models.Sigmoid, Tied: true}),
		newAutoencoder(t, models.AutoencoderConfig{Inputs: 6, Encoder: []models.Layer{layer(4, models.ReLU), layer(2, models.Sigmoid)}}),
		newAutoencoder(t, models.AutoencoderConfig{Inputs: 6, Encoder: []models.Layer{layer(4, models.ReLU)}, Decoder: []models.Layer{layer(3, models.Tanh)}, DType: tensor.Float64}),
		newAutoencoder(t, models.AutoencoderConfig{Inputs: 6, Encoder: []models.Layer{layer(4, models.ReLU), layer(2, models.ReLU)}, Decoder: []models.Layer{}}),
	}
	for i, n := range nets {
		path := filepath.Join(dir, n.Family()+string(rune('a'+i))+".safetensors")
		if err := SaveModel(path, n); err != nil {
			t.Fatal(err)
		}
		back, err := LoadModel(path)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		sameParams(t, n.Params(), back.Params())
		switch want := n.(type) {
		case *models.MLP:
			got := back.(*models.MLP)
			if a, b := configJSON(want.Config), configJSON(got.Config); a != b {
				t.Errorf("%d: config %s, want %s", i, b, a)
			}
		case *models.Autoencoder:
			got := back.(*models.Autoencoder)
			if a, b := configJSON(want.Config), configJSON(got.Config); a != b {
				t.Errorf("%d: config %s, want %s", i, b, a)
			}
			if (want.Config.Decoder == nil) != (got.Config.Decoder == nil) {
				t.Errorf("%d: decoder nil %v, want %v", i, got.Config.Decoder == nil, want.Config.Decoder == nil)
			}
		}
		info, err := ReadModelInfo(path)
		if err != nil || info.Family != n.Family() || len(info.Tensors) != len(n.Params()) || info.Tensors[0].Name != n.Params()[0].Name {
			t.Errorf("%d: ReadModelInfo %+v, %v", i, info, err)
		}
	}
	if _, err := LoadAutoencoder(filepath.Join(dir, "mlpa.safetensors")); err == nil || !strings.Contains(err.Error(), "holds an mlp, not an autoencoder") {
		t.Errorf("LoadAutoencoder of an mlp: %v", err)
	}
	if _, err := LoadMLP(filepath.Join(dir, "autoencoderd.safetensors")); err == nil || !strings.Contains(err.Error(), "holds an autoencoder, not an mlp") {
		t.Errorf("LoadMLP of an autoencoder: %v", err)
	}
	if m, err := LoadMLP(filepath.Join(dir, "mlpb.safetensors")); err != nil || len(m.Layers) != 3 {
		t.Errorf("LoadMLP: %v", err)
	}
}

// TestModelErrors: files whose architecture is missing, damaged or
// disagrees with their tensors are refused with errors that say so, before
// a model is built.
func TestModelErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.safetensors")
	if err := SaveModel(good, mlp(t, 1, 5)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, edit func(f *safetensors.File)) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, rewrite(t, data, edit), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	withModel := func(name, model string) string {
		return write(name, func(f *safetensors.File) { f.Metadata[ModelKey] = model })
	}
	plain := filepath.Join(dir, "plain.safetensors")
	if err := SaveWeights(plain, mlp(t, 1, 5).Params(), nil); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(dir, "run.safetensors")
	if err := SaveWeights(run, mlp(t, 1, 5).Params(), map[string]string{"zoo.recipe": "name: x\n"}); err != nil {
		t.Fatal(err)
	}
	huge := `{"format":1,"family":"mlp","config":{"inputs":6,"hidden":[{"units":1000000000,"activation":"relu"}],"classes":3}}`
	tests := []struct {
		name, path, want string
	}{
		{"no metadata", plain, "no zoo.model metadata: not a model file written by runs.SaveModel"},
		{"a run's model, its recipe damaged", run, "the model of a run (no zoo.model metadata): "},
		{"a directory", dir, "is a directory, not a model file"},
		{"missing", filepath.Join(dir, "none"), "no such file"},
		{"not JSON", withModel("notjson", "{"), "zoo.model: unexpected end of JSON input"},
		{"newer format", withModel("format", `{"format":2,"family":"mlp","config":{}}`), "format 2, this zoo reads format 1"},
		{"unknown family", withModel("family", `{"format":1,"family":"cnn","config":{}}`), `unknown family "cnn"`},
		{"unknown field", withModel("field", `{"format":1,"family":"mlp","config":{},"weights":1}`), `unknown field "weights"`},
		{"unknown dtype", withModel("dtype", `{"format":1,"family":"mlp","config":{"inputs":6,"classes":3,"dtype":"float16"}}`), `unknown dtype "float16"`},
		{"a billion units", withModel("huge", huge), `tensor "layers.0.weight" is F32 [6 5], the config's model wants F32 [6 1000000000]`},
		{"other depth", withModel("depth", `{"format":1,"family":"mlp","config":{"inputs":6,"hidden":[{"units":5,"activation":"relu"},{"units":5,"activation":"relu"}],"classes":3}}`), `the config describes 6 tensors, the file holds 4; the file lacks "layers.2.weight", "layers.2.bias"`},
		{"other dtype", withModel("f64", `{"format":1,"family":"mlp","config":{"inputs":6,"hidden":[{"units":5,"activation":"relu"}],"classes":3,"dtype":"float64"}}`), "is F32 [6 5], the config's model wants F64 [6 5]"},
		{"an autoencoder's config", withModel("ae", `{"format":1,"family":"autoencoder","config":{"inputs":6,"encoder":[{"units":5,"activation":"relu"}],"decoder":null}}`), `the file lacks "encoder.0.weight", "encoder.0.bias", "decoder.0.weight" and 1 more; the config's model has no "layers.0.weight", "layers.0.bias", "layers.1.weight" and 1 more`},
		{"bad activation", withModel("act", `{"format":1,"family":"mlp","config":{"inputs":6,"hidden":[{"units":5,"activation":"swish"}],"classes":3}}`), `unknown activation "swish"`},
		{"truncated", write("trunc", func(f *safetensors.File) { f.Tensors = f.Tensors[:3] }), `the config describes 4 tensors, the file holds 3; the file lacks "layers.1.bias"`},
	}
	for _, tt := range tests {
		_, err := LoadModel(tt.path)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "runs: ") {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}

	// Tensors in another order (the safetensors package writes names
	// sorted) load all the same, each by its name.
	reversed := write("reversed", func(f *safetensors.File) { slices.Reverse(f.Tensors) })
	m, err := LoadMLP(reversed)
	if err != nil {
		t.Fatalf("tensors in reverse order: %v", err)
	}
	orig, err := LoadMLP(good)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range m.Params() {
		q := orig.Params()[i]
		if p.Name != q.Name || !slices.Equal(p.Value.Data().([]float32), q.Value.Data().([]float32)) {
			t.Errorf("tensors in reverse order: %s differs from the file in order", p.Name)
		}
	}

	// SaveModel overwrites nothing, and refuses a model whose config was
	// changed after it was built (its file would not load).
	before, _ := os.ReadFile(good)
	if err := SaveModel(good, mlp(t, 2, 5)); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("save over a file: %v", err)
	}
	if after, _ := os.ReadFile(good); string(after) != string(before) {
		t.Error("SaveModel changed an existing file")
	}
	changed := mlp(t, 1, 5)
	changed.Config.Hidden[0].Units = 7
	if err := SaveModel(filepath.Join(dir, "changed.safetensors"), changed); err == nil || !strings.Contains(err.Error(), "does not describe its parameters") {
		t.Errorf("save a changed config: %v", err)
	}
	if err := SaveModel(filepath.Join(dir, "nil.safetensors"), nil); err == nil || !strings.Contains(err.Error(), "no model") {
		t.Errorf("save nil: %v", err)
	}
	var j map[string]any
	info, err := ReadModelInfo(good)
	if err != nil || json.Unmarshal([]byte(info.Metadata[ModelKey]), &j) != nil || j["format"] != 1.0 || j["family"] != "mlp" {
		t.Errorf("metadata %v: %v", info, err)
	}
}
