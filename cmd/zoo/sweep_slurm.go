package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/sweeps"
)

// slurmFlags are the flags that only a sweep --on slurm takes.
var slurmFlags = []string{"partition", "time", "mem", "cpus-per-task"}

// submitSweep submits what the sweep in o.out needs next as a Slurm job
// array and returns without waiting: every point not finished and not in
// the queue; under successive halving, the current rung's, or, once that
// rung has finished, the promoted points of the next. Running the command
// again after the array ends submits the next rung, or resubmits points
// that failed or were stopped at the time limit (they resume from their
// checkpoints).
func submitSweep(e *env, o *sweepOptions, spec *sweeps.Spec) error {
	zoo, err := os.Executable()
	if err != nil {
		return fmt.Errorf("--on slurm: the path of this zoo, which the tasks run: %w", err)
	}
	queued, err := sweeps.SlurmQueue(e.ctx, o.out)
	if err != nil {
		return err
	}
	for {
		rungs, err := sweeps.ReadRungs(o.out, spec)
		if err != nil {
			return err
		}
		points, rung := make([]int, len(spec.Points)), 0
		for i := range points {
			points[i] = i
		}
		if rungs != nil {
			points, rung = rungs.Current().Points, len(rungs.Rungs)-1
		}
		sts, err := sweeps.Statuses(o.out, spec)
		if err != nil {
			return err
		}
		var todo, busy []int
		for _, i := range points {
			if _, ok := queued[i]; ok {
				busy = append(busy, i)
				continue
			}
			switch sts[i].State {
			case sweeps.Done, sweeps.Diverged, sweeps.Paused, sweeps.Culled:
			case sweeps.Running:
				busy = append(busy, i)
			default:
				todo = append(todo, i)
			}
		}
		stage := ""
		if rungs != nil {
			stage = fmt.Sprintf(" of rung %d (%s)", rung, plural.Count(rungs.Current().Epochs, "epoch"))
		}
		if len(todo) > 0 {
			so := o.slurm
			so.Rung = rung
			id, err := sweeps.SubmitArray(e.ctx, o.out, todo, zoo, so)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.out, "submitted %s%s as Slurm job %s (%s)\n", plural.Count(len(todo), "point"), stage, id, pointList(todo))
			if len(busy) > 0 {
				fmt.Fprintf(e.out, "%s already queued or running\n", plural.Count(len(busy), "point"))
			}
			fmt.Fprintf(e.out, "follow it with: zoo sweep status %s\n", o.out)
			if rungs != nil {
				fmt.Fprintf(e.out, "when the array has finished, run this command again to promote the best points to the next rung\n")
			}
			return nil
		}
		if len(busy) > 0 {
			fmt.Fprintf(e.out, "%s%s queued or running (%s): nothing to submit; follow with: zoo sweep status %s\n", plural.Count(len(busy), "point"), stage, pointList(busy), o.out)
			return nil
		}
		if rungs != nil {
			_, final, err := sweeps.Promote(o.out, spec)
			if err != nil {
				return err
			}
			if !final {
				continue
			}
		}
		fmt.Fprintf(e.out, "every point has finished: zoo sweep report %s\n", o.out)
		return nil
	}
}

// pointList names points as the sweep directory does: "000, 002, 005".
func pointList(idx []int) string {
	names := make([]string, 0, min(len(idx), 8))
	for _, i := range idx[:min(len(idx), 8)] {
		names = append(names, sweeps.PointName(i))
	}
	s := strings.Join(names, ", ")
	if len(idx) > 8 {
		s += fmt.Sprintf(" and %d more", len(idx)-8)
	}
	return s
}

// checkPlacement refuses flags that do not fit where the sweep runs.
func checkPlacement(o *sweepOptions, changed func(string) bool) error {
	if o.on == "slurm" {
		if changed("jobs") {
			return fmt.Errorf("--jobs %d is for a sweep on this machine: on Slurm each point is its own task (give it cores with --cpus-per-task)", o.jobs)
		}
		if err := o.slurm.Validate(); err != nil {
			return err
		}
		return sweeps.SlurmAvailable()
	}
	if i := slices.IndexFunc(slurmFlags, changed); i >= 0 {
		return fmt.Errorf("--%s is for a sweep on Slurm: add --on slurm", slurmFlags[i])
	}
	return nil
}
