package main

import (
	"fmt"

	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/shipped"
	"github.com/spf13/cobra"
)

func newEvalCmd(e *env) *cobra.Command {
	var asJSON bool
	var data, split string
	var limit int
	cmd := &cobra.Command{
		Use:   "eval DIR|zoo:NAME",
		Short: "Evaluate a trained run on its test set (or another split)",
		Long: `Evaluate a trained run on a split of the data it was trained on.

By default eval measures the examples the run was scored on: the test split
as the run's recipe limits it (data.test; a --quick run keeps the first
1000 of MNIST's 10000). --limit 0 measures the whole split, --limit N its
first N examples; --split measures the validation or training split instead
(limited, by default, as the recipe limits it: data.validation, data.train).
The line printed says which split and how many of its examples.

zoo:NAME evaluates the trained model zoo ships of recipe NAME (zoo list marks
them); ZOO_BLAS=go zoo eval zoo:NAME gives the figures its model card records.`,
		Example: "  zoo eval zoo-runs/mlp-mnist-20261127-141500 --json\n" +
			"  zoo eval zoo:sdae-mnist                                  # a model zoo ships trained\n" +
			"  zoo eval zoo-runs/mlp-mnist-20261127-141500 --limit 0     # the whole test split\n" +
			"  zoo eval zoo-runs/mlp-mnist-20261127-141500 --split validation",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o := pipeline.EvalOptions{DataOptions: pipeline.DataOptions{Dir: data, Progress: e.errOut}}
			s, err := parseSplitFlag(split)
			if err != nil {
				return err
			}
			o.Split = s
			if cmd.Flags().Changed("limit") {
				switch {
				case limit < 0:
					return fmt.Errorf("--limit %d: want a number of examples, or 0 for the whole split", limit)
				case limit == 0:
					o.Limit = pipeline.AllExamples
				default:
					o.Limit = limit
				}
			}
			honourInterrupts(e.ctx) // a download stops on Ctrl-C
			dir, err := shipped.Resolve(args[0])
			if err != nil {
				return err
			}
			ev, err := pipeline.EvaluateSplit(e.ctx, dir, o)
			if err != nil {
				return err
			}
			ev.Dir = args[0]
			if asJSON {
				return printJSON(e, ev)
			}
			on := measured(ev)
			if ev.Family == recipes.FamilyVAE {
				fmt.Fprintf(e.out, "%s (%s): %s negative ELBO %.2f nats per example  %s\n", ev.Dir, ev.Recipe, ev.Split, ev.Metrics.Loss, on)
				return nil
			}
			if !ev.Metrics.HasError { // an autoencoder
				fmt.Fprintf(e.out, "%s (%s): %s reconstruction loss %.4f  %s\n", ev.Dir, ev.Recipe, ev.Split, ev.Metrics.Loss, on)
				return nil
			}
			fmt.Fprintf(e.out, "%s (%s): %s error %.2f%%  %s loss %.4f  %s\n",
				ev.Dir, ev.Recipe, ev.Split, 100*ev.Metrics.Error, ev.Split, ev.Metrics.Loss, on)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	cmd.Flags().StringVar(&data, "data", "", "read the run's data from this directory instead of where the run recorded it (the same files: they are checked)")
	cmd.Flags().StringVar(&split, "split", "test", "the data split to measure: train, validation or test")
	cmd.Flags().IntVar(&limit, "limit", 0, "measure the first N examples of the split; 0 for all (default: as the run's recipe limits it, the examples the run was scored on)")
	return cmd
}

// measured says how many examples of which split ev measured: "on all
// 10000 test examples" or "on the first 1000 of 10000 test examples".
func measured(ev *pipeline.Evaluation) string {
	if ev.Metrics.N == ev.SplitSize {
		return fmt.Sprintf("on all %d %s examples", ev.SplitSize, ev.Split)
	}
	return fmt.Sprintf("on the first %d of %d %s examples", ev.Metrics.N, ev.SplitSize, ev.Split)
}

// parseSplitFlag reads --split, as eval and encode take it.
func parseSplitFlag(name string) (pipeline.Split, error) {
	s, err := pipeline.ParseSplit(name)
	if err != nil {
		return "", fmt.Errorf("--split %q: want train, validation or test", name)
	}
	return s, nil
}
