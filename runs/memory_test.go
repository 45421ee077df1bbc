package runs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/memory"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/recipes"
)

// TestLoadRefusesModelsTooLarge: a run directory's recipe.yaml (read by
// eval, predict, …) and a model file's config are claims; a model that
// does not fit the memory available is refused before it is built, naming
// the file, the estimate and the limit. Before the check, units:
// 1000000000 in recipe.yaml ended in Go's fatal out-of-memory.
func TestLoadRefusesModelsTooLarge(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	m, err := models.NewMLP(models.MLPConfig{Inputs: 6, Classes: 3, Hidden: []models.Layer{{Units: 5, Activation: models.ReLU}}}, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteRun(dir, m, RunInfo{Name: "mine", Data: recipes.Data{Name: "mnist"}}); err != nil {
		t.Fatal(err)
	}
	recipe := filepath.Join(dir, RecipeFile)
	text, err := os.ReadFile(recipe)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := load(dir, memory.Of(1<<10)); err == nil || !strings.Contains(err.Error(), "runs: "+recipe+": the model needs about 22.1 KiB (53 parameters of float32; batches of 100 examples through 14 values each), the limit is 1.0 KiB") {
		t.Errorf("run under a 1 KiB limit: %v", err)
	}
	// Two layers, each within the recipes' bound on units, beyond memory.
	huge := strings.Replace(string(text), "    - units: 5\n      activation: relu\n", "    - units: 16000000\n      activation: relu\n    - units: 16000000\n      activation: relu\n", 1)
	if huge == string(text) {
		t.Fatalf("recipe.yaml has no units: 5:\n%s", text)
	}
	if err := os.WriteFile(recipe, []byte(huge), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "runs: "+recipe+": the model needs about") || !strings.Contains(err.Error(), "available") {
		t.Errorf("a model beyond memory in recipe.yaml: %v", err)
	}

	file := filepath.Join(t.TempDir(), "m.safetensors")
	if err := SaveModel(file, m); err != nil {
		t.Fatal(err)
	}
	if _, err := loadModel(file, memory.Of(1<<10)); err == nil || !strings.Contains(err.Error(), "runs: load model "+file+": the model needs about") {
		t.Errorf("model file under a 1 KiB limit: %v", err)
	}
	if _, err := LoadModel(file); err != nil {
		t.Errorf("model file: %v", err)
	}

	// init: the weights file is read whole, and its values copied once.
	if _, err := initWeights(file, m.Params(), false, memory.Of(256)); err == nil || !strings.Contains(err.Error(), "runs: init from "+file+": reading the weights needs about") || !strings.Contains(err.Error(), "the limit is 256 B") {
		t.Errorf("init under a 256-byte limit: %v", err)
	}
	if _, err := InitWeights(file, m.Params(), false); err != nil {
		t.Errorf("init: %v", err)
	}
}
