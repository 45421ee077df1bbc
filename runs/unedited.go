package runs

import (
	"fmt"
	"path/filepath"

	"github.com/gorgonia-zoo/zoo/recipes"
)

// unedited refuses the finished run in dir when its recipe.yaml, r, no
// longer says what the model was trained with: trained, the recipe the
// run wrote into its model.safetensors. Otherwise inspect, eval and the
// rest would report an edited optimizer, schedule or data limit as the
// run's. Both are compared as recipes, so comments and layout may change;
// a model file without the recipe (trained "") is not checked.
func unedited(dir string, r *recipes.Recipe, trained string) error {
	if trained == "" {
		return nil
	}
	then, err := recipes.Parse(filepath.Join(dir, WeightsFile)+" (zoo.recipe)", []byte(trained), recipes.Options{})
	if err != nil {
		return nil // not comparable: the weights' own checks have passed
	}
	changes, err := recipes.Changes(then, r)
	if err != nil || len(changes) == 0 {
		return err
	}
	return fmt.Errorf("runs: %s was changed since the run was trained (%s); the model was trained with the recipe kept in its %s: put recipe.yaml back as it was",
		filepath.Join(dir, RecipeFile), recipes.DescribeChanges(changes, 4), WeightsFile)
}
