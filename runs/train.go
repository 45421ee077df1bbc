package runs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/train"
)

// Options control where and how a run happens.
type Options struct {
	// Out is the run directory. It is created; an existing directory must
	// not already hold a run, so a trained model is never overwritten.
	Out string
	// DataDir, if set, reads the data set from this directory instead of
	// the recipe's source.
	DataDir string
	// Log receives progress and epoch lines; nil discards them.
	Log io.Writer
	// Interactive shows a progress bar instead of periodic lines.
	Interactive bool
}

// DefaultOut is the run directory used when none is given:
// runs/NAME-YYYYMMDD-HHMMSS under the working directory.
func DefaultOut(name string, now time.Time) string {
	return filepath.Join("runs", fmt.Sprintf("%s-%s", name, now.Format("20060102-150405")))
}

// Train runs recipe r and writes its run directory. If training stops early
// (ctx cancelled, divergence) the records so far are still written, and the
// error says what happened.
func Train(ctx context.Context, r *recipes.Recipe, o Options) (*Summary, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	if err := prepareOut(o.Out); err != nil {
		return nil, err
	}
	data, err := LoadData(r, o.DataDir)
	if err != nil {
		return nil, err
	}
	m, err := BuildModel(r, data.Train, rng.New(r.Seed, "init"))
	if err != nil {
		return nil, err
	}
	oc, err := r.OptimizerConfig()
	if err != nil {
		return nil, err
	}
	opt, err := optimizers.New(oc)
	if err != nil {
		return nil, err
	}
	task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: r.BatchSize})
	if err != nil {
		return nil, err
	}
	defer task.Close()

	saved := *r
	saved.Quick = nil
	text, err := saved.Marshal()
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Write(filepath.Join(o.Out, RecipeFile), text); err != nil {
		return nil, err
	}
	fmt.Fprintf(o.Log, "%s: %d parameters; %d training, %d validation, %d test examples; writing to %s\n",
		r.Name, models.Count(m.Params()), data.Train.Len(), data.Validation.Len(), data.Test.Len(), o.Out)

	start := time.Now()
	records, runErr := train.Run(ctx, task, data.Train, data.Validation, train.Config{
		Epochs:   r.Epochs,
		Shuffle:  rng.New(r.Seed, "shuffle"),
		Progress: train.NewProgress(o.Log, o.Interactive, r.BatchSize),
	})
	if err := writeMetrics(o.Out, records); err != nil {
		return nil, errors.Join(runErr, err)
	}
	if runErr != nil {
		return nil, fmt.Errorf("%w (metrics of the %d finished epochs are in %s; no model was saved)", runErr, len(records), o.Out)
	}
	test, err := task.Evaluate(data.Test)
	if err != nil {
		return nil, err
	}
	last := records[len(records)-1]
	s := &Summary{
		Recipe: r.Name, Seed: r.Seed, Epochs: len(records), Updates: last.Updates,
		Parameters: models.Count(m.Params()),
		Train:      data.Train.Len(), Validation: data.Validation.Len(), Test: data.Test.Len(),
		TrainLoss: last.TrainLoss, ValLoss: last.Val.Loss, ValError: last.Val.Error,
		TestLoss: test.Loss, TestError: test.Error,
		Seconds: time.Since(start).Seconds(),
	}
	meta := map[string]string{"zoo.recipe": string(text), "zoo.format": "1"}
	if err := SaveWeights(filepath.Join(o.Out, WeightsFile), m.Params(), meta); err != nil {
		return nil, err
	}
	if err := writeSummary(o.Out, s); err != nil {
		return nil, err
	}
	return s, nil
}

// prepareOut creates the run directory, refusing one that already holds a
// run.
func prepareOut(dir string) error {
	if dir == "" {
		return fmt.Errorf("runs: no output directory given")
	}
	for _, f := range []string{SummaryFile, WeightsFile, RecipeFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return fmt.Errorf("runs: %s already holds a run (%s exists); choose another --out or remove it", dir, f)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("runs: create run directory: %w", err)
	}
	return nil
}

// LoadData returns the recipe's data splits, limited as it asks. dir, if not
// empty, replaces the recipe's data.dir.
func LoadData(r *recipes.Recipe, dir string) (*datasets.Splits, error) {
	if dir == "" {
		dir = r.Data.Dir
	}
	var (
		s   *datasets.Splits
		err error
	)
	switch r.Data.Name {
	case "mnist":
		if dir != "" {
			s, err = datasets.MNISTDir(dir)
		} else {
			s, err = datasets.MNIST()
		}
	default:
		err = fmt.Errorf("runs: unknown data set %q", r.Data.Name)
	}
	if err != nil {
		return nil, err
	}
	return s.Limit(r.Data.Train, r.Data.Validation, r.Data.Test), nil
}

// BuildModel returns the recipe's network for data shaped like s, with
// initial weights drawn from r.
func BuildModel(rc *recipes.Recipe, s *datasets.Set, r *rand.Rand) (*models.MLP, error) {
	init, err := models.ParseInit(rc.Model.Init)
	if err != nil {
		return nil, err
	}
	c := models.MLPConfig{Inputs: s.Dim(), Classes: s.Classes, Init: init}
	for _, l := range rc.Model.Layers {
		a, err := models.ParseActivation(l.Activation)
		if err != nil {
			return nil, err
		}
		c.Hidden = append(c.Hidden, models.Layer{Units: l.Units, Activation: a})
	}
	return models.NewMLP(c, r)
}
