package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/train"
)

// mlpFamily trains a classifier (model.type mlp): an MLP with a softmax
// output, on the recipe's loss, regularizers and schedule.
type mlpFamily struct{}

func (mlpFamily) build(j *job) (trainer, error) {
	m, err := j.newMLP()
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) (*runs.Summary, error) {
		return j.trainClassifier(ctx, m, nil)
	}, nil
}

// newMLP returns the recipe's classifier for the data, with initial weights
// drawn from the seed's "init" stream, or from the recipe's init file.
func (j *job) newMLP() (*models.MLP, error) {
	c := j.sp.Model.MLPFor(j.data.Train.Dim(), j.data.Train.Classes)
	if err := j.checkMemory(c.Size()); err != nil {
		return nil, err
	}
	m, err := models.NewMLP(c, rng.New(j.sp.Seed, "init"))
	if err != nil {
		return nil, err
	}
	return m, j.applyInit(m.Params())
}

// The streams of a classifier's training.
var classifierStreams = []string{"shuffle", "dropout", "noise"}

// finetuning is the fine-tuning of an sdae's pretrained network: where it
// starts, and the pretraining's records for the checkpoint, metrics.csv and
// the summary.
type finetuning struct {
	resume bool
	pre    []train.LayerRecord
	layers []runs.LayerSummary
}

// trainClassifier trains m, checkpointing after every epoch and when
// interrupted, then evaluates it on the test split and saves it. ft is nil
// for an mlp, or an sdae's fine-tuning.
func (j *job) trainClassifier(ctx context.Context, m *models.MLP, ft *finetuning) (*runs.Summary, error) {
	sp, o := j.sp, j.o
	l, err := j.newLoop(classifierStreams, func(opt optimizers.Optimizer, s streams) (task, error) {
		rs := sp.Regularizers
		c := train.ClassifierConfig{BatchSize: sp.BatchSize, Penalties: penalties(rs), Random: s["dropout"], MaxNorm: rs.MaxNorm, Loss: sp.Loss}
		if rs.Noise.Active() {
			c.Noise, c.NoiseRandom = rs.Noise, s.rand("noise")
		}
		return train.NewClassifier(m, opt, c)
	})
	if err != nil {
		return nil, err
	}
	defer l.Close()
	task := l.task.(*train.Classifier)
	resume := j.resume
	if ft != nil {
		resume = ft.resume
		l.sess.phase, l.sess.pretrain, l.sess.layers = phaseFinetune, ft.pre, ft.layers
	}
	write := func(records []train.Record) error {
		if ft != nil {
			return runs.WriteMetrics(o.Out, metricsRows(l.sess.pretrain, runs.PhaseFinetune, records), true)
		}
		return writeClassifierMetrics(o.Out, records)
	}
	announce := func(from *train.State) {
		switch {
		case from != nil:
			what := "resuming"
			if ft != nil {
				what = "resuming the fine-tuning"
			}
			fmt.Fprintf(o.Log, "%s: %d parameters; %d training, %d validation, %s; %s at epoch %d, update %d, in %s\n",
				sp.Name, models.Count(m.Params()), j.data.Train.Len(), j.data.Validation.Len(), plural.Count(j.data.Test.Len(), "test example"), what, from.Epoch, from.Updates, o.Out)
		case ft != nil:
			fmt.Fprintf(o.Log, "fine-tuning %s and a softmax output: %s\n", plural.Count(len(m.Layers)-1, "layer"), plural.Count(sp.Epochs, "epoch"))
		default:
			fmt.Fprintf(o.Log, "%s: %d parameters; %d training, %d validation, %s; writing to %s\n",
				sp.Name, models.Count(m.Params()), j.data.Train.Len(), j.data.Validation.Len(), plural.Count(j.data.Test.Len(), "test example"), o.Out)
		}
	}
	stopMetric := ""
	if sp.EarlyStopping != nil {
		stopMetric = sp.EarlyStopping.Metric
	}
	records, trained, err := j.fit(ctx, l, fitConfig{resume: resume, stopMetric: stopMetric, announce: announce, write: write})
	if err != nil {
		return nil, err
	}
	test, pred, err := task.EvaluatePredict(j.data.Test)
	if err != nil {
		return nil, err
	}
	s := j.summary(records, m.Params())
	s.ValError = records[len(records)-1].Val.Error
	s.TestLoss, s.TestError = test.Loss, test.Error
	s.Classes = j.data.Train.Classes
	s.Pretrain = l.sess.layers
	s.TestClasses = infer.ClassMetrics(pred, j.data.Test.Labels, j.data.Test.Classes)
	j.noteStop(s, l.stopper, records)
	s.Seconds = trainingSeconds(records, l.sess.pretrain) + time.Since(trained).Seconds()
	return s, j.finish(s, m.Params())
}
