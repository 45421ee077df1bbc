// Package schedules implements the learning-rate schedules of a lecture on
// training deep networks: a rule giving the learning rate η_t of every update
// t (counted from 1 over the run), which the training loop sets on the
// optimizer before the update.
//
// Each schedule lives in its own file, whose doc comment gives its formula:
// constant, the lecture's time-constant decay η_t = η0·τ/max(t, τ), step
// decay, exponential decay and cosine annealing. Any of them can be preceded
// by a linear warm-up (Warmup). The schedules are found by name through New,
// as recipes and the CLI use them:
//
//	s, err := schedules.New(schedules.Config{
//		Name:   "cosine",
//		Params: map[string]float64{"min_lr": 1e-5},
//		Warmup: 500,
//		Total:  epochs * batchesPerEpoch,
//		LR:     opt.LearningRate(),
//	})
//
// A Schedule satisfies train.Schedule; the training loop calls Rate before
// every update. Schedules are values without mutable state: Rate depends only
// on t, so a schedule may be shared and a run resumed at any update.
//
// The lecture's other schedule, the brute-force adaptive heuristic
// (Adaptive, made by NewAdaptive rather than New), trains copies of the
// model to choose each rate. It knows no concrete model or training task:
// the task implements Searchable (train.Classifier does), and the
// heuristic's state, saved with State, goes into a run's checkpoint.
//
// The package has no global mutable state.
package schedules
