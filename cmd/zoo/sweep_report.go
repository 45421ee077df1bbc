package main

import (
	"fmt"

	"github.com/gorgonia-zoo/zoo/sweeps"
	"github.com/spf13/cobra"
)

// newSweepReportCmd is `zoo sweep report DIR`: the sweep's results.
func newSweepReportCmd(e *env) *cobra.Command {
	var asJSON, asCSV bool
	var fig string
	cmd := &cobra.Command{
		Use:   "report DIR [--json | --csv] [--out FIGURE.png]",
		Short: "A sweep's results: a table of its points, the best one and its recipe, a figure",
		Long: `Print the results of the sweep in DIR: a Markdown table of its points (their
swept values, state, epochs, validation and test error — or loss for
autoencoders — and seconds), the best point by validation metric with its
recipe, and the rungs of successive halving. --json and --csv print the same in
those forms (see docs/sweeps.md for their fields); errors are fractions there,
as in summary.json. --out draws the validation metric against each swept key
(log axis for log ranges and values spanning two decades) into a PNG file.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON && asCSV {
				return fmt.Errorf("--json and --csv: choose one")
			}
			if fig != "" {
				if err := newOutFile(fig); err != nil {
					return err
				}
			}
			rep, err := sweeps.NewReport(args[0])
			if err != nil {
				return err
			}
			if fig != "" {
				if err := rep.WriteFigure(fig); err != nil {
					return err
				}
			}
			switch {
			case asJSON:
				return rep.WriteJSON(e.out)
			case asCSV:
				return rep.WriteCSV(e.out)
			}
			return rep.WriteMarkdown(e.out)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().BoolVar(&asCSV, "csv", false, "print the table as CSV")
	cmd.Flags().StringVar(&fig, "out", "", "also draw the metric against each swept key into this .png file")
	return cmd
}
