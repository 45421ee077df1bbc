// Package sweeps trains one recipe at many settings: a grid of values, a
// random search over ranges, and successive halving on top of either. It is
// `zoo sweep`'s engine; docs/sweeps.md is the user's guide.
//
// # A sweep directory
//
// A sweep is a directory DIR holding
//
//   - sweep.json (Spec): the recipe (a built-in name, or a file's absolute
//     path and the SHA-256 of its text), --quick, the --set values every
//     point shares, the grid axes, the random search (N, seed, ranges), the
//     halving settings, and the expanded points, each an index and the --set
//     overrides that make it. It is written once, when the sweep is created
//     (Open), and never changed: the same command run again finds the same
//     spec there and resumes; another spec is refused, naming what differs.
//   - points/NNN: one ordinary run directory per point (pipeline.Train's),
//     which every zoo command opens (eval, inspect, compare, …); points/
//     holds nothing else, so that DIR/points/* are all run directories.
//   - logs/NNN.log (a local worker's output) and logs/NNN.failed (why point
//     NNN's last attempt failed, while it has failed).
//   - rungs.json (Rungs), under successive halving: the rungs decided so far,
//     their budgets, scores and promotions.
//
// A point's state (Status) is read from its run directory alone — a lock
// held, a summary, a checkpoint, its metrics.csv — so whoever trained it (a
// local worker, a Slurm array task, a user's own `zoo train --resume`), the
// status and the report agree.
//
// # Points
//
// New checks a Plan (the command line) and expands it: the grid's
// combinations, the first axis varying slowest, each with every one of the
// random draws (N draws from the ranges, from the stream "sweep" of the seed,
// written to 4 significant digits, integer keys rounded). Every point's recipe
// is then read as `zoo train --set` reads it, so an unknown key or a bad value
// is refused, in --set's words, before anything is created.
//
// # Training a point
//
// RunPoint trains one point, idempotently: finished, or at its rung's budget,
// or diverged before: nothing; a checkpoint: resumed (pipeline.Resume);
// stopped before its first checkpoint: started again; else trained from the
// start. `zoo sweep point DIR I` runs it; the local workers (RunLocal) run
// that command as child processes, each with GOMAXPROCS and
// OPENBLAS_NUM_THREADS set to its share of the cores, and a Slurm array task
// runs the same command. Interrupting a worker (SIGINT, SIGTERM) checkpoints
// it, as any zoo run.
//
// # Successive halving
//
// Rung k trains its points to Halving.Budgets[k] epochs; the last budget is
// the recipe's epochs. A rung's runs stop through pipeline.Options.StopAfter,
// which leaves the checkpoint an interrupted run leaves: the recipe is not
// edited (its schedule still sees all its epochs), and a promoted point
// continues from there to exactly the weights an uninterrupted run has.
// Promote ranks a trained rung by the validation metric at its budget
// (validation error for classifiers, validation loss for autoencoders; ties
// to the lower index; diverged points last and never promoted), keeps the
// best 1/eta (at least one) and records the next rung in rungs.json. The
// others stay at their budget, culled. Run drives this locally: a rung, then
// Promote, until the last rung is trained.
package sweeps
