package pipeline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/train"
)

// TestOptionsHooks: a caller's hooks hear the run's steps and epochs, and
// one that fails stops the run with its error, the last epoch's
// checkpoint kept to resume from.
func TestOptionsHooks(t *testing.T) {
	r, err := recipes.Parse("tiny", []byte(tinyRecipe), recipes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	steps, epochs := 0, 0
	count := []train.Hook{
		train.StepFunc(func(train.StepInfo) error { steps++; return nil }),
		train.EpochEndFunc(func(train.Record) error { epochs++; return nil }),
	}
	whole := filepath.Join(t.TempDir(), "run")
	if _, err := Train(context.Background(), r, Options{Out: whole, Hooks: count}); err != nil {
		t.Fatal(err)
	}
	if steps != 40 || epochs != 2 {
		t.Errorf("the hooks heard %d steps and %d epochs, want 40 and 2", steps, epochs)
	}

	stop := errors.New("enough")
	dir := filepath.Join(t.TempDir(), "run")
	fail := train.StepFunc(func(s train.StepInfo) error {
		if s.Epoch == 2 {
			return stop
		}
		return nil
	})
	if _, err := Train(context.Background(), r, Options{Out: dir, Hooks: []train.Hook{fail}}); !errors.Is(err, stop) {
		t.Fatalf("error %v, want the hook's", err)
	}
	if _, err := os.Stat(filepath.Join(dir, runs.CheckpointFile)); err != nil {
		t.Errorf("no checkpoint after the hook stopped the run: %v", err)
	}
	if _, err := Resume(context.Background(), Options{Out: dir}); err != nil {
		t.Fatalf("resuming after the hook stopped the run: %v", err)
	}
	if a, b := read(t, whole, runs.WeightsFile), read(t, dir, runs.WeightsFile); !bytes.Equal(a, b) {
		t.Error("the resumed run's weights differ from the uninterrupted run's")
	}
}
