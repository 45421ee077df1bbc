// Package train runs the training loop: epochs of shuffled mini-batches, one
// optimizer update per batch, validation after every epoch, and a record per
// epoch.
//
//	records, err := train.Run(ctx, task, data.Train, data.Validation, train.Config{
//		Epochs: 10, Shuffle: rand.New(rand.NewPCG(1, 2)),
//		Hooks:  []train.Hook{train.NewProgress(os.Stderr, false, 50)},
//	})
//
// Everything else that happens during a run hears about it through hooks
// (Config.Hooks), called in order at the start of every epoch, after every
// update, at the end of every epoch, at checkpoints and when the run stops:
// the progress report (NewProgress), saving checkpoints (a CheckpointHook),
// an experiment's measurements. A hook's error stops the run: Run returns
// it wrapped with where it happened (errors.Is finds it). The learning-rate
// schedule is not a hook: the loop asks it for the rate before each update
// (Config.Schedule).
//
// What is trained is a Task: it owns its compiled Gorgonia graphs (built once
// per run, never per batch) and knows how to take one update and how to
// evaluate a data set. The loop knows nothing of graphs, so the same loop
// trains classifiers, autoencoders and each stage of greedy pretraining.
//
// Data are checked where they meet the model, before anything trains: Run
// asks the task whether each set fits it (SetChecker; infer.CheckSet), so
// a set of the wrong width, labels outside the model's classes, an
// inconsistent set, early stopping without a validation set or with
// invalid settings are errors that say what is wrong (an *infer.DataError
// for the sets), never a panic or a run on shifted rows.
//
// A task's objective can be extended from Go: a Penalty is handed the
// training graph with its Input, Target, Logits and PerExample nodes
// (Graph), and a classifier's loss can be a function building on the
// graph (ClassifierConfig.LossFunc) instead of a name.
//
// Work that does not depend on the step in progress is done beside it: while
// a batch trains, the loop gathers the next batch, and a denoising
// autoencoder draws the next batch's masking noise, in the time the cores'
// workers would otherwise wait between parallel sections (par.Idle). Each is
// used only if it is exactly what the step would have computed itself (the
// same rows; noise drawn from the generator's present state), so results,
// checkpoints and resumed runs never depend on whether it was ready.
package train
