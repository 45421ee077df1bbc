package main

import (
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/spf13/cobra"
)

func newShowCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "show NAME",
		Short:   "Print a built-in recipe's YAML",
		Example: "  zoo show mlp-mnist > my-recipe.yaml   # a starting point for your own",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := recipes.Source(args[0])
			if err != nil {
				return err
			}
			_, err = e.out.Write(data)
			return err
		},
	}
}
