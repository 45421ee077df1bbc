package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// TestOwnData trains the recipes of testdata/own — an mlp and an
// autoencoder on a small CSV (4 features, 3 classes) and on NPY pictures
// (6×6 bytes) — end to end, then opens each run from another working
// directory and evaluates it: the shape and classes come from the data,
// and the run's recipe.yaml finds the files by their absolute paths.
func TestOwnData(t *testing.T) {
	for _, tt := range []struct {
		recipe string
		shape  []int
		// maxError bounds a classifier's test error (chance is 2/3).
		maxError float64
	}{
		{"mlp-csv", []int{4}, 0.2},
		{"ae-csv", []int{4}, 0},
		{"mlp-npy", []int{6, 6}, 0.2},
		{"ae-npy", []int{6, 6}, 0},
	} {
		t.Run(tt.recipe, func(t *testing.T) {
			r, err := recipes.Load(filepath.Join("testdata", "own", tt.recipe+".yaml"), recipes.Options{})
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(t.TempDir(), "run")
			s, err := Train(context.Background(), r, Options{Out: dir})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s.InputShape, tt.shape) || s.Train+s.Validation != 240 || s.Test != 60 {
				t.Errorf("summary: shape %v, %d+%d training and %d test examples; want %v, 240, 60", s.InputShape, s.Train, s.Validation, s.Test, tt.shape)
			}
			saved, err := os.ReadFile(filepath.Join(dir, runs.RecipeFile))
			if err != nil {
				t.Fatal(err)
			}
			wd, _ := os.Getwd()
			if want := filepath.Join(wd, "testdata", "own"); !strings.Contains(string(saved), want) {
				t.Errorf("recipe.yaml does not give the files' absolute paths (in %s):\n%s", want, saved)
			}

			t.Chdir(t.TempDir())
			m, err := runs.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			ev, err := Evaluate(context.Background(), dir, DataOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if tt.maxError == 0 { // an autoencoder
				// Pictures get the figures; other data does not.
				_, err := os.Stat(filepath.Join(dir, runs.ReconstructionsFile))
				if picture := len(tt.shape) == 2; picture != (err == nil) {
					t.Errorf("%s exists: %v, for examples of shape %v", runs.ReconstructionsFile, err == nil, tt.shape)
				}
				if m.CodeUnits() == 0 || ev.Test.Loss != s.TestReconstructionLoss {
					t.Errorf("code units %d, evaluated loss %v, trained %v", m.CodeUnits(), ev.Test.Loss, s.TestReconstructionLoss)
				}
				return
			}
			if m.Classes != 3 || s.Classes != 3 {
				t.Errorf("classes %d (summary %d), want 3", m.Classes, s.Classes)
			}
			t.Logf("test error %v", s.TestError)
			if ev.Test.Error != s.TestError || s.TestError > tt.maxError {
				t.Errorf("test error %v (evaluated %v), want at most %v", s.TestError, ev.Test.Error, tt.maxError)
			}
		})
	}
}

// TestOwnDataPositive: data.positive of a data set whose classes only the
// data knows is checked once it is read.
func TestOwnDataPositive(t *testing.T) {
	r, err := recipes.Load(filepath.Join("testdata", "own", "mlp-csv.yaml"), recipes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := r.Data
	d.Positive = []int{2}
	s, err := LoadData(context.Background(), d, DataOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Train.Classes != 2 || s.Test.Classes != 2 {
		t.Errorf("classes %d/%d, want 2", s.Train.Classes, s.Test.Classes)
	}
	d.Positive = []int{0, 3}
	_, err = LoadData(context.Background(), d, DataOptions{})
	if want := "pipeline: data.positive.1: the csv data has classes 0 to 2, got 3"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

// TestRecipeTextAbsoluteFiles: a recipe changed in Go to name a relative
// file is saved with the absolute path, so the run finds its data from
// anywhere.
func TestRecipeTextAbsoluteFiles(t *testing.T) {
	r, err := recipes.Load(filepath.Join("testdata", "own", "mlp-csv.yaml"), recipes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.Data.Files["test"] = "test.csv"
	text, err := recipeText(r, "")
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if want := "test: " + filepath.Join(wd, "test.csv") + "\n"; !strings.Contains(text, want) {
		t.Errorf("recipe as run lacks %q:\n%s", want, text)
	}
	if r.Data.Files["test"] != "test.csv" {
		t.Errorf("the recipe itself changed: files.test = %q", r.Data.Files["test"])
	}
}
