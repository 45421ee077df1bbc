package runs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
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
	"github.com/gorgonia-zoo/zoo/schedules"
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
	switch r.Model.Type {
	case "autoencoder":
		return trainAutoencoder(ctx, r, o)
	case "sdae":
		return trainStacked(ctx, r, o)
	}
	if err := prepareOut(o.Out); err != nil {
		return nil, err
	}
	return trainClassifier(ctx, r, o, false)
}

// Resume continues the interrupted run in o.Out from its checkpoint, with
// the recipe saved there; the result is the same, to the bit, as if it had
// never stopped.
func Resume(ctx context.Context, o Options) (*Summary, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	dir := o.Out
	if _, err := os.Stat(filepath.Join(dir, SummaryFile)); err == nil {
		return nil, fmt.Errorf("runs: the run in %s is finished (%s exists): nothing to resume", dir, SummaryFile)
	}
	if _, err := os.Stat(filepath.Join(dir, CheckpointFile)); err != nil {
		if _, rerr := os.Stat(filepath.Join(dir, RecipeFile)); rerr == nil && errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("runs: the run in %s stopped before its first checkpoint (runs are checkpointed after every epoch): nothing to resume; remove %s and train again", dir, dir)
		}
		return nil, fmt.Errorf("runs: %s has no %s to resume from (is it a zoo run directory? runs are checkpointed after their first epoch): %w", dir, CheckpointFile, err)
	}
	// A run killed while saving leaves the temporary file of the write.
	for _, name := range []string{RecipeFile, CheckpointFile, MetricsFile, WeightsFile, SummaryFile} {
		if err := atomicfile.RemoveTemps(filepath.Join(dir, name)); err != nil {
			return nil, fmt.Errorf("runs: resume %s: %w", dir, err)
		}
	}
	r, err := recipes.Load(filepath.Join(dir, RecipeFile), recipes.Options{})
	if err != nil {
		return nil, fmt.Errorf("runs: resume %s: %w", dir, err)
	}
	if r.Model.Type != "mlp" {
		return nil, fmt.Errorf("runs: resume %s: resuming %s runs is not supported yet (only mlp)", dir, r.Model.Type)
	}
	return trainClassifier(ctx, r, o, true)
}

