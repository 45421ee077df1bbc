package pipeline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// TestStopAfter: a run stopped after epochs of its budget leaves the
// checkpoint an interrupted run would, and resuming it gives, to the byte,
// the weights and metrics of the run that never stopped; the schedule,
// which depends on the recipe's epochs, sees the whole recipe.
func TestStopAfter(t *testing.T) {
	src := tinyRecipe + "schedule: {name: cosine, min_lr: 0.001, warmup: 5}\n"
	r, err := recipes.Parse("tiny", []byte(src), recipes.Options{Set: []string{"epochs=3"}})
	if err != nil {
		t.Fatal(err)
	}
	whole := filepath.Join(t.TempDir(), "whole")
	if _, err := Train(context.Background(), r, Options{Out: whole}); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "staged")
	_, err = Train(context.Background(), r, Options{Out: dir, StopAfter: 1})
	if !errors.Is(err, ErrStoppedAfter) {
		t.Fatalf("error %v, want ErrStoppedAfter", err)
	}
	if rows, err := runs.ReadMetrics(dir); err != nil || len(rows) != 1 {
		t.Fatalf("after stopping at 1 epoch: %d metrics rows (%v), want 1", len(rows), err)
	}
	for _, f := range []string{runs.CheckpointFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("no %s after stopping: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, runs.SummaryFile)); err == nil {
		t.Fatal("a run stopped after 1 of 3 epochs wrote its summary")
	}
	// A second stage, then the rest.
	if _, err := Resume(context.Background(), Options{Out: dir, StopAfter: 2}); !errors.Is(err, ErrStoppedAfter) {
		t.Fatalf("second stage: error %v, want ErrStoppedAfter", err)
	}
	if _, err := Resume(context.Background(), Options{Out: dir}); err != nil {
		t.Fatal(err)
	}
	if a, b := read(t, whole, runs.WeightsFile), read(t, dir, runs.WeightsFile); !bytes.Equal(a, b) {
		t.Error("the staged run's weights differ from the uninterrupted run's")
	}
	if a, b := metricsLR(t, whole), metricsLR(t, dir); len(a) != 3 || !slices.Equal(a, b) {
		t.Errorf("learning rates by epoch: staged %v, uninterrupted %v", b, a)
	}

	// A budget at or past the recipe's epochs changes nothing.
	past := filepath.Join(t.TempDir(), "past")
	if _, err := Train(context.Background(), r, Options{Out: past, StopAfter: 3}); err != nil {
		t.Fatal(err)
	}
	if a, b := read(t, whole, runs.WeightsFile), read(t, past, runs.WeightsFile); !bytes.Equal(a, b) {
		t.Error("StopAfter equal to the recipe's epochs changed the weights")
	}
}
