package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/earlystop"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/internal/tape"
	"github.com/gorgonia-zoo/zoo/models"
)

// Config controls a training run.
type Config struct {
	// Epochs is the number of passes over the training set (≥ 1).
	Epochs int
	// Shuffle draws each epoch's example order; nil keeps the data order.
	Shuffle *rand.Rand
	// Hooks hear about the run's events (see Hook), each event in the
	// order of the slice: the progress report, saving checkpoints, an
	// experiment's measurements.
	Hooks []Hook
	// Schedule, if set, gives the learning rate of every update.
	Schedule Schedule
	// EarlyStop, if set, watches the validation score (see StopMetric) at
	// its interval and ends training when it says so. When the task has
	// Params (see ParamsTask), the parameters of the best evaluation are
	// kept and restored at the end, so the run returns the best model, not
	// the last.
	EarlyStop earlystop.Stopper
	// StopMetric is the score EarlyStop watches: "error" (the default for
	// tasks that report one) or "loss".
	StopMetric string
	// Resume continues the run st describes instead of starting anew: the
	// caller has restored the task's parameters and optimizer, the
	// generators and EarlyStop to the moment st was taken.
	Resume *State
	// Explosion stops a run whose loss explodes without becoming
	// non-finite (see Explosion); the zero value is the default rule.
	Explosion Explosion
}

// ErrDamagedState is wrapped by Run's errors about a Config.Resume state
// that no run could have saved: its checkpoint is damaged, and resuming
// from it again cannot succeed.
var ErrDamagedState = errors.New("the saved state is damaged")

// State is a run in progress: where it is and what it has recorded.
type State struct {
	// Epoch is the epoch in progress, from 1.
	Epoch int `json:"epoch"`
	// Order is this epoch's example order and Pos the number of its
	// examples already used; nil at the start of an epoch, whose order is
	// then drawn from Config.Shuffle.
	Order []int `json:"-"`
	Pos   int   `json:"pos"`
	// Updates counts the updates of the run so far.
	Updates int `json:"updates"`
	// LossSum, Steps and Seconds are this epoch's objective summed over its
	// Steps updates and the time spent in it so far.
	LossSum float64 `json:"loss_sum"`
	Steps   int     `json:"steps"`
	Seconds float64 `json:"seconds"`
	// FirstLoss is the objective of the run's first update, the reference
	// of the explosion rule (see Explosion); a checkpoint written before
	// it was recorded reads as 0, which leaves the rule its margin.
	FirstLoss float64 `json:"first_loss"`
	// Records are the finished epochs'.
	Records []Record `json:"records"`
	// Best holds the parameters of the best evaluation so far under early
	// stopping (nil without it), in the order of the task's Params.
	Best []*models.Param `json:"-"`
}

// ParamsTask is a Task whose parameters the loop can snapshot and restore
// for early stopping.
type ParamsTask interface {
	Task
	Params() []*models.Param
}

// Schedule gives the learning rate of update t (counted from 1 over the
// run); the loop sets it on the task before each update.
type Schedule interface {
	Rate(t int) float64
}

// FallibleSchedule is a Schedule whose rate can fail to be found, such as
// the adaptive heuristic (schedules.Adaptive), which trains copies of the
// task to choose it. The loop calls RateErr instead of Rate and stops on its
// error.
type FallibleSchedule interface {
	Schedule
	RateErr(t int) (float64, error)
}

// Record is what one epoch did.
type Record struct {
	Epoch     int           `json:"epoch"`
	TrainLoss float64       `json:"train_loss"` // mean objective over the epoch's updates
	Val       infer.Metrics `json:"val"`
	LR        float64       `json:"lr"`
	Seconds   float64       `json:"seconds"` // wall time of the epoch, validation included
	Updates   int           `json:"updates"` // updates so far, this epoch included
}

// DivergedError reports a non-finite training objective: the run cannot go
// on, and its weights are no longer meaningful.
type DivergedError struct {
	Epoch, Update int // where it happened (Update counts from 1 over the run)
	Loss          float64
	LR            float64
	// Param names the parameter whose gradient was not finite while the
	// loss still was; "" when the loss itself was not finite. The update was
	// not applied.
	Param string
	// Exploded reports a loss that stayed finite but exploded (see
	// Explosion): Loss is then the epoch's mean so far, and FirstLoss the
	// run's first update's, which it was judged against.
	Exploded  bool
	FirstLoss float64
}

