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
	"slices"
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
	// BLAS describes the BLAS computing the matrix products (for example
	// cblas.Current().String()), recorded in the checkpoints and the
	// summary: the same seed gives the same results only with the same
	// BLAS, and a resumed run says so in Log when its BLAS differs.
	BLAS string
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
		return trainAutoencoder(ctx, r, o, false)
	case "sdae":
		return trainStacked(ctx, r, o, false)
	}
	return trainMLP(ctx, r, o, false)
}

// trainMLP runs an mlp recipe in o.Out, from its checkpoint when resume is
// set.
func trainMLP(ctx context.Context, r *recipes.Recipe, o Options, resume bool) (*Summary, error) {
	// Data and model first: a run that cannot start leaves no directory.
	data, err := LoadData(r, o.DataDir)
	if err != nil {
		return nil, err
	}
	m, err := BuildModel(r, data.Train, rng.New(r.Seed, "init"))
	if err != nil {
		return nil, err
	}
	if !resume {
		unlock, err := prepareOut(o.Out)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	return trainClassifier(ctx, &classifierRun{r: r, o: o, data: data, m: m, resume: resume})
}

// Resume continues the interrupted run in o.Out from its checkpoint, with
// the recipe saved there; the result is the same, to the bit, as if it had
// never stopped.
func Resume(ctx context.Context, o Options) (*Summary, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	dir := o.Out
	if _, err := os.Stat(filepath.Join(dir, CheckpointFile)); err == nil {
		// Before anything here is looked at or touched (temporary files
		// included: they may be another process's writes in progress).
		unlock, err := Lock(dir)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
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
	for _, name := range []string{RecipeFile, CheckpointFile, MetricsFile, WeightsFile, SummaryFile, AdaptiveFile, ReconstructionsFile, FiltersFile} {
		if err := atomicfile.RemoveTemps(filepath.Join(dir, name)); err != nil {
			return nil, fmt.Errorf("runs: resume %s: %w", dir, err)
		}
	}
	r, err := recipes.Load(filepath.Join(dir, RecipeFile), recipes.Options{})
	if err != nil {
		return nil, fmt.Errorf("runs: resume %s: %w", dir, err)
	}
	switch r.Model.Type {
	case "autoencoder":
		return trainAutoencoder(ctx, r, o, true)
	case "sdae":
		return trainStacked(ctx, r, o, true)
	}
	return trainMLP(ctx, r, o, true)
}

// classifierRun is the supervised training of an mlp recipe, or the
// fine-tuning of an sdae's pretrained network.
type classifierRun struct {
	r    *recipes.Recipe
	o    Options
	data *datasets.Splits
	// m is the network, freshly built from the recipe's "init" stream or
	// pretrained.
	m *models.MLP
	// resume continues from the checkpoint in o.Out.
	resume bool
	// sdae runs: the pretraining's records and layers, for the checkpoint,
	// metrics.csv and the summary; set from the checkpoint on resume.
	sdae     bool
	pre      []train.LayerRecord
	layers   []LayerSummary
	recipeAs string // the recipe's text, once written
}

// trainClassifier trains c.m as c.r says, in c.o.Out, checkpointing after
// every epoch and when interrupted; then evaluates it and saves the model.
func trainClassifier(ctx context.Context, c *classifierRun) (*Summary, error) {
	r, o, data, m := c.r, c.o, c.data, c.m
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
	sess := &session{dir: o.Out, params: m.Params(), opt: opt, streams: streams, stop: stopper, blas: o.BLAS, log: o.Log}
	sched, adaptive, err := scheduleWithStream(r, task, data.Train, sess)
	if err != nil {
		return nil, err
	}
	if adaptive != nil {
		defer adaptive.Close()
	}
	if c.sdae {
		sess.phase, sess.pretrain, sess.layers = phaseFinetune, c.pre, c.layers
	}
	var from *train.State
	if c.resume {
		if from, err = sess.load(); err != nil {
			return nil, err
		}
		c.pre, c.layers = sess.pretrain, sess.layers
	}
	text := c.recipeAs
	if text == "" {
		if text, err = recipeText(r); err != nil {
			return nil, err
		}
		if !c.resume {
			if err := atomicfile.Write(filepath.Join(o.Out, RecipeFile), []byte(text)); err != nil {
				return nil, err
			}
		}
	}
	switch {
	case c.resume:
		what := "resuming"
		if c.sdae {
			what = "resuming the fine-tuning"
		}
		fmt.Fprintf(o.Log, "%s: %d parameters; %d training, %d validation, %d test examples; %s at epoch %d, update %d, in %s\n",
			r.Name, models.Count(m.Params()), data.Train.Len(), data.Validation.Len(), data.Test.Len(), what, from.Epoch, from.Updates, o.Out)
	case c.sdae:
		fmt.Fprintf(o.Log, "fine-tuning %d layers and a softmax output: %d epochs\n", len(m.Layers)-1, r.Epochs)
	default:
		fmt.Fprintf(o.Log, "%s: %d parameters; %d training, %d validation, %d test examples; writing to %s\n",
			r.Name, models.Count(m.Params()), data.Train.Len(), data.Validation.Len(), data.Test.Len(), o.Out)
	}

	cfg := train.Config{
		Epochs:     r.Epochs,
		Shuffle:    streams.rand("shuffle"),
		Schedule:   sched,
		EarlyStop:  stopper,
		StopMetric: stopMetric(r),
		Resume:     from,
	}
	writeRecords := func(records []train.Record) error {
		if c.sdae {
			return writeStagedMetrics(o.Out, c.pre, records)
		}
		return writeMetrics(o.Out, records)
	}
	cfg.Hooks = []train.Hook{train.NewProgress(o.Log, o.Interactive, r.BatchSize), train.CheckpointFunc(func(st *train.State) error {
		if err := sess.save(st); err != nil {
			return err
		}
		return writeRecords(st.Records)
	})}
	records, runErr := train.Run(ctx, task, data.Train, data.Validation, cfg)
	trained := time.Now()
	if err := writeRecords(records); err != nil {
		return nil, errors.Join(runErr, err)
	}
	if adaptive != nil {
		if err := atomicfile.WriteFunc(filepath.Join(o.Out, AdaptiveFile), adaptive.WriteCSV); err != nil {
			return nil, errors.Join(runErr, err)
		}
	}
	if runErr != nil {
		return nil, stopped(runErr, len(records), o.Out)
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
		InputShape: slices.Clone(data.Train.Shape),
		TrainLoss:  last.TrainLoss, ValLoss: last.Val.Loss, ValError: last.Val.Error,
		TestLoss: test.Loss, TestError: test.Error,
		Pretrain: c.layers,
	}
	if s.TestClasses, err = perClass(task, data.Test); err != nil {
		return nil, err
	}
	noteStop(s, stopper, records, r, o.Log)
	s.Seconds = trainingSeconds(records, c.pre) + time.Since(trained).Seconds()
	s.BLAS = o.BLAS
	return s, finish(o.Out, s, m.Params(), text)
}

// recipeText is the recipe as run, without its quick profile.
func recipeText(r *recipes.Recipe) (string, error) {
	saved := *r
	saved.Quick = nil
	text, err := saved.Marshal()
	return string(text), err
}

// finish saves the trained model and the summary, then removes the
// checkpoint: the run is done.
func finish(dir string, s *Summary, params []*models.Param, recipe string) error {
	meta := map[string]string{"zoo.recipe": recipe, "zoo.format": "1"}
	if err := SaveWeights(filepath.Join(dir, WeightsFile), params, meta); err != nil {
		return err
	}
	if err := writeSummary(dir, s); err != nil {
		return err
	}
	return removeCheckpoint(dir)
}

// stopped explains a run that ended early with err after finished epochs,
// and how to continue it when a checkpoint allows.
func stopped(err error, finished int, dir string) error {
	if errors.Is(err, context.Canceled) {
		// train.Run joins the cancellation with the checkpoint's error.
		if j, ok := err.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 1 {
			return fmt.Errorf("interrupted (%w), and saving the checkpoint failed: %w; the previous checkpoint, if any, is kept: zoo train --resume %s", context.Canceled, errors.Join(j.Unwrap()[1:]...), dir)
		}
		return fmt.Errorf("interrupted (%w): stopped after a whole update and saved a checkpoint; continue with: zoo train --resume %s", err, dir)
	}
	if _, serr := os.Stat(filepath.Join(dir, CheckpointFile)); serr == nil && !train.IsDiverged(err) {
		return fmt.Errorf("%w (metrics of the %d finished epochs and the last checkpoint are in %s; once the cause is fixed, continue with: zoo train --resume %s)", err, finished, dir, dir)
	}
	return fmt.Errorf("%w (metrics of the %d finished epochs are in %s; no model was saved)", err, finished, dir)
}

// prepareOut creates the run directory and takes its lock (see Lock),
// refusing one that already holds a run, and returns the lock's release.
func prepareOut(dir string) (unlock func(), err error) {
	if dir == "" {
		return nil, fmt.Errorf("runs: no output directory given")
	}
	// Checked before the directory is created or locked, so that a refused
	// run adds nothing to it, and again under the lock: another process may
	// have started a run here meanwhile.
	if err := noRun(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("runs: create run directory: %w", err)
	}
	if unlock, err = Lock(dir); err != nil {
		return nil, err
	}
	if err := noRun(dir); err != nil {
		unlock()
		return nil, err
	}
	return unlock, nil
}

// noRun refuses a directory that already holds a run.
func noRun(dir string) error {
	for _, f := range []string{SummaryFile, WeightsFile, RecipeFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return fmt.Errorf("runs: %s already holds a run (%s exists); choose another --out or remove it", dir, f)
		}
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
	return schedule(r, task, trainSet, rng.Source(r.Seed, "adaptive"))
}

// scheduleWithStream is Schedule for a checkpointed run: the adaptive
// heuristic's generator and state join the session's.
func scheduleWithStream(r *recipes.Recipe, task train.Task, trainSet *datasets.Set, s *session) (train.Schedule, *train.Adaptive, error) {
	src := rng.Source(r.Seed, "adaptive")
	sched, a, err := schedule(r, task, trainSet, src)
	if a != nil {
		s.streams["adaptive"] = src
		s.adaptive = a
	}
	return sched, a, err
}

func schedule(r *recipes.Recipe, task train.Task, trainSet *datasets.Set, adaptive *rand.PCG) (train.Schedule, *train.Adaptive, error) {
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
		a, err := train.NewAdaptive(cl, trainSet, *ac, rand.New(adaptive))
		if err != nil {
			return nil, nil, fmt.Errorf("recipe %s: %w", r.Name, err)
		}
		return a, a, nil
	}
	return nil, nil, nil
}
