package main

import (
	"fmt"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/gorgonia-zoo/zoo/sweeps"
	"github.com/spf13/cobra"
)

// newSweepStatusCmd is `zoo sweep status DIR`: each point's state.
func newSweepStatusCmd(e *env, deps *sweepDeps) *cobra.Command {
	return &cobra.Command{
		Use:   "status DIR",
		Short: "Show each point of a sweep: pending, running, interrupted, done, failed",
		Long: `Show each point of the sweep in DIR: its swept values, its state (pending,
running, interrupted, paused at its successive-halving rung, done, failed,
diverged), its finished epochs and its validation metric so far, as its run
directory says.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			s, err := sweeps.ReadSpec(dir)
			if err != nil {
				return err
			}
			sts, err := sweeps.Statuses(dir, s)
			if err != nil {
				return err
			}
			var queue map[int]string
			if deps.schedulerStates != nil {
				// The run directories say the rest: a queue that cannot
				// be read (squeue missing here) costs only its column.
				if queue, err = deps.schedulerStates(e.ctx, dir); err != nil {
					fmt.Fprintf(e.errOut, "zoo: the Slurm queue is not shown: %v\n", err)
					queue = nil
				}
			}
			keys := s.Keys()
			tw := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', 0)
			head := append(append([]string{"POINT"}, keys...), "STATE", "EPOCHS", "METRIC")
			if queue != nil {
				head = append(head, "QUEUE")
			}
			fmt.Fprintln(tw, strings.Join(head, "\t"))
			counts := map[sweeps.State]int{}
			var errs []string
			for _, st := range sts {
				counts[st.State]++
				cells := []string{sweeps.PointName(st.Point.Index)}
				for _, k := range keys {
					v, _ := st.Point.Value(k)
					cells = append(cells, v)
				}
				metric := "–"
				switch {
				case math.IsNaN(st.Metric):
				case st.Classifier:
					metric = fmt.Sprintf("val error %.2f%%", 100*st.Metric)
				default:
					metric = fmt.Sprintf("val loss %.4f", st.Metric)
				}
				if st.Error != "" {
					// One line per point: a joined error's parts are
					// joined with "; ", as zoo's own messages are.
					errs = append(errs, fmt.Sprintf("%s: %s", sweeps.PointName(st.Point.Index), strings.ReplaceAll(st.Error, "\n", "; ")))
				}
				cells = append(cells, string(st.State), fmt.Sprint(st.Epochs), metric)
				if queue != nil {
					q := queue[st.Point.Index]
					if q == "" {
						q = "–"
					}
					cells = append(cells, q)
				}
				fmt.Fprintln(tw, strings.Join(cells, "\t"))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			var parts []string
			for _, st := range []sweeps.State{sweeps.Done, sweeps.Running, sweeps.Paused, sweeps.Culled, sweeps.Interrupted, sweeps.Pending, sweeps.Failed, sweeps.Diverged} {
				if counts[st] > 0 {
					parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
				}
			}
			fmt.Fprintf(e.out, "%d points: %s\n", len(sts), strings.Join(parts, ", "))
			for _, line := range errs {
				fmt.Fprintln(e.out, line)
			}
			return nil
		},
	}
}
