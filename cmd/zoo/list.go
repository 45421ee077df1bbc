package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/spf13/cobra"
)

func newListCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the built-in recipes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			list, err := recipes.List()
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(e.out, 0, 0, 2, ' ', 0)
			for _, r := range list {
				fmt.Fprintf(w, "%s\t%s\n", r.Name, r.Description)
			}
			return w.Flush()
		},
	}
}