func (e *DivergedError) Error() string {
	what := fmt.Sprintf("loss is %v", e.Loss)
	switch {
	case e.Param != "":
		what = fmt.Sprintf("the gradient of %s is not finite (loss %v)", e.Param, e.Loss)
	case e.Exploded:
		what = fmt.Sprintf("the epoch's mean loss so far, %.3g, has exploded (the first update's was %.3g) and is rising,", e.Loss, e.FirstLoss)
	}
	return fmt.Sprintf("train: diverged at update %d (epoch %d): %s with learning rate %g; try a smaller learning rate (for example %.6g)",
		e.Update, e.Epoch, what, e.LR, e.LR/10)
}

// Run trains task on train for c.Epochs epochs, evaluating on val after each
// one (when val is not nil), and returns a record per epoch. Before the
// first update it checks that both sets fit the task (see SetChecker; a set
// of the wrong width or with labels outside the model's classes is an
// error, never a run), that early stopping has a validation set and valid
// settings. It stops early,
// with the records so far, when ctx is cancelled (ctx.Err(), after the
// update in progress and a checkpoint), when the objective stops being
// finite or explodes (*DivergedError; see Explosion), when a hook returns
// an error, or when c.EarlyStop says so.
func Run(ctx context.Context, task Task, train, val *datasets.Set, c Config) ([]Record, error) {
	if err := checkHooks(c.Hooks, "hook", isRunHook); err != nil {
		return nil, err
	}
	records, err := run(ctx, task, train, val, c)
	each(c.Hooks, func(h StopHook) error { h.OnStop(records, err); return nil })
	return records, err
}

// SetChecker is a Task that can tell whether a data set fits its model
// (the number of features per example, the labels and classes). Run checks
// the training and validation sets with it before the first update; the
// tasks of this package implement it.
type SetChecker interface {
	CheckSet(s *datasets.Set) error
}

// checkRun reports, before anything is trained, what would make the run
// fail later or, worse, run on wrong data: sets that do not fit the task,
// an empty validation set, early stopping without a validation set to
// watch, an invalid stopping rule or metric.
func checkRun(task Task, train, val *datasets.Set, c Config) error {
	if c.Epochs < 1 {
		return fmt.Errorf("train: epochs must be ≥ 1, got %d", c.Epochs)
	}
	if task == nil {
		return fmt.Errorf("train: no task")
	}
	if train == nil {
		return fmt.Errorf("train: no training set")
	}
	check := func(s *datasets.Set) error {
		if sc, ok := task.(SetChecker); ok {
			return sc.CheckSet(s)
		}
		return s.Validate()
	}
	if err := check(train); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if val != nil {
		if err := check(val); err != nil {
			return fmt.Errorf("train: validation: %w", err)
		}
		if val.Len() == 0 {
			return fmt.Errorf("train: validation set %q is empty", val.Name)
		}
	}
	if c.EarlyStop != nil {
		if val == nil {
			return fmt.Errorf("train: early stopping needs a validation set to watch, and none was given")
		}
		if v, ok := c.EarlyStop.(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				return fmt.Errorf("train: early stopping: %w", err)
			}
		}
	}
	switch c.StopMetric {
	case "", "error", "loss":
	default:
		return fmt.Errorf("train: unknown stop metric %q (known: error, loss)", c.StopMetric)
	}
	return c.Explosion.validate()
}

