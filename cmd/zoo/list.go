package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/shipped"
	"github.com/spf13/cobra"
)

func newListCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the built-in recipes",
		Long: `List the built-in recipes: their names, which zoo train and zoo show take, and
what each trains. A recipe whose trained model ships with zoo has zoo:NAME
beside its name: zoo eval, predict, encode, inspect and the other commands
that read a run directory take it, as zoo train --init does, with no
training first.

With --json, print an array of objects with the fields name, description
and, for those, trained (docs/json.md).`,
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
				trained := ""
				if shipped.Has(r.Name) {
					trained = shipped.Prefix + r.Name
				}
				fmt.Fprintf(w, "%s\t%s\t%s\n", r.Name, trained, r.Description)
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the recipes as JSON")
	return cmd
}
