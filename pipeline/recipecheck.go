package pipeline

import (
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
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
	a, err := then.Marshal()
	if err != nil {
		return err
	}
	b, err := r.Marshal()
	if err != nil {
		return err
	}
	if string(a) == string(b) {
		return nil
	}
	// Both are recipes as zoo writes them, small and checked: safe to
	// decode as plain YAML to find the keys that differ.
	var av, bv any
	if err := yaml.Unmarshal(a, &av); err != nil {
		return err
	}
	if err := yaml.Unmarshal(b, &bv); err != nil {
		return err
	}
	var changes []string
	diffValues("", av, bv, &changes)
	what := strings.Join(changes, ", ")
	if len(changes) > maxChanges {
		what = fmt.Sprintf("%s and %d more", strings.Join(changes[:maxChanges], ", "), len(changes)-maxChanges)
	}
	if what != "" {
		what = " (" + what + ")"
	}
	return fmt.Errorf("pipeline: %s was changed since the run started%s; a resumed run continues the recipe it started with: put it back, or train a new run", path, what)
}

// diffValues appends to out "key old → new" for every leaf of the decoded
// YAML values a and b that differs, keys joined with dots.
func diffValues(key string, a, b any, out *[]string) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	// A section added or removed is named by its keys.
	if aok && b == nil || a == nil && bok {
		aok, bok = true, true
	}
	if aok && bok {
		for _, k := range sortedRoles(union(am, bm)) {
			diffValues(join(key, k), am[k], bm[k], out)
		}
		return
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok && len(al) == len(bl) {
		for i := range al {
			diffValues(join(key, strconv.Itoa(i)), al[i], bl[i], out)
		}
		return
	}
	if reflect.DeepEqual(a, b) {
		return
	}
	*out = append(*out, fmt.Sprintf("%s %s → %s", key, show(a), show(b)))
}

// union is the keys of a and b.
func union(a, b map[string]any) map[string]any {
	u := make(map[string]any, len(a)+len(b))
	for k := range a {
		u[k] = nil
	}
	for k := range b {
		u[k] = nil
	}
	return u
}

func join(key, k string) string {
	if key == "" {
		return k
	}
	return key + "." + k
}

// show writes a decoded YAML value on one line.
func show(v any) string {
	if v == nil {
		return "(none)"
	}
	switch v.(type) {
	case map[string]any, []any:
		b, err := yaml.MarshalWithOptions(v, yaml.Flow(true))
		if err == nil {
			return strings.TrimSpace(string(b))
		}
	}
	return fmt.Sprint(v)
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
