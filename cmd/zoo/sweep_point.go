package main

import (
	"fmt"
	"strconv"

	"github.com/gorgonia-zoo/zoo/cblas"
	"github.com/gorgonia-zoo/zoo/sweeps"
	"github.com/spf13/cobra"
)

// newSweepPointCmd is `zoo sweep point DIR INDEX`, which trains one point
// of a sweep (see sweeps.RunPoint): what the local workers and the Slurm
// array tasks run. It is hidden: users run the sweep.
func newSweepPointCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:    "point DIR INDEX",
		Short:  "Train one point of a sweep (what the sweep's workers run)",
		Hidden: true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return fmt.Errorf("want a sweep directory and a point's index, got %d arguments", len(args))
			}
			if _, err := strconv.Atoi(args[1]); err != nil {
				return fmt.Errorf("point %q: want a point's index, a number", args[1])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			i, _ := strconv.Atoi(args[1])
			// The loop saves a checkpoint and stops on SIGINT or SIGTERM.
			honourInterrupts(e.ctx)
			msg, err := sweeps.RunPoint(e.ctx, args[0], i, sweeps.PointOptions{Log: e.out, Interactive: e.tty, BLAS: cblas.Current().String()})
			if err != nil {
				return err
			}
			fmt.Fprintln(e.out, msg)
			return nil
		},
	}
}
