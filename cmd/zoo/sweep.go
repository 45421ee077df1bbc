package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/sweeps"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// sweepDeps are what the sweep commands take from outside: tests run the
// workers as a child of the test binary.
type sweepDeps struct {
	// worker is the program and leading arguments that run `sweep point`
	// (nil: zoo's own executable).
	worker []string
	// schedulerStates, when set, adds each point's state in the cluster's
	// queue (by point index) to zoo sweep status: the Slurm backend's
	// squeue reading.
	schedulerStates func(ctx context.Context, dir string) (map[int]string, error)
}

type sweepOptions struct {
	plan sweeps.Plan
	// budgets is --budgets as given, "1,3,9".
	budgets string
	out     string
	jobs    int
	on      string
	slurm   sweeps.SlurmOptions
	// changed reports whether a flag was given.
	changed func(name string) bool
}

func newSweepCmd(e *env, deps *sweepDeps) *cobra.Command {
	if deps == nil {
		deps = &sweepDeps{}
	}
	o := &sweepOptions{}
	cmd := &cobra.Command{
		Use:   "sweep RECIPE --out DIR (--grid KEY=V1,V2,… | --random N --range KEY=log:MIN:MAX)…",
		Short: "Train a recipe at many settings: a grid, a random search, successive halving",
		Long: `Train the recipe (a built-in name or a YAML file) at every point of a sweep:
every combination of the --grid values, each with every one of --random N
points drawn from the --range specs. Any key --set accepts can be swept.

DIR holds sweep.json (the spec) and one ordinary run directory per point,
DIR/points/000, 001, …, which every zoo command opens. The points run --jobs at
once on this machine, each with its share of the cores (GOMAXPROCS and
OPENBLAS_NUM_THREADS), its output in DIR/logs/NNN.log. Ctrl-C stops them with
a checkpoint; repeating the command resumes the sweep: finished points are
kept, interrupted ones resumed.

--halving trains by successive halving: every point to the first budget (in
epochs), then only the best 1/eta (by validation error, or loss for
autoencoders) continue from their checkpoints to the next, and so on up to the
recipe's epochs (see docs/sweeps.md). Everything is checked, every point's
recipe included, before anything trains.`,
		Example: `  zoo sweep mlp-mnist --quick --grid optimizer.lr=0.01,0.03,0.1,0.3 --jobs 2 --out sweeps/lr
  zoo sweep mlp-mnist --grid optimizer.lr=0.01,0.1 --grid batch_size=64,128 --out sweeps/grid
  zoo sweep mlp-mnist --random 20 --range optimizer.lr=log:1e-4:1 --seed 3 --out sweeps/random
  zoo sweep mlp-mnist --random 27 --range optimizer.lr=log:1e-3:1 --halving --eta 3 --out sweeps/sh
  zoo sweep status sweeps/lr
  zoo sweep report sweeps/lr --out sweeps/lr/lr.png`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("want one recipe (a built-in name, see zoo list, or a YAML file), got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.plan.Recipe = args[0]
			if cmd.Flags().Changed("seed") && o.plan.Random == 0 {
				return fmt.Errorf("--seed %d seeds the --random draws, and there are none (a run's own seed is swept with --grid seed=1,2,3)", o.plan.Seed)
			}
			o.changed = cmd.Flags().Changed
			return runSweep(e, deps, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "the sweep directory (repeat the command with it to resume)")
	f.BoolVar(&o.plan.Quick, "quick", false, "train every point on the recipe's quick profile")
	f.StringArrayVar(&o.plan.Set, "set", nil, "override a recipe key for every point, e.g. --set epochs=5 (repeatable)")
	f.StringArrayVar(&o.plan.Grid, "grid", nil, "sweep a key over values, e.g. --grid optimizer.lr=0.01,0.03,0.1 (repeatable: every combination)")
	f.StringArrayVar(&o.plan.Ranges, "range", nil, "draw a key for --random, e.g. --range optimizer.lr=log:1e-4:1 (lin:MIN:MAX or log:MIN:MAX; repeatable)")
	f.IntVar(&o.plan.Random, "random", 0, "draw this many points from the --range specs")
	f.Uint64Var(&o.plan.Seed, "seed", 1, "the seed of the --random draws (the runs' own seed is the recipe's: sweep it with --grid seed=1,2,3)")
	f.IntVar(&o.jobs, "jobs", 1, "points trained at once on this machine, sharing its cores")
	f.BoolVar(&o.plan.Halving, "halving", false, "successive halving: train all points on a small budget, continue the best 1/eta on larger ones")
	f.IntVar(&o.plan.Eta, "eta", 0, "with --halving: keep the best 1/eta of the points at each rung (default 3)")
	f.StringVar(&o.budgets, "budgets", "", "with --halving: the epochs of the rungs before the last, e.g. 1,3 (default 1, eta, eta², … below the recipe's epochs)")
	f.BoolVar(&o.plan.Yes, "yes", false, fmt.Sprintf("train a sweep of more than %d points", sweeps.DefaultLimit))
	f.StringVar(&o.on, "on", "local", "where the points train: local (this machine) or slurm (a Slurm job array)")
	f.StringVar(&o.slurm.Partition, "partition", "", "with --on slurm: the partition (default: the cluster's)")
	f.StringVar(&o.slurm.Time, "time", "", "with --on slurm: each task's time limit, e.g. 30 (minutes) or 2:00:00")
	f.StringVar(&o.slurm.Mem, "mem", "", "with --on slurm: each task's memory, e.g. 4G")
	f.IntVar(&o.slurm.CPUsPerTask, "cpus-per-task", 1, "with --on slurm: each task's cores (its GOMAXPROCS)")
	cmd.AddCommand(newSweepPointCmd(e), computesNothing(newSweepStatusCmd(e, deps)), computesNothing(newSweepReportCmd(e)))
	return cmd
}

func runSweep(e *env, deps *sweepDeps, o *sweepOptions) error {
	if o.changed == nil {
		o.changed = func(string) bool { return false }
	}
	if o.out == "" {
		return fmt.Errorf("--out DIR is required: the sweep directory (repeat the command with the same --out to resume the sweep)")
	}
	if o.jobs < 1 {
		return fmt.Errorf("--jobs %d: want 1 or more points at once", o.jobs)
	}
	if o.changed("eta") && o.plan.Eta < 2 {
		// 0 is the flag's unset value (eta 3): given, it is an eta of 0.
		return fmt.Errorf("--eta %d: want 2 or more (the best 1/eta of the points continue at each rung)", o.plan.Eta)
	}
	if o.budgets != "" {
		for _, b := range strings.Split(o.budgets, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(b))
			if err != nil {
				return fmt.Errorf("--budgets %s: want epochs as whole numbers separated by commas, e.g. 1,3,9", o.budgets)
			}
			o.plan.Budgets = append(o.plan.Budgets, n)
		}
	}
	if o.on != "local" && o.on != "slurm" {
		return fmt.Errorf("--on %q: want local or slurm", o.on)
	}
	if err := checkPlacement(o, o.changed); err != nil {
		return err
	}
	spec, err := sweeps.New(o.plan, time.Now())
	if err != nil {
		return err
	}
	spec, created, err := sweeps.Open(o.out, spec)
	if err != nil {
		return err
	}
	if o.on == "slurm" {
		return submitSweep(e, o, spec)
	}
	verb := "resuming the sweep"
	if created {
		verb = "sweep"
	}
	fmt.Fprintf(e.errOut, "%s of %s in %s\n", verb, plural.Count(len(spec.Points), "point"), o.out)
	honourInterrupts(e.ctx)
	err = sweeps.Run(e.ctx, o.out, spec, sweeps.LocalOptions{Jobs: o.jobs, Command: deps.worker, Progress: e.errOut, TTY: isTerminal(e.errOut)})
	if err != nil {
		return err
	}
	rep, err := sweeps.NewReport(o.out)
	if err != nil {
		return err
	}
	if rep.Best == nil {
		fmt.Fprintf(e.out, "no point finished; zoo sweep status %s shows why\n", o.out)
		return nil
	}
	best := rep.Points[*rep.Best]
	var set []string
	for _, k := range rep.Keys {
		set = append(set, k+"="+best.Values[k])
	}
	what := fmt.Sprintf("val error %.2f%%", 100**best.Val)
	if rep.Metric != "val_error" {
		what = fmt.Sprintf("val loss %.4f", *best.Val)
	}
	fmt.Fprintf(e.out, "best point %s (%s): %s\nthe table: zoo sweep report %s\n", sweeps.PointName(best.Point), strings.Join(set, " "), what, o.out)
	return nil
}

// isTerminal reports whether w is a terminal (the progress line is then
// redrawn in place).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
