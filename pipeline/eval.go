package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// Split names one split of a run's data.
type Split string

// The splits a run's data has.
const (
	SplitTrain      Split = "train"
	SplitValidation Split = "validation"
	SplitTest       Split = "test"
)

// ParseSplit returns the split called name ("train", "validation" or
// "test"), or an error naming the ones there are.
func ParseSplit(name string) (Split, error) {
	switch s := Split(name); s {
	case SplitTrain, SplitValidation, SplitTest:
		return s, nil
	}
	return "", fmt.Errorf("pipeline: split %q: want train, validation or test", name)
}

// AllExamples as EvalOptions.Limit measures the whole split.
const AllExamples = -1

// EvalOptions says what EvaluateSplit measures and how it reads the data.
type EvalOptions struct {
	// DataOptions says where the run's data is read from (see LoadRunData).
	DataOptions
	// Split is the split measured; "" is SplitTest.
	Split Split
	// Limit is how many of the split's examples are measured, the first
	// ones. 0 measures those the run's recipe keeps (its data.test,
	// data.validation or data.train: for the test split, the examples the
	// run was scored on, so a --quick run's 1000); AllExamples the whole
	// split; N > 0 the first N (all of them if the split has fewer).
	Limit int
}

// Evaluation is the result of evaluating a saved run on one split of its
// data.
type Evaluation struct {
	// Recipe is the run's recipe name and Dir its directory.
	Recipe string `json:"recipe"`
	Dir    string `json:"dir"`
	// Split is the split measured, and SplitSize how many examples it has:
	// Metrics.N of them, the first, were measured.
	Split     Split `json:"split"`
	SplitSize int   `json:"split_size"`
	// Metrics is the model measured on Split.
	Metrics infer.Metrics `json:"metrics"`
	// Test is Metrics when Split is the test split, nil otherwise: the
	// field Evaluate has always filled.
	Test *infer.Metrics `json:"test,omitempty"`
	// Family is the run's model.type: what Metrics.Loss measures (a
	// classifier's cross-entropy, an autoencoder's reconstruction loss, a
	// vae's negative ELBO in nats).
	Family string `json:"-"`
}

// Evaluate opens the finished run in dir and measures it on the test split
// of the data it was trained on (see LoadRunData), read as o says, limited
// as the run's recipe limits it: the examples the run was scored on. It is
// EvaluateSplit with the test split and no Limit.
func Evaluate(ctx context.Context, dir string, o DataOptions) (*Evaluation, error) {
	return EvaluateSplit(ctx, dir, EvalOptions{DataOptions: o})
}

// EvaluateSplit opens the finished run in dir and measures it on the split
// and the number of examples o asks for, of the data it was trained on
// (see LoadRunData).
func EvaluateSplit(ctx context.Context, dir string, o EvalOptions) (*Evaluation, error) {
	if o.Split == "" {
		o.Split = SplitTest
	}
	if _, err := ParseSplit(string(o.Split)); err != nil {
		return nil, err
	}
	if o.Limit < AllExamples {
		return nil, fmt.Errorf("pipeline: limit %d: want a number of examples, 0 (as the run's recipe limits the split) or AllExamples", o.Limit)
	}
	if _, err := os.Stat(filepath.Join(dir, runs.RecipeFile)); err != nil {
		return nil, fmt.Errorf("pipeline: %s is not a run directory: %w", dir, err)
	}
	m, err := runs.Load(dir)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	// The split is read whole, for its size, then cut to the limit: its
	// first examples, as the recipe's own limit keeps them.
	d := m.Spec.Data
	keep := recipeLimit(&d, o.Split)
	limit := *keep
	*keep = 0
	var rec *runs.DataRecord
	if m.Summary != nil {
		rec = m.Summary.Data
	}
	data, _, err := loadRecorded(ctx, d, o.DataOptions, rec)
	if err != nil {
		return nil, err
	}
	set := o.Split.Of(data)
	if set == nil || set.Len() == 0 {
		return nil, fmt.Errorf("pipeline: the run's %s data has no %s split", d.Name, o.Split)
	}
	if err := checkRunShape(m, set, o.DataOptions); err != nil {
		return nil, err
	}
	switch {
	case o.Limit > 0:
		limit = o.Limit
	case o.Limit == AllExamples:
		limit = 0
	}
	size := set.Len()
	if limit > 0 && limit < size {
		set = set.Slice(0, limit)
	}
	got, err := m.Evaluate(set)
	if err != nil {
		return nil, err
	}
	ev := &Evaluation{Recipe: m.Recipe.Name, Dir: dir, Split: o.Split, SplitSize: size, Metrics: got, Family: m.Spec.Model.Family}
	if o.Split == SplitTest {
		ev.Test = &ev.Metrics
	}
	return ev, nil
}

// recipeLimit returns the key of d that limits split s (data.train, …).
func recipeLimit(d *recipes.Data, s Split) *int {
	switch s {
	case SplitTrain:
		return &d.Train
	case SplitValidation:
		return &d.Validation
	}
	return &d.Test
}

// Of returns split s of data (the test split for "").
func (s Split) Of(data *datasets.Splits) *datasets.Set {
	switch s {
	case SplitTrain:
		return data.Train
	case SplitValidation:
		return data.Validation
	}
	return data.Test
}
