package runs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
)

func mlp(t *testing.T, seed uint64, hidden ...int) *models.MLP {
	t.Helper()
	c := models.MLPConfig{Inputs: 6, Classes: 3}
	for _, h := range hidden {
		c.Hidden = append(c.Hidden, models.Layer{Units: h, Activation: models.ReLU})
	}
	m, err := models.NewMLP(c, rng.New(seed, "init"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestWeightsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), WeightsFile)
	a := mlp(t, 1, 5)
	if err := SaveWeights(path, a.Params(), map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	b := mlp(t, 2, 5)
	meta, err := LoadWeights(path, b.Params())
	if err != nil {
		t.Fatal(err)
	}
	if meta["k"] != "v" {
		t.Errorf("metadata %v", meta)
	}
	for i, p := range a.Params() {
		pa, pb := p.Float64s(), b.Params()[i].Float64s()
		for j := range pa {
			if pa[j] != pb[j] {
				t.Fatalf("%s[%d]: saved %v, loaded %v", p.Name, j, pa[j], pb[j])
			}
		}
	}
}

func TestWeightsMismatch(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, WeightsFile)
	if err := SaveWeights(path, mlp(t, 1, 5).Params(), nil); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	truncated := filepath.Join(dir, "truncated.safetensors")
	os.WriteFile(truncated, data[:len(data)-7], 0o644)
	tests := []struct {
		name, path string
		model      *models.MLP
		want       string
	}{
		{"other width", path, mlp(t, 1, 4), "has shape [6 5], the model wants [6 4]"},
		{"other depth", path, mlp(t, 1, 5, 5), "holds 4 tensors, the model has 6"},
		{"truncated", truncated, mlp(t, 1, 5), "safetensors"},
		{"missing", filepath.Join(dir, "none"), mlp(t, 1, 5), "no such file"},
	}
	for _, tt := range tests {
		before := tt.model.Params()[0].Float64s()
		_, err := LoadWeights(tt.path, tt.model.Params())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
		{
			if after := tt.model.Params()[0].Float64s(); after[0] != before[0] {
				t.Errorf("%s: a failed load changed the weights", tt.name)
			}
		}
	}
}
