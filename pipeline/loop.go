package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"time"

	"github.com/gorgonia-zoo/zoo/earlystop"
	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/schedules"
	"github.com/gorgonia-zoo/zoo/train"
)

// loop is one training loop of a run, as every family sets it up: the
// named random streams, the task, early stopping, the schedule, and the
// checkpoint session that saves them with the optimizer.
type loop struct {
	streams  streams
	task     task
	stopper  earlystop.Stopper   // nil without early stopping
	sched    train.Schedule      // nil without a schedule
	adaptive *schedules.Adaptive // the schedule, when it is the adaptive heuristic
	sess     *session
}

// task is a training task whose graphs the loop releases when done.
type task interface {
	train.ParamsTask
	Close()
}

// taskMaker builds a loop's task from its optimizer and streams.
type taskMaker func(opt optimizers.Optimizer, s streams) (task, error)

// newLoop sets up the recipe's (fine-)tuning loop: the optimizer, the
// streams named (each drawn from the seed and its name), the task newTask
// makes of them, the stopper, and the schedule.
func (j *job) newLoop(streamNames []string, newTask taskMaker) (*loop, error) {
	opt, err := optimizers.New(j.sp.Optimizer)
	if err != nil {
		return nil, err
	}
	l := &loop{streams: newStreams(j.sp.Seed, streamNames...)}
	if l.task, err = newTask(opt, l.streams); err != nil {
		return nil, err
	}
	if es := j.sp.EarlyStopping; es != nil {
		l.stopper = es.New()
	}
	l.sess = &session{dir: j.o.Out, params: l.task.Params(), opt: opt, streams: l.streams, stop: l.stopper, blas: j.o.BLAS, log: j.o.Log, init: j.init, recipe: j.text, data: j.dataRec, flops: j.matmulFlops}
	if err := j.schedule(l); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// Close releases the task's graphs and the schedule's.
func (l *loop) Close() {
	if l.adaptive != nil {
		l.adaptive.Close()
	}
	l.task.Close()
}

// fitConfig is what differs between the families' loops.
type fitConfig struct {
	// resume continues from the run directory's checkpoint.
	resume bool
	// stopMetric is the validation score early stopping watches.
	stopMetric string
	// announce prints the run's first line, given the state it resumes
	// from (nil for a fresh run).
	announce func(from *train.State)
	// write writes metrics.csv from the records so far.
	write func(records []train.Record) error
}

// fit trains l's task on the data for the recipe's epochs, from the
// checkpoint when the job resumes, checkpointing after every epoch and
// when interrupted, and writes the metrics (and the adaptive schedule's
// choices) as it ends. It returns the records and when training ended.
func (j *job) fit(ctx context.Context, l *loop, c fitConfig) ([]train.Record, time.Time, error) {
	var from *train.State
	if c.resume {
		var err error
		if from, err = l.sess.load(); err != nil {
			return nil, time.Time{}, err
		}
		j.init = l.sess.init
	}
	c.announce(from)
	records, runErr := train.Run(ctx, l.task, j.data.Train, j.data.Validation, train.Config{
		Epochs:     j.sp.Epochs,
		Shuffle:    l.streams.rand("shuffle"),
		Schedule:   l.sched,
		EarlyStop:  l.stopper,
		StopMetric: c.stopMetric,
		Resume:     from,
		Hooks: append([]train.Hook{
			train.NewProgressCounting(j.o.Log, j.o.Interactive, j.sp.BatchSize, j.work.Flops),
			train.CheckpointFunc(func(st *train.State) error {
				if err := l.sess.save(st); err != nil {
					return err
				}
				return c.write(st.Records)
			}),
			stopAfter(j.o.StopAfter),
		}, j.o.Hooks...),
	})
	trained := time.Now()
	if err := c.write(records); err != nil {
		return nil, trained, errors.Join(runErr, err)
	}
	if l.adaptive != nil {
		if err := atomicfile.WriteFunc(filepath.Join(j.o.Out, runs.AdaptiveFile), l.adaptive.WriteCSV); err != nil {
			return nil, trained, errors.Join(runErr, err)
		}
	}
	if runErr != nil {
		return nil, trained, stopped(runErr, len(records), j.o.Out)
	}
	return records, trained, nil
}

// stopAfter is the checkpoint hook that ends the loop once n epochs are
// finished and their checkpoint saved (see Options.StopAfter); n ≤ 0 never
// stops. It comes after the hook that saves the checkpoint.
func stopAfter(n int) train.CheckpointFunc {
	return func(st *train.State) error {
		if n > 0 && len(st.Records) == n && st.Pos == 0 && st.Order == nil {
			return ErrStoppedAfter
		}
		return nil
	}
}

// noteStop records in s where early stopping (if any) found the best model,
// which train.Run has put back in place, and why training ended.
func (j *job) noteStop(s *runs.Summary, stopper earlystop.Stopper, records []train.Record) {
	if stopper == nil {
		return
	}
	t, score := stopper.Best()
	s.BestUpdate, s.BestScore, s.StopReason = t, score, stopper.Reason()
	s.BestEpoch = epochOf(records, t)
	if s.StopReason == "" {
		s.StopReason = fmt.Sprintf("epoch budget (%d) reached", j.sp.Epochs)
	}
	fmt.Fprintf(j.o.Log, "early stopping: %s; kept the model of update %d (epoch %d)\n", s.StopReason, t, s.BestEpoch)
}

// epochOf returns the epoch in which update t happened.
func epochOf(records []train.Record, t int) int {
	for _, r := range records {
		if t <= r.Updates {
			return r.Epoch
		}
	}
	return len(records)
}

// trainingSeconds is the time of the epochs of records and pre.
func trainingSeconds(records []train.Record, pre []train.LayerRecord) float64 {
	t := 0.0
	for _, r := range records {
		t += r.Seconds
	}
	for _, p := range pre {
		t += p.Seconds
	}
	return t
}

// metricsRows turns the loop's records into metrics.csv's rows: pre are an
// sdae's pretraining epochs, records those of phase (runs.PhaseTrain or
// runs.PhaseFinetune).
func metricsRows(pre []train.LayerRecord, phase string, records []train.Record) []runs.MetricsRow {
	row := func(phase string, layer int, r train.Record) runs.MetricsRow {
		valErr := math.NaN()
		if r.Val.HasError {
			valErr = r.Val.Error
		}
		return runs.MetricsRow{Phase: phase, Layer: layer, Epoch: r.Epoch, TrainLoss: r.TrainLoss, ValLoss: r.Val.Loss, ValError: valErr, LR: r.LR, Seconds: r.Seconds}
	}
	var out []runs.MetricsRow
	for _, p := range pre {
		out = append(out, row(runs.PhasePretrain, p.Layer, p.Record))
	}
	for _, r := range records {
		out = append(out, row(phase, -1, r))
	}
	return out
}

// writeClassifierMetrics writes an mlp run's metrics.csv, whose val_error
// column is always filled.
func writeClassifierMetrics(dir string, records []train.Record) error {
	rows := metricsRows(nil, runs.PhaseTrain, records)
	for i := range rows {
		rows[i].ValError = records[i].Val.Error
	}
	return runs.WriteMetrics(dir, rows, false)
}
