// Package pipeline turns a recipe into a trained run: it loads the data the
// recipe names, builds the model of its family, trains it with the recipe's
// loss, regularizers, optimizer and schedule in the train package's loop,
// checkpoints every epoch, and writes the run directory (package runs).
//
// The steps, the same for every model family:
//
//	recipe ─ recipes.Spec ─▶ data (datasets.Lookup) ─▶ model (the family)
//	       ─▶ task + optimizer + schedule + early stopping ─▶ train.Run
//	       ─▶ checkpoints, metrics.csv ─▶ test evaluation ─▶ summary.json, weights
//
// A family is one file: mlp (a classifier), autoencoder (plain, sparse or
// denoising) and sdae (greedy pretraining, then fine-tuning as an mlp).
// Input sizes and numbers of classes come from the data, never from the
// family.
//
// Every random choice flows from the recipe's seed through named streams
// (rng.Source(seed, "init"), "shuffle", "dropout", …), whose states the
// checkpoint keeps, so a run resumed after any interruption ends with the
// same bytes as one that never stopped.
//
// The shortest use trains a built-in recipe:
//
//	r, err := recipes.Builtin("mlp-mnist", recipes.Options{Quick: true})
//	...
//	s, err := pipeline.Train(ctx, r, pipeline.Options{Out: "zoo-runs/first"})
//	fmt.Println(s.TestError)
package pipeline
