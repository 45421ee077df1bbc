package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gorgonia-zoo/zoo/experiments"
	"github.com/spf13/cobra"
)

type experimentOptions struct {
	name  string
	out   string
	quick bool
	seed  uint64
}

// newExperimentCmd returns `zoo experiment`, with `list` and one subcommand
// per registered experiment (see package experiments).
func newExperimentCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "experiment NAME",
		Short: "Run an experiment that reproduces a claim of the lecture",
		Long: `Run one of zoo's experiments: each reproduces a claim of the lecture and writes
its data (CSV, JSON), figures (PNG) and a report (report.md) to a directory.
zoo experiment list shows them.`,
		Example: `  zoo experiment list
  zoo experiment optimizer-paths --out /tmp/paths
  zoo experiment optimizer-paths --quick`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			msg := fmt.Sprintf("unknown experiment %q (known: %s; see zoo experiment list)", args[0], strings.Join(experiments.Names(), ", "))
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf("; did you mean %q?", s[0])
			}
			return fmt.Errorf("%s", msg)
		},
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the experiments",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			w := tabwriter.NewWriter(e.out, 0, 0, 2, ' ', 0)
			for _, x := range experiments.List() {
				fmt.Fprintf(w, "%s\t%s\n", x.Name, x.Description)
			}
			return w.Flush()
		},
	})
	for _, x := range experiments.List() {
		cmd.AddCommand(newRunExperimentCmd(e, x))
	}
	return cmd
}

// newRunExperimentCmd returns the subcommand that runs experiment x.
func newRunExperimentCmd(e *env, x experiments.Experiment) *cobra.Command {
	o := &experimentOptions{name: x.Name}
	cmd := &cobra.Command{
		Use:     x.Name,
		Short:   x.Description,
		Example: fmt.Sprintf("  zoo experiment %s --out /tmp/%s\n  zoo experiment %s --quick", x.Name, x.Name, x.Name),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExperiment(e, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "output directory (default zoo-runs/"+x.Name+"-<time>)")
	f.BoolVar(&o.quick, "quick", false, "run a reduced version in seconds, for checks")
	f.Uint64Var(&o.seed, "seed", 1, "random seed, for experiments that draw random numbers")
	return cmd
}

func runExperiment(e *env, o *experimentOptions) error {
	honourInterrupts(e.ctx) // the experiments stop between steps on Ctrl-C
	x, err := experiments.Lookup(o.name)
	if err != nil {
		return err
	}
	if o.out == "" {
		if o.out, err = defaultOut(x.Name, time.Now()); err != nil {
			return err
		}
	}
	if err := newOutDir(o.out); err != nil {
		return err
	}
	start := time.Now()
	if err := x.Run(e.ctx, experiments.Options{Out: o.out, Quick: o.quick, Seed: o.seed, Log: e.out}); err != nil {
		return err
	}
	fmt.Fprintf(e.out, "experiment %s done in %.1fs; see %s\n", x.Name, time.Since(start).Seconds(), o.out+"/report.md")
	return nil
}
