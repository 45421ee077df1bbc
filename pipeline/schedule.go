package pipeline

import (
	"fmt"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/schedules"
)

// schedule sets l's learning-rate schedule from the recipe, if it has one:
// η0 is the task's current rate, and cosine anneals over the epochs × the
// batches per epoch. The adaptive heuristic draws its random choices from
// the stream "adaptive" of the seed, which joins the session's streams, and
// its state joins the checkpoint.
func (j *job) schedule(l *loop) error {
	sp := j.sp
	switch {
	case sp.Schedule != nil:
		c := *sp.Schedule
		c.LR = l.task.LearningRate()
		c.Total = sp.Epochs * (j.data.Train.Len() / l.task.BatchSize())
		s, err := schedules.New(c)
		if err != nil {
			return fmt.Errorf("recipe %s: schedule: %w", sp.Name, err)
		}
		l.sched = s
	case sp.Adaptive != nil:
		cl, ok := l.task.(schedules.Searchable)
		if !ok {
			return fmt.Errorf("recipe %s: the adaptive schedule trains classifiers only (model.type %s)", sp.Name, sp.Model.Family)
		}
		src := rng.Source(sp.Seed, "adaptive")
		a, err := schedules.NewAdaptive(cl, j.data.Train, *sp.Adaptive, rand.New(src))
		if err != nil {
			return fmt.Errorf("recipe %s: %w", sp.Name, err)
		}
		l.sched, l.adaptive = a, a
		l.streams["adaptive"] = src
		l.sess.adaptive = a
	}
	return nil
}