// trainClassifier runs an mlp recipe in o.Out, from its checkpoint when
// resume is set.
func trainClassifier(ctx context.Context, r *recipes.Recipe, o Options, resume bool) (*Summary, error) {
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
	streams := newStreams(r.Seed)
	cc, err := classifierConfig(r, streams)
	if err != nil {
		return nil, err
	}
	task, err := train.NewClassifier(m, opt, cc)
	if err != nil {
		return nil, err
	}
	defer task.Close()
	stopper, err := r.EarlyStopping.Stopper()
	if err != nil {
		return nil, fmt.Errorf("recipe %s: early_stopping: %w", r.Name, err)
	}
	sched, adaptive, err := Schedule(r, task, data.Train)
	if err != nil {
		return nil, err
	}
	if adaptive != nil {
		defer adaptive.Close()
	}
	var from *train.State
	if resume {
		if adaptive != nil {
			return nil, fmt.Errorf("runs: resume %s: runs with the adaptive schedule cannot be resumed yet", o.Out)
		}
		if from, err = loadCheckpoint(o.Out, m.Params(), opt, streams, stopper); err != nil {
			return nil, err
		}
	}

	saved := *r
	saved.Quick = nil
	text, err := saved.Marshal()
	if err != nil {
		return nil, err
	}
	if !resume {
		if err := atomicfile.Write(filepath.Join(o.Out, RecipeFile), text); err != nil {
			return nil, err
		}
	}
	verb := "writing to"
	if resume {
		verb = fmt.Sprintf("resuming at epoch %d, update %d, in", from.Epoch, from.Updates)
	}
	fmt.Fprintf(o.Log, "%s: %d parameters; %d training, %d validation, %d test examples; %s %s\n",
		r.Name, models.Count(m.Params()), data.Train.Len(), data.Validation.Len(), data.Test.Len(), verb, o.Out)

	start := time.Now()
	cfg := train.Config{
		Epochs:     r.Epochs,
		Shuffle:    rand.New(streams.shuffle),
		Progress:   train.NewProgress(o.Log, o.Interactive, r.BatchSize),
		Schedule:   sched,
		EarlyStop:  stopper,
		StopMetric: stopMetric(r),
		Resume:     from,
	}
	if adaptive == nil {
		cfg.Checkpoint = func(st *train.State) error {
			if err := saveCheckpoint(o.Out, st, m.Params(), opt, streams, stopper); err != nil {
				return err
			}
			return writeMetrics(o.Out, st.Records)
		}
	}
	records, runErr := train.Run(ctx, task, data.Train, data.Validation, cfg)
	if err := writeMetrics(o.Out, records); err != nil {
		return nil, errors.Join(runErr, err)
	}
	if adaptive != nil {
		if err := atomicfile.WriteFunc(filepath.Join(o.Out, AdaptiveFile), adaptive.WriteCSV); err != nil {
			return nil, errors.Join(runErr, err)
		}
	}
	if runErr != nil {
		if errors.Is(runErr, context.Canceled) && cfg.Checkpoint != nil {
			// train.Run joins the cancellation with the checkpoint's error.
			if j, ok := runErr.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 1 {
				return nil, fmt.Errorf("interrupted (%w), and saving the checkpoint failed: %w; the previous checkpoint, if any, is kept: zoo train --resume %s", context.Canceled, errors.Join(j.Unwrap()[1:]...), o.Out)
			}
			return nil, fmt.Errorf("interrupted (%w): stopped after a whole update and saved a checkpoint; continue with: zoo train --resume %s", runErr, o.Out)
		}
		if _, err := os.Stat(filepath.Join(o.Out, CheckpointFile)); err == nil && cfg.Checkpoint != nil && !train.IsDiverged(runErr) {
			return nil, fmt.Errorf("%w (metrics of the %d finished epochs and the last checkpoint are in %s; once the cause is fixed, continue with: zoo train --resume %s)", runErr, len(records), o.Out, o.Out)
		}
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
	if s.TestClasses, err = perClass(task, data.Test); err != nil {
		return nil, err
	}
	if stopper != nil {
		t, score := stopper.Best()
		s.BestUpdate, s.BestScore, s.StopReason = t, score, stopper.Reason()
		s.BestEpoch = epochOf(records, t)
		if s.StopReason == "" {
			s.StopReason = fmt.Sprintf("epoch budget (%d) reached", r.Epochs)
		}
		fmt.Fprintf(o.Log, "early stopping: %s; kept the model of update %d (epoch %d)\n", s.StopReason, t, s.BestEpoch)
	}
	meta := map[string]string{"zoo.recipe": string(text), "zoo.format": "1"}
	if err := SaveWeights(filepath.Join(o.Out, WeightsFile), m.Params(), meta); err != nil {
		return nil, err
	}
	if err := writeSummary(o.Out, s); err != nil {
		return nil, err
	}
	return s, removeCheckpoint(o.Out)
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
	s = s.Limit(r.Data.Train, r.Data.Validation, r.Data.Test)
	if len(r.Data.Positive) > 0 {
		s = &datasets.Splits{
			Train:      s.Train.Binary(r.Data.Positive...),
			Validation: s.Validation.Binary(r.Data.Positive...),
			Test:       s.Test.Binary(r.Data.Positive...),
		}
	}
	return s, nil
}

// BuildModel returns the recipe's network for data shaped like s, with
// initial weights drawn from r.
func BuildModel(rc *recipes.Recipe, s *datasets.Set, r *rand.Rand) (*models.MLP, error) {
	init, err := models.ParseInit(rc.Model.Init)
	if err != nil {
		return nil, err
	}
	c := models.MLPConfig{Inputs: s.Dim(), Classes: s.Classes, Init: init, Dropout: dropout(rc)}
	layers := rc.Model.Layers
	if rc.Model.Type == "sdae" {
		layers = rc.Model.Encoder // the fine-tuned network: encoders + softmax
	}
	for _, l := range layers {
		a, err := models.ParseActivation(l.Activation)
		if err != nil {
			return nil, err
		}
		c.Hidden = append(c.Hidden, models.Layer{Units: l.Units, Activation: a})
	}
	return models.NewMLP(c, r)
}

// AdaptiveFile is written by a run with the adaptive schedule: every search's
// candidate rates and their losses on the subset (see train.Adaptive.WriteCSV).
const AdaptiveFile = "adaptive.csv"

// Schedule returns the learning-rate schedule of recipe r for task, which
// trains on trainSet: nil when the recipe has none. η0 is the task's
// current learning rate, and cosine anneals over r.Epochs × the batches per
// epoch. The adaptive heuristic, which needs a *train.Classifier, is also
// returned as such, for its choices; the caller closes it. Its random
// choices come from the stream "adaptive" of the recipe's seed.
func Schedule(r *recipes.Recipe, task train.Task, trainSet *datasets.Set) (train.Schedule, *train.Adaptive, error) {
	fixed, ac, err := r.ScheduleConfig()
	switch {
	case err != nil:
		return nil, nil, err
	case fixed != nil:
		c := *fixed
		c.LR = task.LearningRate()
		c.Total = r.Epochs * (trainSet.Len() / task.BatchSize())
		s, err := schedules.New(c)
		if err != nil {
			return nil, nil, fmt.Errorf("recipe %s: schedule: %w", r.Name, err)
		}
		return s, nil, nil
	case ac != nil:
		cl, ok := task.(*train.Classifier)
		if !ok {
			return nil, nil, fmt.Errorf("recipe %s: the adaptive schedule trains classifiers only (model.type %s)", r.Name, r.Model.Type)
		}
		ac.Penalties = penalties(r.Regularizers) // the copies optimize the task's objective
		a, err := train.NewAdaptive(cl, trainSet, *ac, rng.New(r.Seed, "adaptive"))
		if err != nil {
			return nil, nil, fmt.Errorf("recipe %s: %w", r.Name, err)
		}
		return a, a, nil
	}
	return nil, nil, nil
}
