package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/runs"
)

// Evaluation is the result of evaluating a saved run on its test split.
type Evaluation struct {
	// Recipe is the run's recipe name and Dir its directory.
	Recipe string `json:"recipe"`
	Dir    string `json:"dir"`
	// Test is the model measured on the test split.
	Test infer.Metrics `json:"test"`
}

// Evaluate opens the finished run in dir and measures it on the test split
// of the data it was trained on (see LoadRunData), read as o says.
func Evaluate(ctx context.Context, dir string, o DataOptions) (*Evaluation, error) {
	if _, err := os.Stat(filepath.Join(dir, runs.RecipeFile)); err != nil {
		return nil, fmt.Errorf("pipeline: %s is not a run directory: %w", dir, err)
	}
	m, err := runs.Load(dir)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	data, err := LoadRunData(ctx, m, o)
	if err != nil {
		return nil, err
	}
	if err := checkRunShape(m, data.Test, o); err != nil {
		return nil, err
	}
	test, err := m.Evaluate(data.Test)
	if err != nil {
		return nil, err
	}
	return &Evaluation{Recipe: m.Recipe.Name, Dir: dir, Test: test}, nil
}
