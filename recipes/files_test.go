package recipes

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// csvRecipe is a recipe training on the user's CSV files; its data line is
// line 3.
const csvRecipe = `name: c
seed: 1
data: {name: csv, files: {train: a.csv, test: sub/b.csv}, label: species, validation_split: 0.2}
model: {type: mlp, layers: [{units: 8, activation: relu}]}
loss: cross-entropy
optimizer: {name: sgd, lr: 0.1}
batch_size: 10
epochs: 1
`

func TestDataFileErrors(t *testing.T) {
	data := func(d string) string {
		return strings.Replace(csvRecipe, "data: {name: csv, files: {train: a.csv, test: sub/b.csv}, label: species, validation_split: 0.2}", "data: "+d, 1)
	}
	for _, tt := range []struct {
		name, recipe string
		set          []string
		want         string
	}{
		{"mnist refuses files", data("{name: mnist, files: {train: a.csv}}"), nil,
			"recipe t.yaml, line 3: data.files.train: mnist has its own files and split; data.files is for the data sets read from your files (csv, idx, npy)"},
		{"mnist refuses a label", data("{name: mnist, label: y}"), nil,
			"recipe t.yaml, line 3: data.label: mnist has its own files and split; data.label is for the data sets read from your files (csv, idx, npy)"},
		{"mnist refuses a validation split", data("{name: mnist, validation_split: 0.1}"), nil,
			"recipe t.yaml, line 3: data.validation_split: mnist has its own files and split; data.validation_split is for the data sets read from your files (csv, idx, npy)"},
		{"unknown role", data("{name: csv, files: {train: a.csv, test: b.csv, tset: c.csv}, label: y}"), nil,
			`recipe t.yaml, line 3: data.files.tset: csv has no file "tset"; want train, test, validation (did you mean "test"?)`},
		{"labels file for csv", data("{name: csv, files: {train: a.csv, test: b.csv, train_labels: c.csv}, label: y}"), nil,
			`recipe t.yaml, line 3: data.files.train_labels: csv has no label files: its labels are the column data.label names`},
		{"missing test", data("{name: csv, files: {train: a.csv}, label: y}"), nil,
			"recipe t.yaml, line 3: data.files: csv needs files train, test; missing test"},
		{"no files", data("{name: npy}"), nil,
			"recipe t.yaml, line 3: data.files: npy needs files train, train_labels, test, test_labels; missing train, train_labels, test, test_labels"},
		{"empty path", data("{name: csv, files: {train: a.csv, test: ''}, label: y}"), nil,
			"recipe t.yaml, line 3: data.files.test: missing: want the path of the test file"},
		{"validation without labels", data("{name: npy, files: {train: x, train_labels: y, test: x, test_labels: y, validation: v}}"), nil,
			"recipe t.yaml, line 3: data.files: give validation and validation_labels together, or neither"},
		{"split of 1", data("{name: csv, files: {train: a.csv, test: b.csv}, label: y, validation_split: 1}"), nil,
			"recipe t.yaml, line 3: data.validation_split: want a fraction in (0, 1) of the training examples, got 1"},
		{"negative split", data("{name: csv, files: {train: a.csv, test: b.csv}, label: y, validation_split: -0.1}"), nil,
			"recipe t.yaml, line 3: data.validation_split: want a fraction in (0, 1) of the training examples, got -0.1"},
		{"split of 0", data("{name: csv, files: {train: a.csv, test: b.csv}, label: y, validation_split: 0}"), nil,
			"recipe t.yaml, line 3: data.validation_split: want a fraction in (0, 1) of the training examples, got 0; training needs validation examples: leave the key out for the last sixth, or give files.validation"},
		{"--set a split of 0", csvRecipe, []string{"data.validation_split=0"},
			"recipe t.yaml, --set data.validation_split=0: data.validation_split: want a fraction in (0, 1) of the training examples, got 0; training needs validation examples: leave the key out for the last sixth, or give files.validation"},
		{"split and file", data("{name: csv, files: {train: a.csv, test: b.csv, validation: v.csv}, label: y, validation_split: 0.1}"), nil,
			"recipe t.yaml, line 3: data.validation_split: data.files.validation is given too: validation comes from one of them"},
		{"no label", data("{name: csv, files: {train: a.csv, test: b.csv}}"), nil,
			"recipe t.yaml, line 3: data.label: missing: name the column holding the classes"},
		{"label for npy", data("{name: npy, files: {train: x, train_labels: y, test: x, test_labels: y}, label: y}"), nil,
			"recipe t.yaml, line 3: data.label: npy has no label column: its labels are in files (train_labels, test_labels)"},
		{"dir for csv", data("{name: csv, dir: d, files: {train: a.csv, test: b.csv}, label: y}"), nil,
			"recipe t.yaml, line 3: data.dir: csv reads the files named in data.files, not a directory"},
		{"negative positive class", data("{name: csv, files: {train: a.csv, test: b.csv}, label: y, positive: [-1]}"), nil,
			"recipe t.yaml, line 3: data.positive.0: classes are numbered 0, 1, …, got -1"},
		{"--set an unknown role", csvRecipe, []string{"data.files.trian=x.csv"},
			`recipe t.yaml, --set data.files.trian=x.csv: data.files.trian: csv has no file "trian"; want train, test, validation (did you mean "train"?)`},
		{"--set files on mnist", good, []string{"data.files.train=x.csv"},
			`recipe t.yaml, --set data.files.train=x.csv: data.files.train: mnist has its own files and split; data.files is for the data sets read from your files (csv, idx, npy)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tt.recipe), Options{Set: tt.set})
			var re *Error
			if !errors.As(err, &re) {
				t.Fatalf("error %v (%T), want a *recipes.Error", err, err)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n%s\nwant\n%s", err, tt.want)
			}
		})
	}
}

// TestDataFilePaths: relative paths are relative to the recipe file's
// directory, --set ones to the working directory, and the recipe as run
// records them absolute, so it reads the same from anywhere.
func TestDataFilePaths(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "recipes", "c.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(csvRecipe), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	r, err := Load(filepath.Join("recipes", "c.yaml"), Options{Set: []string{"data.files.validation=v.csv", "data.validation_split=0"}})
	if err != nil {
		t.Fatal(err)
	}
	recipeDir := filepath.Join(wd, "recipes")
	want := map[string]string{
		"train":      filepath.Join(recipeDir, "a.csv"),
		"test":       filepath.Join(recipeDir, "sub", "b.csv"),
		"validation": filepath.Join(wd, "v.csv"),
	}
	for role, p := range want {
		if got := r.Data.Files[role]; got != p {
			t.Errorf("files.%s = %q, want %q", role, got, p)
		}
	}
	sp, err := r.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if sp.Data.Files["train"] != want["train"] || sp.Data.Label != "species" {
		t.Errorf("spec data %+v", sp.Data)
	}

	// The recipe as run, read back from elsewhere, keeps the paths.
	text, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(dir, "run", "recipe.yaml")
	if err := os.MkdirAll(filepath.Dir(saved), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(saved, text, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	back, err := Load(saved, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for role, p := range want {
		if got := back.Data.Files[role]; got != p {
			t.Errorf("saved files.%s = %q, want %q", role, got, p)
		}
	}

	// A recipe not read from a file: the working directory.
	p, err := Parse("built-in c", []byte(csvRecipe), Options{})
	if err != nil {
		t.Fatal(err)
	}
	cwd, _ := os.Getwd()
	if got := p.Data.Files["train"]; got != filepath.Join(cwd, "a.csv") {
		t.Errorf("parsed files.train = %q, want it in the working directory %s", got, cwd)
	}
}

// TestMNISTRecipeUnchanged: the new keys are omitted when unset, so an
// MNIST recipe as run is byte-identical to what it was.
func TestMNISTRecipeUnchanged(t *testing.T) {
	r, err := Parse("t.yaml", []byte(good), Options{})
	if err != nil {
		t.Fatal(err)
	}
	text, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), "data:\n  name: mnist\n") || strings.Contains(string(text), "files") || strings.Contains(string(text), "validation_split") {
		t.Errorf("recipe as run:\n%s", text)
	}
}

// TestRecipePaths: data.dir and init.from resolve as data.files do —
// relative to the recipe file when its text gives them, to the working
// directory when --set does — so every path of a recipe follows one rule.
func TestRecipePaths(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "recipes", "m.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(initBase, "data: {name: mnist}", "data: {name: mnist, dir: ../mnist}", 1) + "init: {from: w.safetensors}\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		set           []string
		dataDir, from string
	}{
		{nil, filepath.Join(wd, "mnist"), filepath.Join(wd, "recipes", "w.safetensors")},
		{[]string{"data.dir=d", "init.from=v.safetensors"}, filepath.Join(wd, "d"), filepath.Join(wd, "v.safetensors")},
	} {
		r, err := Load(filepath.Join("recipes", "m.yaml"), Options{Set: c.set})
		if err != nil {
			t.Fatal(err)
		}
		sp, err := r.Spec()
		if err != nil {
			t.Fatal(err)
		}
		if r.Data.Dir != c.dataDir || sp.Data.Dir != c.dataDir {
			t.Errorf("--set %v: data.dir %q (spec %q), want %q", c.set, r.Data.Dir, sp.Data.Dir, c.dataDir)
		}
		if r.Init.From != c.from || sp.Init.From != c.from {
			t.Errorf("--set %v: init.from %q (spec %q), want %q", c.set, r.Init.From, sp.Init.From, c.from)
		}
	}
}
