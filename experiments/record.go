package experiments

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/train"
)

// curve is one training run as the experiments record it.
type curve struct {
	Name string
	// Loss, LR and Seconds hold one value per update: the training
	// objective on the update's batch (before the update), the learning
	// rate it used, and the wall time since training started, without the
	// time of the recorder's step lengths and of what the hooks do between
	// epochs (EvalTrain, the experiment's own measurements).
	Loss, LR, Seconds []float64
	// Epochs are the loop's records of the finished epochs.
	Epochs []train.Record
	// TrainEval holds, per finished epoch, the model measured on the
	// training examples of fitConfig.EvalTrain (when set).
	TrainEval []infer.Metrics
	// Step holds, per update, the Euclidean length of the update of all
	// parameters, ‖θ_t − θ_{t−1}‖ (only with fitConfig.StepLengths).
	Step []float64
	// Diverged reports a run stopped because its objective stopped being
	// finite (train.IsDiverged) or grew past fitConfig.BlowUp times its
	// first value; DivergedAt is that update and DivergedLoss its loss.
	Diverged     bool
	DivergedAt   int
	DivergedLoss float64
}

// updates is the number of updates recorded.
func (c *curve) updates() int { return len(c.Loss) }

// fitConfig adds the experiments' instrumentation to a train.Config, whose
// Hooks (an experiment's per-epoch measurements, say) run after the
// recorder's.
type fitConfig struct {
	train.Config
	// BlowUp, if > 0, stops the run as diverged when an update's objective
	// exceeds BlowUp times the first update's.
	BlowUp float64
	// EvalTrain, if set, is measured after every epoch (the training
	// loss and error of the model, not the running batch mean), before the
	// other hooks hear of the epoch.
	EvalTrain *datasets.Set
	// StepLengths records curve.Step; the task must be a train.ParamsTask.
	StepLengths bool
}

// errBlownUp is the recorder's stop of a run whose objective blew up
// (fitConfig.BlowUp).
var errBlownUp = errors.New("experiments: the objective blew up")

// recorder is the hook of fit that fills its curve.
type recorder struct {
	c      *curve
	task   train.Task
	cfg    *fitConfig
	start  time.Time
	params []*models.Param // for step lengths
	prev   [][]float64
	// spent is the time left out of curve.Seconds: the step lengths'
	// and, from the recorder's epoch end (ended) to the next epoch's
	// start, the hooks'.
	spent time.Duration
	ended time.Time
}

func (r *recorder) OnEpochStart(epoch, epochs, batches int) {
	if !r.ended.IsZero() {
		r.spent += time.Since(r.ended)
	}
}

func (r *recorder) OnStep(s train.StepInfo) error {
	c := r.c
	c.Loss = append(c.Loss, s.Loss)
	c.LR = append(c.LR, s.LR)
	now := time.Now()
	c.Seconds = append(c.Seconds, (now.Sub(r.start) - r.spent).Seconds())
	if r.params != nil {
		defer func() { r.spent += time.Since(now) }()
		sq := 0.0
		for i, p := range r.params {
			now := p.Float64s()
			for k, v := range now {
				d := v - r.prev[i][k]
				sq += d * d
			}
			r.prev[i] = now
		}
		c.Step = append(c.Step, math.Sqrt(sq))
	}
	if r.cfg.BlowUp > 0 && s.Loss > r.cfg.BlowUp*c.Loss[0] {
		c.Diverged, c.DivergedAt, c.DivergedLoss = true, len(c.Loss), s.Loss
		return errBlownUp
	}
	return nil
}

func (r *recorder) OnEpochEnd(train.Record) error {
	r.ended = time.Now()
	if r.cfg.EvalTrain == nil {
		return nil
	}
	m, err := r.task.Evaluate(r.cfg.EvalTrain)
	if err != nil {
		return err
	}
	r.c.TrainEval = append(r.c.TrainEval, m)
	return nil
}

func (r *recorder) OnStop(records []train.Record, err error) {
	r.c.Epochs = records
	var d *train.DivergedError
	if errors.As(err, &d) {
		r.c.Diverged, r.c.DivergedAt, r.c.DivergedLoss = true, d.Update, d.Loss
	}
}

// fit trains task with train.Run and records every update. A run that
// diverges (see curve.Diverged) is not an error: it is stopped and marked.
func fit(ctx context.Context, name string, task train.Task, trainSet, val *datasets.Set, cfg fitConfig) (*curve, error) {
	rec := &recorder{c: &curve{Name: name}, task: task, cfg: &cfg, start: time.Now()}
	if cfg.StepLengths {
		pt, ok := task.(train.ParamsTask)
		if !ok {
			return nil, fmt.Errorf("experiments: step lengths of a %T, which has no parameters", task)
		}
		rec.params = pt.Params()
		for _, p := range rec.params {
			rec.prev = append(rec.prev, p.Float64s())
		}
	}
	cfg.Hooks = append([]train.Hook{rec}, cfg.Hooks...)
	_, err := train.Run(ctx, task, trainSet, val, cfg.Config)
	if rec.c.Diverged {
		return rec.c, nil
	}
	return rec.c, err
}
