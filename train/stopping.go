package train

import (
	"fmt"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/models"
)

// stopping is the loop's side of early stopping: when to evaluate, which
// score to report, and the snapshot of the best parameters.
type stopping struct {
	c       Config
	task    Task
	val     *datasets.Set
	params  []*models.Param // nil when the task has none to snapshot
	best    []*models.Param
	stopped bool
}

func newStopping(task Task, val *datasets.Set, c Config) *stopping {
	s := &stopping{c: c, task: task, val: val}
	if pt, ok := task.(ParamsTask); ok && c.EarlyStop != nil {
		s.params = pt.Params()
	}
	return s
}

func (s *stopping) active() bool { return s.c.EarlyStop != nil && s.val != nil }

func (s *stopping) dueMidEpoch(t int) bool {
	return s.active() && s.c.EarlyStop.Interval() > 0 && t%s.c.EarlyStop.Interval() == 0
}

func (s *stopping) dueEndOfEpoch() bool {
	return s.active() && s.c.EarlyStop.Interval() == 0
}

// evaluate scores the model after update t (using m when the epoch's
// validation has just been measured), tells the rule, and keeps a copy of
// the parameters on a new best.
func (s *stopping) evaluate(t int, m *infer.Metrics) error {
	if m == nil {
		got, err := s.task.Evaluate(s.val)
		if err != nil {
			return err
		}
		m = &got
	}
	score := m.Loss
	if m.HasError && s.c.StopMetric != "loss" {
		score = m.Error
	}
	improved, stop := s.c.EarlyStop.Observe(t, score)
	if improved && s.params != nil {
		if s.best == nil {
			s.best = make([]*models.Param, len(s.params))
			for i, p := range s.params {
				s.best[i] = p.Clone()
			}
		} else if err := models.CopyParams(s.best, s.params); err != nil {
			return fmt.Errorf("train: keep best parameters: %w", err)
		}
	}
	s.stopped = stop
	return nil
}

// resume takes over the best parameters of a checkpoint.
func (s *stopping) resume(best []*models.Param) error {
	if s.params == nil {
		return nil
	}
	if len(best) != len(s.params) {
		return fmt.Errorf("train: resume: %d best parameters saved, the model has %d", len(best), len(s.params))
	}
	s.best = make([]*models.Param, len(best))
	for i, p := range best {
		s.best[i] = p.Clone()
	}
	return nil
}

// restore puts the best parameters back, so the run ends with the best
// model.
func (s *stopping) restore() error {
	if s.best == nil {
		return nil
	}
	if err := models.CopyParams(s.params, s.best); err != nil {
		return fmt.Errorf("train: restore best parameters: %w", err)
	}
	return nil
}
