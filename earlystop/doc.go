// Package earlystop decides when training should stop, from the validation
// scores a training loop reports: the lecture's patience rule (docs/lecture.md §4,
// after Bengio's deeplearning.net tutorials; Prechelt, "Early Stopping — But
// When?", 1998) as Patience, and the "stop after N evaluations without
// improvement" rule other frameworks offer (Keras's EarlyStopping) as
// NoImprovement. Both are pure logic behind the Stopper interface: no
// graphs, no clocks, no I/O, so a scripted sequence of scores tests them
// exactly.
//
// Scores are lower-is-better (a validation loss or error rate). Steps t are
// counted in updates from 1 over the run, as the training loop counts them.
//
// # How a training loop uses a Stopper
//
//	s := &earlystop.Patience{Every: 500, Patience: 5000, Increase: 2, Mode: earlystop.Mul, Threshold: 0.005}
//	if err := s.Validate(); err != nil { … }
//	for each update t = 1, 2, …:
//		task.Step(batch)
//		if !earlystop.Due(s, t, endOfEpoch) { continue }
//		score := task.Evaluate(val).Error // or .Loss
//		improved, stop := s.Observe(t, score)
//		if improved { best = snapshot of the parameters (models.Param values) }
//		if stop { break }
//	restore the parameters from best (if any), then evaluate on test
//	summary: s.Best() (step; the loop maps it to its epoch) and s.Reason()
//
// Restoring the best parameters at the end is what makes the reported test
// error the best model's, not the last one's. A checkpoint stores State()
// and the best parameters' snapshot beside the parameters, optimizer and
// generators (without the snapshot a resumed run could not restore the best
// model), and a resumed run calls SetState before its first Observe.
package earlystop
