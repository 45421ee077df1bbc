package runs

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/train"
)

// Evaluation is the result of evaluating a saved run on its test split.
type Evaluation struct {
	Recipe string        `json:"recipe"`
	Dir    string        `json:"dir"`
	Test   train.Metrics `json:"test"`
}

// Evaluate loads the run in dir (its recipe and weights) and measures it on
// the test split its recipe names. dataDir, if set, reads the data from
// there.
func Evaluate(dir, dataDir string) (*Evaluation, error) {
	recipePath := filepath.Join(dir, RecipeFile)
	if _, err := os.Stat(recipePath); err != nil {
		return nil, fmt.Errorf("runs: %s is not a run directory: %w", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, WeightsFile)); err != nil {
		if _, cerr := os.Stat(filepath.Join(dir, CheckpointFile)); cerr == nil {
			return nil, fmt.Errorf("runs: the run in %s is unfinished (no %s yet); finish it with zoo train --resume %s", dir, WeightsFile, dir)
		}
	}
	r, err := recipes.Load(recipePath, recipes.Options{})
	if err != nil {
		return nil, err
	}
	data, err := LoadData(r, dataDir)
	if err != nil {
		return nil, err
	}
	if r.IsAutoencoder() {
		return evaluateAutoencoder(dir, r, data)
	}
	// The initial draw is overwritten by the saved weights.
	m, err := BuildModel(r, data.Train, rng.New(r.Seed, "init"))
	if err != nil {
		return nil, err
	}
	if _, err := LoadWeights(filepath.Join(dir, WeightsFile), m.Params()); err != nil {
		return nil, err
	}
	// Inference never steps the optimizer; the classifier needs one to exist.
	opt, err := optimizers.New(optimizers.Config{Name: "sgd"})
	if err != nil {
		return nil, err
	}
	task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: 1})
	if err != nil {
		return nil, err
	}
	defer task.Close()
	test, err := task.Evaluate(data.Test)
	if err != nil {
		return nil, err
	}
	return &Evaluation{Recipe: r.Name, Dir: dir, Test: test}, nil
}
