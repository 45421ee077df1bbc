package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gorgonia-zoo/zoo/datasets"
)

// Config controls a training run.
type Config struct {
	// Epochs is the number of passes over the training set (≥ 1).
	Epochs int
	// Shuffle draws each epoch's example order; nil keeps the data order.
	Shuffle *rand.Rand
	// Progress, if set, hears about every update and every epoch.
	Progress Progress
	// Schedule, if set, gives the learning rate of every update.
	Schedule Schedule
}

// Schedule gives the learning rate of update t (counted from 1 over the
// run); the loop sets it on the task before each update.
type Schedule interface {
	Rate(t int) float64
}

// Record is what one epoch did.
type Record struct {
	Epoch     int     `json:"epoch"`
	TrainLoss float64 `json:"train_loss"` // mean objective over the epoch's updates
	Val       Metrics `json:"val"`
	LR        float64 `json:"lr"`
	Seconds   float64 `json:"seconds"` // wall time of the epoch, validation included
	Updates   int     `json:"updates"` // updates so far, this epoch included
}

// Progress receives the loop's events; see NewProgress for the CLI's.
type Progress interface {
	EpochStart(epoch, epochs, batches int)
	Update(done int, loss float64)
	EpochEnd(r Record)
}

// DivergedError reports a non-finite training objective: the run cannot go
// on, and its weights are no longer meaningful.
type DivergedError struct {
	Epoch, Update int // where it happened (Update counts from 1 over the run)
	Loss          float64
	LR            float64
}

func (e *DivergedError) Error() string {
	return fmt.Sprintf("train: diverged at update %d (epoch %d): loss is %v with learning rate %g; try a smaller learning rate (for example %g)",
		e.Update, e.Epoch, e.Loss, e.LR, e.LR/10)
}

// Run trains task on train for c.Epochs epochs, evaluating on val after each
// one (when val is not nil), and returns a record per epoch. It stops early,
// with the records so far, when ctx is cancelled (ctx.Err()) or the objective
// stops being finite (*DivergedError).
func Run(ctx context.Context, task Task, train, val *datasets.Set, c Config) ([]Record, error) {
	if c.Epochs < 1 {
		return nil, fmt.Errorf("train: epochs must be ≥ 1, got %d", c.Epochs)
	}
	bs := task.BatchSize()
	if train.Len() < bs {
		return nil, fmt.Errorf("train: %s has %d examples, fewer than one batch of %d", train.Name, train.Len(), bs)
	}
	b := &Batch{X: make([]float32, bs*train.Dim()), N: bs}
	if train.Labels != nil {
		b.Labels = make([]int, bs)
	}
	var records []Record
	updates := 0
	for epoch := 1; epoch <= c.Epochs; epoch++ {
		start := time.Now()
		it := datasets.NewBatches(train, bs, c.Shuffle)
		if c.Progress != nil {
			c.Progress.EpochStart(epoch, c.Epochs, it.Count())
		}
		var sum float64
		n := 0
		for it.Next(b.X, b.Labels) {
			if err := ctx.Err(); err != nil {
				return records, err
			}
			if c.Schedule != nil {
				task.SetLearningRate(c.Schedule.Rate(updates + 1))
			}
			loss, err := task.Step(b)
			if err != nil {
				return records, fmt.Errorf("train: epoch %d, update %d: %w", epoch, updates+1, err)
			}
			updates++
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return records, &DivergedError{Epoch: epoch, Update: updates, Loss: loss, LR: task.LearningRate()}
			}
			sum += loss
			n++
			if c.Progress != nil {
				c.Progress.Update(n, loss)
			}
		}
		r := Record{Epoch: epoch, TrainLoss: sum / float64(n), LR: task.LearningRate(), Updates: updates}
		if val != nil {
			m, err := task.Evaluate(val)
			if err != nil {
				return records, err
			}
			r.Val = m
		}
		r.Seconds = time.Since(start).Seconds()
		records = append(records, r)
		if c.Progress != nil {
			c.Progress.EpochEnd(r)
		}
	}
	return records, nil
}

// IsDiverged reports whether err is, or wraps, a *DivergedError.
func IsDiverged(err error) bool {
	var d *DivergedError
	return errors.As(err, &d)
}
