package pipeline

import (
	"fmt"
	"io"
	"os"

	"github.com/gorgonia-zoo/zoo/recipes"
)

// maxChanges is how many changed keys the refusal of an edited recipe
// names; the rest are counted.
const maxChanges = 4

// unchangedRecipe refuses r, the recipe in the run directory's file path,
// unless it says what started, the recipe the run started with (saved in
// its checkpoint), said: a resumed run continues with the optimizer,
// streams and model it checkpointed, so an edit would be ignored while
// recipe.yaml, the model's metadata and the summary claimed it. Both are
// compared as recipes, so comments and layout may change. A checkpoint
// written before the recipe was saved in it (started "") is not checked.
func unchangedRecipe(path string, r *recipes.Recipe, started string) error {
	if started == "" {
		return nil
	}
	// The run wrote recipe.yaml as started: untouched, it is the same.
	// (Parsed, a path relative in a recipe built in Go would resolve
	// against the run directory on one side, the working directory on the
	// other.)
	if text, err := readBounded(path, recipes.MaxRecipeBytes); err == nil && text == started {
		return nil
	}
	then, err := recipes.Parse("the checkpoint's recipe", []byte(started), recipes.Options{})
	if err != nil {
		return nil // not comparable; the checkpoint's own checks follow
	}
	changes, err := recipes.Changes(then, r)
	if err != nil || len(changes) == 0 {
		return err
	}
	what := " (" + recipes.DescribeChanges(changes, maxChanges) + ")"
	return fmt.Errorf("pipeline: %s was changed since the run started%s; a resumed run continues the recipe it started with: put it back, or train a new run", path, what)
}

// readBounded returns the file at path if it holds at most limit bytes.
func readBounded(path string, limit int64) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return "", err
	}
	if int64(len(b)) > limit {
		return "", fmt.Errorf("pipeline: %s is larger than %d bytes", path, limit)
	}
	return string(b), nil
}
