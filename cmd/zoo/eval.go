package main

import (
	"fmt"

	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/spf13/cobra"
)

func newEvalCmd(e *env) *cobra.Command {
	var asJSON bool
	var data string
	cmd := &cobra.Command{
		Use:     "eval DIR",
		Short:   "Evaluate a trained run on its test set",
		Example: "  zoo eval runs/mlp-mnist-20261127-141500 --json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			honourInterrupts(e.ctx) // a download stops on Ctrl-C
			ev, err := pipeline.Evaluate(e.ctx, args[0], pipeline.DataOptions{Dir: data, Progress: e.errOut})
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(e, ev)
			}
			if !ev.Test.HasError { // an autoencoder
				fmt.Fprintf(e.out, "%s (%s): test reconstruction loss %.4f  on %d examples\n", ev.Dir, ev.Recipe, ev.Test.Loss, ev.Test.N)
				return nil
			}
			fmt.Fprintf(e.out, "%s (%s): test error %.2f%%  test loss %.4f  on %d examples\n",
				ev.Dir, ev.Recipe, 100*ev.Test.Error, ev.Test.Loss, ev.Test.N)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	cmd.Flags().StringVar(&data, "data", "", "read the run's data from this directory instead of where the run recorded it (the same files: they are checked)")
	return cmd
}
