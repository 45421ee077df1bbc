package sweeps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/train"
)

// PointOptions are how RunPoint trains (see pipeline.Options).
type PointOptions struct {
	Log         io.Writer
	Interactive bool
	BLAS        string
}

// RunPoint trains point i of the sweep in dir, to its budget (its rung's
// under successive halving, else the recipe's epochs), and returns what it
// did in one line. It is idempotent, so that a local worker, a Slurm array
// task and a re-run of either may all call it: a point that is finished
// (or has its rung's epochs, or diverged before) is left alone; one with a
// checkpoint is resumed from it; one stopped before its first checkpoint
// is started again; any other is trained from the start.
//
// A failure is recorded in the sweep's logs/NNN.failed for the
// sweep's status and report, and removed when the point next succeeds.
func RunPoint(ctx context.Context, dir string, i int, o PointOptions) (string, error) {
	s, err := ReadSpec(dir)
	if err != nil {
		return "", err
	}
	if i < 0 || i >= len(s.Points) {
		return "", fmt.Errorf("sweeps: %s has points 0…%d, not %d", dir, len(s.Points)-1, i)
	}
	rungs, err := ReadRungs(dir, s)
	if err != nil {
		return "", err
	}
	if rungs != nil && !inSomeRung(rungs, i) {
		return "", fmt.Errorf("sweeps: point %d is in no rung of the successive halving (see %s): nothing to train", i, filepath.Join(dir, RungsFile))
	}
	budget := rungs.Budget(s, i)
	p := s.Points[i]
	st, err := PointStatus(dir, p, budget)
	if err != nil {
		return "", err
	}
	pd := PointDir(dir, i)
	switch st.State {
	case Done:
		return fmt.Sprintf("point %d is finished (%s)", i, pd), nil
	case Paused:
		return fmt.Sprintf("point %d has its rung's %d epochs (%s)", i, budget, pd), nil
	case Diverged:
		return fmt.Sprintf("point %d diverged when it was trained, and is not trained again: %s", i, st.Error), nil
	case Running:
		return "", fmt.Errorf("sweeps: point %d is being trained by another process (%s holds its lock)", i, pd)
	}
	po := pipeline.Options{Out: pd, Log: o.Log, Interactive: o.Interactive, BLAS: o.BLAS, StopAfter: budget}
	hasCheckpoint := exists(filepath.Join(pd, runs.CheckpointFile))
	if !hasCheckpoint && exists(filepath.Join(pd, runs.RecipeFile)) {
		// Stopped in its first epoch: nothing to resume, start again.
		if err := clearStarted(pd); err != nil {
			return "", err
		}
	}
	if hasCheckpoint {
		_, err = pipeline.Resume(ctx, po)
	} else {
		var r *recipes.Recipe
		if r, err = s.PointRecipe(p); err != nil {
			return "", err
		}
		_, err = pipeline.Train(ctx, r, po)
	}
	switch {
	case err == nil:
		return fmt.Sprintf("point %d finished (%s)", i, pd), removeFailure(dir, i)
	case errors.Is(err, pipeline.ErrStoppedAfter):
		return fmt.Sprintf("point %d trained to its rung's %d epochs (%s)", i, budget, pd), removeFailure(dir, i)
	case errors.Is(err, context.Canceled):
		return "", err
	}
	if werr := writeFailure(dir, i, failure{Error: err.Error(), Diverged: train.IsDiverged(err)}); werr != nil {
		return "", errors.Join(err, werr)
	}
	return "", err
}

func inSomeRung(r *Rungs, i int) bool {
	for _, rung := range r.Rungs {
		for _, j := range rung.Points {
			if j == i {
				return true
			}
		}
	}
	return false
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// clearStarted empties the run directory of a point stopped before its
// first checkpoint, of the files such a run writes; anything else there
// is not the sweep's, and is left (the fresh run then refuses the
// directory, saying what is in it).
func clearStarted(pd string) error {
	if err := runs.RemoveTemps(pd); err != nil {
		return fmt.Errorf("sweeps: %w", err)
	}
	for _, f := range []string{runs.RecipeFile, runs.MetricsFile, runs.AdaptiveFile, runs.LockFile} {
		if err := os.Remove(filepath.Join(pd, f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("sweeps: start %s again: %w", pd, err)
		}
	}
	return nil
}

func writeFailure(dir string, i int, f failure) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, LogsDir), 0o755); err != nil {
		return fmt.Errorf("sweeps: %w", err)
	}
	return atomicfile.Write(failedFile(dir, i), append(b, '\n'))
}

func removeFailure(dir string, i int) error {
	if err := os.Remove(failedFile(dir, i)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("sweeps: %w", err)
	}
	return nil
}
