package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/gorgonia-zoo/zoo/cblas"
	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/train"
)

// Options control where and how a run happens.
type Options struct {
	// Out is the run directory. It is created; an existing directory must
	// be empty (see runs.NoRun), so that neither a trained model nor a
	// user's own file is overwritten.
	Out string
	// DataDir, if set, reads the data set from this directory instead of
	// the recipe's source. Resume reads the data the run recorded (see
	// runs.DataRecord) from where it recorded it, or from DataDir when
	// set; either way it refuses files other than the ones the run was
	// trained on.
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
	// Hooks hear about the training loop's events (see train.Hook), after
	// the pipeline's own (the progress report, then the checkpoint): the
	// loop of an mlp or autoencoder, an sdae's fine-tuning and each of its
	// pretraining stages. An error from one stops the run, as an
	// interruption would, with a checkpoint of the last finished epoch.
	Hooks []train.Hook
	// MemoryLimit, when positive, is the bytes a run's model may take
	// (see checkMemory); 0 means the memory this machine has available.
	MemoryLimit int64
	// StopAfter, when positive and below the recipe's epochs, ends the
	// run's (fine-)tuning loop after that many finished epochs, with the
	// checkpoint an interrupted run leaves there, and returns an error
	// wrapping ErrStoppedAfter: Resume then continues it to the weights an
	// uninterrupted run has, the recipe (its schedule, its epochs) being
	// unchanged. A sweep's successive halving trains on such budgets. An
	// sdae's pretraining is not counted: it always runs whole.
	StopAfter int
}

// ErrStoppedAfter is wrapped by the error of a run that stopped after
// Options.StopAfter epochs, as asked.
var ErrStoppedAfter = errors.New("stopped after the epochs asked for")

// job is one run of a recipe as the families see it: the recipe's spec, the
// data, and where it writes.
type job struct {
	sp   *recipes.Spec
	o    Options
	data *datasets.Splits
	// resume continues the run in o.Out from its checkpoint.
	resume bool
	// text is the recipe as run (recipe.yaml).
	text string
	// dataRec is where the data came from and its files' digests, for the
	// checkpoints and the summary.
	dataRec *runs.DataRecord
	// initFrom is the recipe's init.from as an absolute path ("" for
	// none), and init where the initial weights came from once applied.
	initFrom string
	init     *runs.InitRecord
	// work counts the run's matrix products (see cblas.Count); before
	// are those of the run's parts before the checkpoint it resumes from,
	// or −1 when that checkpoint does not say (one written before they
	// were counted).
	work   *cblas.Counter
	before int64
}

// Train runs recipe r and writes its run directory. If training stops early
// (ctx cancelled, divergence) the records so far are still written, and the
// error says what happened.
func Train(ctx context.Context, r *recipes.Recipe, o Options) (*runs.Summary, error) {
	return start(ctx, r, o, false, nil, 0)
}

// Resume continues the interrupted run in o.Out from its checkpoint, with
// the recipe saved there; the result is the same, to the bit, as if it had
// never stopped.
func Resume(ctx context.Context, o Options) (*runs.Summary, error) {
	dir := o.Out
	if isRun(dir) {
		// Before anything here is looked at or touched (temporary files
		// included: they may be another process's writes in progress),
		// and before the checkpoint is looked for: a run in its first
		// epoch has none yet, and is in use, not dead.
		unlock, err := runs.Lock(dir)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	if _, err := os.Stat(filepath.Join(dir, runs.SummaryFile)); err == nil {
		return nil, fmt.Errorf("pipeline: the run in %s is finished (%s exists): nothing to resume", dir, runs.SummaryFile)
	}
	if _, err := os.Stat(filepath.Join(dir, runs.CheckpointFile)); err != nil {
		if _, rerr := os.Stat(filepath.Join(dir, runs.RecipeFile)); rerr == nil && errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("pipeline: the run in %s stopped before its first checkpoint (runs are checkpointed after every epoch): nothing to resume; remove %s and train again", dir, dir)
		}
		return nil, fmt.Errorf("pipeline: %s has no %s to resume from (is it a zoo run directory? runs are checkpointed after their first epoch): %w", dir, runs.CheckpointFile, err)
	}
	if _, err := os.Stat(filepath.Join(dir, runs.RecipeFile)); err != nil {
		return nil, fmt.Errorf("pipeline: %s has a %s but no %s: it is not a zoo run directory, and nothing in it was changed", dir, runs.CheckpointFile, runs.RecipeFile)
	}
	// A run killed while saving leaves the temporary file of the write.
	if err := runs.RemoveTemps(dir); err != nil {
		return nil, fmt.Errorf("pipeline: resume %s: %w", dir, err)
	}
	// The checkpoint says what the run started with: its recipe, which
	// recipe.yaml must still say, and its data, read again from there.
	c, err := readCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	r, err := recipes.Load(filepath.Join(dir, runs.RecipeFile), recipes.Options{})
	if err != nil {
		return nil, fmt.Errorf("pipeline: resume %s: %w", dir, err)
	}
	if err := unchangedRecipe(filepath.Join(dir, runs.RecipeFile), r, c.meta.Recipe); err != nil {
		return nil, err
	}
	before := c.meta.MatmulFlops
	if before == 0 {
		before = -1 // a checkpoint written before the products were counted
	}
	return start(ctx, r, o, true, c.meta.Data, before)
}