// run is Run without the stop hooks.
func run(ctx context.Context, task Task, train, val *datasets.Set, c Config) ([]Record, error) {
	if err := checkRun(task, train, val, c); err != nil {
		return nil, err
	}
	bs := task.BatchSize()
	if train.Len() < bs {
		return nil, fmt.Errorf("train: %s has %s, fewer than one batch of %d", train.Name, plural.Count(train.Len(), "example"), bs)
	}
	b := &Batch{X: make([]float32, bs*train.Dim()), N: bs}
	if train.Labels != nil {
		b.Labels = make([]int, bs)
	}
	st := &State{Epoch: 1}
	if c.Resume != nil {
		st = c.Resume
		if st.Epoch < 1 || st.Updates < 0 || len(st.Records) != st.Epoch-1 {
			return nil, fmt.Errorf("train: resume: %w: inconsistent state (epoch %d, %d records, %d updates)", ErrDamagedState, st.Epoch, len(st.Records), st.Updates)
		}
		if st.Order != nil && (len(st.Order) != train.Len() || st.Pos < 0 || st.Pos > len(st.Order)) {
			return nil, fmt.Errorf("train: resume: %w: the saved example order covers %d examples at position %d, the training set has %d", ErrDamagedState, len(st.Order), st.Pos, train.Len())
		}
	}
	es := newStopping(task, val, c)
	var ahead batchAhead
	defer ahead.wait()
	if st.Best != nil {
		if err := es.resume(st.Best); err != nil {
			return st.Records, err
		}
	}
	for ; st.Epoch <= c.Epochs && !es.stopped; st.Epoch++ {
		epoch := st.Epoch
		start := time.Now()
		it := &datasets.Batches{Set: train, Size: bs, Order: st.Order, Pos: st.Pos}
		if st.Order == nil {
			it = datasets.NewBatches(train, bs, c.Shuffle)
			st.Order, st.Pos, st.LossSum, st.Steps, st.Seconds = it.Order, 0, 0, 0, 0
		}
		batches := it.Count()
		each(c.Hooks, func(h EpochStartHook) error { h.OnEpochStart(epoch, c.Epochs, batches); return nil })
		for ahead.next(it, b) {
			if c.Schedule != nil {
				lr := 0.0
				if f, ok := c.Schedule.(FallibleSchedule); ok {
					var err error
					if lr, err = f.RateErr(st.Updates + 1); err != nil {
						return st.Records, fmt.Errorf("train: epoch %d, update %d: learning-rate schedule: %w", epoch, st.Updates+1, err)
					}
				} else {
					lr = c.Schedule.Rate(st.Updates + 1)
				}
				task.SetLearningRate(lr)
			}
			loss, err := task.Step(b)
			var nfg *tape.NonFiniteGradient
			if errors.As(err, &nfg) {
				return st.Records, &DivergedError{Epoch: epoch, Update: st.Updates + 1, Loss: loss, LR: task.LearningRate(), Param: nfg.Param}
			}
			if err != nil {
				return st.Records, fmt.Errorf("train: epoch %d, update %d: %w", epoch, st.Updates+1, err)
			}
			st.Updates++
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return st.Records, &DivergedError{Epoch: epoch, Update: st.Updates, Loss: loss, LR: task.LearningRate()}
			}
			if st.Updates == 1 {
				st.FirstLoss = loss
			}
			st.Pos = it.Pos
			st.LossSum += loss
			st.Steps++
			info := StepInfo{Epoch: epoch, Update: st.Updates, Done: st.Steps, Loss: loss, LR: task.LearningRate()}
			if err := each(c.Hooks, func(h StepHook) error { return h.OnStep(info) }); err != nil {
				return st.Records, fmt.Errorf("train: epoch %d, update %d: %w", epoch, st.Updates, err)
			}
			// After the hooks, which have heard of the update: a hook's own
			// stop (the experiments' BlowUp) keeps its precedence.
			if err := c.Explosion.exploded(st, batches, task.LearningRate()); err != nil {
				return st.Records, err
			}
			if es.dueMidEpoch(st.Updates) {
				if err := es.evaluate(st.Updates, nil); err != nil {
					return st.Records, err
				}
				if es.stopped {
					break
				}
			}
			if err := ctx.Err(); err != nil {
				// Stop after a whole update, with a checkpoint to resume from.
				st.Seconds += time.Since(start).Seconds()
				return st.Records, errors.Join(err, checkpoint(c, st, es))
			}
		}
		r := Record{Epoch: epoch, TrainLoss: st.LossSum / float64(max(st.Steps, 1)), LR: task.LearningRate(), Updates: st.Updates}
		if val != nil {
			m, err := task.Evaluate(val)
			if err != nil {
				return st.Records, err
			}
			r.Val = m
		}
		if es.dueEndOfEpoch() {
			if err := es.evaluate(st.Updates, &r.Val); err != nil {
				return st.Records, err
			}
		}
		r.Seconds = st.Seconds + time.Since(start).Seconds()
		st.Records = append(st.Records, r)
		if err := each(c.Hooks, func(h EpochEndHook) error { return h.OnEpochEnd(r) }); err != nil {
			return st.Records, fmt.Errorf("train: end of epoch %d: %w", epoch, err)
		}
		st.Order, st.Pos = nil, 0
		if st.Epoch < c.Epochs && !es.stopped {
			next := *st
			next.Epoch++
			if err := checkpoint(c, &next, es); err != nil {
				return st.Records, err
			}
		}
	}
	return st.Records, es.restore()
}

// checkpoint hands the state to the checkpoint hooks, with the best
// parameters so far.
func checkpoint(c Config, st *State, es *stopping) error {
	st.Best = es.best
	if err := each(c.Hooks, func(h CheckpointHook) error { return h.OnCheckpoint(st) }); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	return nil
}

// IsDiverged reports whether err is, or wraps, a *DivergedError.
func IsDiverged(err error) bool {
	var d *DivergedError
	return errors.As(err, &d)
}
