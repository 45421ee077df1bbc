package sweeps

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/gorgonia-zoo/zoo/internal/jsonerr"
	"github.com/gorgonia-zoo/zoo/runs"
)

// State is where a point of a sweep stands, as its run directory says.
type State string

// The states of a point.
const (
	// Pending: not started (no run directory, or an empty one).
	Pending State = "pending"
	// Running: a process holds the run's lock.
	Running State = "running"
	// Interrupted: stopped with a checkpoint (or before its first one),
	// to be resumed (or started again) by the next run of the sweep.
	Interrupted State = "interrupted"
	// Paused: trained to its successive-halving rung's budget, waiting
	// for the rung to be decided (or not promoted).
	Paused State = "paused"
	// Culled: trained to its rung's budget and not promoted by
	// successive halving: it stays there.
	Culled State = "culled"
	// Done: finished (summary.json written).
	Done State = "done"
	// Failed: its last attempt failed (see Status.Error); the next run of
	// the sweep tries again.
	Failed State = "failed"
	// Diverged: its loss stopped being finite: a result (that setting
	// does not train), never tried again.
	Diverged State = "diverged"
)

// Status is a point's state and progress.
type Status struct {
	Point Point `json:"point"`
	State State `json:"state"`
	// Epochs is the number of (fine-)tuning epochs finished.
	Epochs int `json:"epochs"`
	// Metric is the validation metric (see MetricName) of the last
	// finished epoch, or of the finished run; NaN before the first epoch.
	Metric float64 `json:"-"`
	// Classifier tells which metric: validation error (a fraction) for
	// classifiers, validation loss for autoencoders.
	Classifier bool `json:"-"`
	// Summary is the finished run's summary.json (Done only).
	Summary *runs.Summary `json:"-"`
	// Error is why the last attempt failed (Failed, Diverged).
	Error string `json:"error,omitempty"`
}

// MetricName names a status's metric, as metrics.csv's columns do.
func (st Status) MetricName() string {
	if st.Classifier {
		return "val_error"
	}
	return "val_loss"
}

// failure is a point's .failed file: why its last attempt failed.
type failure struct {
	Error    string `json:"error"`
	Diverged bool   `json:"diverged,omitempty"`
}

// readFailure reads point i's failure record; nil when it has none.
func readFailure(dir string, i int) (*failure, error) {
	b, err := os.ReadFile(failedFile(dir, i))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sweeps: %w", err)
	}
	var f failure
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("sweeps: %s: %s: the file is damaged; remove it, and the next run of the sweep trains point %d again", failedFile(dir, i), jsonerr.Describe(err), i)
	}
	return &f, nil
}

// PointStatus reads where point p of the sweep in dir stands; budget is
// the epochs of its successive-halving rung (0 outside halving).
func PointStatus(dir string, p Point, budget int) (Status, error) {
	st := Status{Point: p, State: Pending, Metric: math.NaN()}
	pd := PointDir(dir, p.Index)
	if runs.InUse(pd) {
		st.State = Running
	}
	rows, err := runs.ReadMetrics(pd)
	if err == nil {
		if curve := runs.Curve(rows); len(curve) > 0 {
			last := curve[len(curve)-1]
			st.Epochs, st.Classifier = len(curve), last.HasError()
			st.Metric = last.ValLoss
			if st.Classifier {
				st.Metric = last.ValError
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(filepath.Join(pd, runs.MetricsFile)); serr == nil {
			return st, err
		}
	}
	if s, err := runs.ReadSummary(pd); err == nil {
		st.State, st.Summary = Done, s
		st.Classifier = s.TestReconstructionLoss == 0
		st.Metric = s.ValLoss
		if st.Classifier {
			st.Metric = s.ValError
		}
		return st, nil
	} else if _, serr := os.Stat(filepath.Join(pd, runs.SummaryFile)); serr == nil {
		return st, err
	}
	if st.State == Running {
		return st, nil
	}
	f, err := readFailure(dir, p.Index)
	if err != nil {
		return st, err
	}
	if f != nil {
		st.State, st.Error = Failed, f.Error
		if f.Diverged {
			st.State = Diverged
		}
		return st, nil
	}
	if _, err := os.Stat(filepath.Join(pd, runs.CheckpointFile)); err == nil {
		st.State = Interrupted
		if budget > 0 && st.Epochs >= budget {
			st.State = Paused
		}
		return st, nil
	}
	if _, err := os.Stat(filepath.Join(pd, runs.RecipeFile)); err == nil {
		st.State = Interrupted
	}
	return st, nil
}

// Statuses reads the state of every point of the sweep in dir.
func Statuses(dir string, s *Spec) ([]Status, error) {
	rungs, err := ReadRungs(dir, s)
	if err != nil {
		return nil, err
	}
	out := make([]Status, len(s.Points))
	for i, p := range s.Points {
		if out[i], err = PointStatus(dir, p, rungs.Budget(s, i)); err != nil {
			return nil, err
		}
		if out[i].State == Paused && rungs.culled(i) {
			out[i].State = Culled
		}
	}
	return out, nil
}
