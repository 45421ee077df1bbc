// Package nb holds what the notebooks in this folder share, so each
// notebook opens with its imports instead of a page of helpers: small
// slices of MNIST, seeded generators, a training hook that records a run,
// and gonum/plot figures rendered to PNG for GoNB to display inline.
//
// It has no GoNB dependency: the notebooks pass the PNG bytes it returns to
// gonbui.DisplayPNG, which keeps GoNB out of the zoo module's requirements.
// The package exists for the notebooks; it is not part of zoo's API and may
// change with them.
package nb

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/train"
)

// MNIST returns the first n training, m validation and k test digits of
// the MNIST copy built into the zoo (0 keeps a whole split), so that every
// cell of a notebook finishes in seconds.
func MNIST(n, m, k int) (*datasets.Splits, error) {
	d, err := datasets.MNIST()
	if err != nil {
		return nil, fmt.Errorf("nb: %w", err)
	}
	return d.Limit(n, m, k), nil
}

// Seeded returns a generator for stream s of seed 1. The notebooks draw
// initial weights, shuffles and noise from it, so a cell prints the same
// numbers at every run; rand.NewPCG(1, s) is the same stream for the
// options that take a rand.Source.
func Seeded(s uint64) *rand.Rand { return rand.New(rand.NewPCG(1, s)) }

// ErrBlewUp is the error with which a Recorder stops a run whose batch
// loss grew past its Limit.
var ErrBlewUp = errors.New("batch loss blew up")

// Recorder is a training hook (train.Config.Hooks) that keeps what a run
// reports: the batch loss of every update, the seconds since NewRecorder
// at every update (since the first update for a zero Recorder), and every
// epoch's record. With a Limit, it stops the
// run once a batch loss exceeds Limit × the first one: it notes the update
// in BlewUp and returns ErrBlewUp, which ends the run at once.
type Recorder struct {
	Limit   float64        // stop when a batch loss exceeds Limit × the first; 0 never stops
	Loss    []float64      // batch loss of every update
	Seconds []float64      // seconds since NewRecorder, at the end of every update
	Epochs  []train.Record // every epoch's record
	BlewUp  int            // the update (counted from 1) that exceeded Limit, or 0
	start   time.Time
}

// NewRecorder returns a Recorder with the given Limit (0: never stop) whose
// clock starts now.
func NewRecorder(limit float64) *Recorder {
	return &Recorder{Limit: limit, start: time.Now()}
}

// OnStep records the update's batch loss and time, and stops the run with
// ErrBlewUp when the loss exceeds the limit.
func (r *Recorder) OnStep(s train.StepInfo) error {
	if r.start.IsZero() {
		r.start = time.Now()
	}
	r.Loss = append(r.Loss, s.Loss)
	r.Seconds = append(r.Seconds, time.Since(r.start).Seconds())
	if r.Limit > 0 && r.BlewUp == 0 && s.Loss > r.Limit*r.Loss[0] {
		r.BlewUp = len(r.Loss)
		return ErrBlewUp
	}
	return nil
}

// OnEpochEnd records the epoch's record.
func (r *Recorder) OnEpochEnd(rec train.Record) error {
	r.Epochs = append(r.Epochs, rec)
	return nil
}
