package runs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/recipes"
)

// TestLoadRefusesEditedRecipe: a finished run whose recipe.yaml was edited
// after training is refused, naming the keys, rather than reported as
// trained with the edit; a comment or a new layout is no edit.
func TestLoadRefusesEditedRecipe(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(string) string
		want string // "" for none
	}{
		{"a comment", func(s string) string { return "# mine\n" + s }, ""},
		{"the optimizer", func(s string) string { return strings.Replace(s, "name: sgd", "name: adam", 1) }, "recipe.yaml was changed since the run was trained (optimizer.name sgd → adam); the model was trained with the recipe kept in its model.safetensors: put recipe.yaml back as it was"},
		{"two keys", func(s string) string {
			return strings.Replace(strings.Replace(s, "batch_size: 1", "batch_size: 7", 1), "epochs: 1", "epochs: 9", 1)
		}, "(batch_size 1 → 7, epochs 1 → 9)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			if err := WriteRun(dir, mlp(t, 1, 5), RunInfo{Data: recipes.Data{Name: "mnist"}, Shape: []int{6}}); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, RecipeFile)
			text, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			edited := c.edit(string(text))
			if edited == string(text) {
				t.Fatalf("the edit changed nothing in\n%s", text)
			}
			if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := Load(dir)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("Load: %v", err)
			case c.want == "":
				m.Close()
			case err == nil || !strings.Contains(err.Error(), c.want):
				t.Fatalf("Load: %v, want an error with %q", err, c.want)
			}
		})
	}
}