// isRun reports whether dir looks like a zoo run directory (the files a
// run writes before anything else, its lock and recipe.yaml, are there),
// so that Resume may take its lock: no lock file is created in a
// directory of someone else's.
func isRun(dir string) bool {
	for _, f := range []string{runs.LockFile, runs.RecipeFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

// start loads the data, builds the model of the recipe's family and trains
// it; the data and model come first, so a run that cannot start leaves no
// directory behind. A resumed run passes the record of the data it was
// trained on, when its checkpoint has one (nil otherwise), and the
// floating-point operations of the matrix products done before it (see
// job.before).
func start(ctx context.Context, r *recipes.Recipe, o Options, resume bool, rec *runs.DataRecord, before int64) (*runs.Summary, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	sp, err := r.Spec()
	if err != nil {
		return nil, err
	}
	fam, err := family(sp.Model.Family)
	if err != nil {
		return nil, err
	}
	data, dataRec, err := loadRecorded(ctx, sp.Data, DataOptions{Dir: o.DataDir, Progress: o.Log}, rec)
	if err != nil {
		return nil, err
	}
	if err := fitsBatches(sp, data); err != nil {
		return nil, err
	}
	j := &job{sp: sp, o: o, data: data, resume: resume, dataRec: dataRec, before: before}
	if j.initFrom, err = initPath(sp); err != nil {
		return nil, err
	}
	trainer, err := fam.build(j)
	if err != nil {
		return nil, err
	}
	if j.text, err = recipeText(r, j.initFrom); err != nil {
		return nil, err
	}
	if !resume { // Resume holds the lock and has the recipe file.
		unlock, err := prepareOut(o.Out)
		if err != nil {
			return nil, err
		}
		defer unlock()
		if err := atomicfile.Write(filepath.Join(o.Out, runs.RecipeFile), []byte(j.text)); err != nil {
			return nil, err
		}
	}
	work, restore := cblas.Count()
	defer restore()
	j.work = work
	return trainer(ctx)
}

// matmulFlops returns the floating-point operations of the run's matrix
// products so far, its parts before a resumption included, or 0 when they
// are not known (it resumed from a checkpoint that does not say).
func (j *job) matmulFlops() int64 {
	if j.before < 0 || j.work == nil {
		return 0
	}
	return j.before + j.work.Flops()
}

// recipeText is the recipe as run, without its quick profile, with its
// data files by absolute path so that the run finds them from anywhere (a
// recipe read by recipes.Load or Parse has them so already; one built or
// changed in Go may not), and with the absolute path of its init file
// (initFrom, when there is one), so the run directory says where its
// weights came from wherever it is read.
func recipeText(r *recipes.Recipe, initFrom string) (string, error) {
	saved := *r
	saved.Quick = nil
	if initFrom != "" {
		init := *r.Init
		init.From = initFrom
		saved.Init = &init
	}
	if len(r.Data.Files) > 0 {
		saved.Data.Files = maps.Clone(r.Data.Files)
		for role, p := range saved.Data.Files {
			abs, err := filepath.Abs(p)
			if err != nil {
				return "", fmt.Errorf("pipeline: data.files.%s: %w", role, err)
			}
			saved.Data.Files[role] = abs
		}
	}
	text, err := saved.Marshal()
	return string(text), err
}

// summary starts the summary of a finished run: what every family reports.
func (j *job) summary(records []train.Record, params []*models.Param) *runs.Summary {
	last := records[len(records)-1]
	return &runs.Summary{
		Recipe: j.sp.Name, Seed: j.sp.Seed, Epochs: len(records), Updates: last.Updates,
		Parameters: models.Count(params),
		Train:      j.data.Train.Len(), Validation: j.data.Validation.Len(), Test: j.data.Test.Len(),
		InputShape: slices.Clone(j.data.Train.Shape),
		TrainLoss:  last.TrainLoss, ValLoss: last.Val.Loss,
		BLAS: j.o.BLAS,
		Init: j.init,
		Data: j.dataRec,
	}
}

// finish saves the trained model and the summary, then removes the
// checkpoint: the run is done.
func (j *job) finish(s *runs.Summary, params []*models.Param) error {
	dir := j.o.Out
	if s.MatmulFlops = j.matmulFlops(); s.MatmulFlops > 0 && s.Seconds > 0 {
		s.MatmulGFLOPS = float64(s.MatmulFlops) / s.Seconds / 1e9
	}
	if field, v := nonFiniteFigure(s); field != "" {
		return fmt.Errorf("pipeline: %s: the trained model's %s is %v, which summary.json cannot hold: its outputs are not finite numbers (its weights have grown too large; try a smaller learning rate); nothing was saved", dir, field, v)
	}
	meta := map[string]string{"zoo.recipe": j.text, "zoo.format": "1"}
	if err := runs.SaveWeights(filepath.Join(dir, runs.WeightsFile), params, meta); err != nil {
		return saveFailed(err, dir)
	}
	if err := runs.WriteSummary(dir, s); err != nil {
		return saveFailed(err, dir)
	}
	return runs.RemoveCheckpoint(dir)
}

// saveFailed explains a finished run whose model or summary could not be
// saved: the checkpoint is removed only after both are written, so a run
// of more than one epoch still has the one taken after its next-to-last
// epoch, and resuming repeats only the last.
func saveFailed(err error, dir string) error {
	if _, serr := os.Stat(filepath.Join(dir, runs.CheckpointFile)); serr == nil {
		return fmt.Errorf("%w (training finished but saving it failed; the last checkpoint is kept: once the cause is fixed, zoo train --resume %s repeats the last epoch and saves the run)", err, dir)
	}
	return fmt.Errorf("%w (training finished but saving it failed, and the run has no checkpoint to resume from: train it again once the cause is fixed)", err)
}

// stopped explains a run that ended early with err after finished epochs,
// and how to continue it when a checkpoint allows.
func stopped(err error, finished int, dir string) error {
	if errors.Is(err, ErrStoppedAfter) {
		return fmt.Errorf("%w (%d epochs, checkpointed; continue with: zoo train --resume %s)", ErrStoppedAfter, finished, dir)
	}
	if errors.Is(err, context.Canceled) {
		// train.Run joins the cancellation with the checkpoint's error.
		if j, ok := err.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 1 {
			return fmt.Errorf("interrupted (%w), and saving the checkpoint failed: %w; the previous checkpoint, if any, is kept: zoo train --resume %s", context.Canceled, errors.Join(j.Unwrap()[1:]...), dir)
		}
		return fmt.Errorf("interrupted (%w): stopped after a whole update and saved a checkpoint; continue with: zoo train --resume %s", err, dir)
	}
	if errors.Is(err, train.ErrDamagedState) {
		return fmt.Errorf("%w (the checkpoint in %s cannot be resumed from: train the run again into a new directory)", err, dir)
	}
	if _, serr := os.Stat(filepath.Join(dir, runs.CheckpointFile)); serr == nil && !train.IsDiverged(err) {
		return fmt.Errorf("%w (metrics of the %s and the last checkpoint are in %s; once the cause is fixed, continue with: zoo train --resume %s)", err, plural.Count(finished, "finished epoch"), dir, dir)
	}
	return fmt.Errorf("%w (metrics of the %s are in %s; no model was saved)", err, plural.Count(finished, "finished epoch"), dir)
}

// prepareOut creates the run directory and takes its lock (see runs.Lock),
// refusing one that already holds a run, and returns the lock's release.
func prepareOut(dir string) (unlock func(), err error) {
	if dir == "" {
		return nil, fmt.Errorf("pipeline: no output directory given")
	}
	// Checked before the directory is created or locked, so that a refused
	// run adds nothing to it, and again under the lock: another process may
	// have started a run here meanwhile.
	if err := runs.NoRun(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("pipeline: create run directory: %w", err)
	}
	if unlock, err = runs.Lock(dir); err != nil {
		return nil, err
	}
	if err := runs.NoRun(dir); err != nil {
		unlock()
		return nil, err
	}
	return unlock, nil
}
