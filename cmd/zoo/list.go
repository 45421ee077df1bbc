package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/spf13/cobra"
)

func newListCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the built-in recipes",
		Long: `List the built-in recipes: their names, which zoo train and zoo show take, and
what each trains.

With --json, print an array of objects with the fields name and description
(docs/json.md).`,
		Example: "  zoo list\n  zoo list --json | jq -r '.[].name'",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			list, err := recipes.List()
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(e, listJSON(list))
			}
			w := tabwriter.NewWriter(e.out, 0, 0, 2, ' ', 0)
			for _, r := range list {
				fmt.Fprintf(w, "%s\t%s\n", r.Name, r.Description)
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the recipes as JSON")
	return cmd
}
