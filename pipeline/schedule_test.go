package pipeline

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/schedules"
)

// tinyRecipe is a seconds-long MNIST run: 1,000 training digits in batches
// of 50 (20 updates per epoch), 2 epochs.
const tinyRecipe = `name: tiny
seed: 5
data: {name: mnist, train: 1000, validation: 200, test: 200}
model:
  type: mlp
  layers: [{units: 16, activation: relu}]
loss: cross-entropy
optimizer: {name: momentum, lr: 0.05}
batch_size: 50
epochs: 2
`

// metricsLR returns the lr column of a run's metrics.csv.
func metricsLR(t *testing.T, dir string) []float64 {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, runs.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []float64
	for _, r := range rows[1:] {
		v, err := strconv.ParseFloat(r[4], 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// TestTrainSchedule checks a recipe's schedule reaches the training loop:
// the lr of each epoch in metrics.csv is the schedule's rate at the
// epoch's last update, with Total = epochs × batches per epoch.
func TestTrainSchedule(t *testing.T) {
	r, err := recipes.Parse("tiny", []byte(tinyRecipe+"schedule: {name: cosine, min_lr: 0.001, warmup: 5}\n"), recipes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	if _, err := Train(context.Background(), r, Options{Out: dir}); err != nil {
		t.Fatal(err)
	}
	s, err := schedules.New(schedules.Config{Name: "cosine", Params: map[string]float64{"min_lr": 0.001}, Warmup: 5, Total: 40, LR: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	got := metricsLR(t, dir)
	if len(got) != 2 || got[0] != s.Rate(20) || got[1] != s.Rate(40) {
		t.Errorf("lr per epoch %v, want %v %v", got, s.Rate(20), s.Rate(40))
	}
	if _, err := os.Stat(filepath.Join(dir, runs.AdaptiveFile)); err == nil {
		t.Errorf("%s written by a run without the adaptive schedule", runs.AdaptiveFile)
	}
}

// TestTrainAdaptive runs the adaptive heuristic from a recipe: its choices
// are written to adaptive.csv and the last one is the final epoch's lr.
func TestTrainAdaptive(t *testing.T) {
	r, err := recipes.Parse("tiny", []byte(tinyRecipe+"schedule: {name: adaptive, every: 15, steps: 3, subset: 200}\n"), recipes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	if _, err := Train(context.Background(), r, Options{Out: dir}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, runs.AdaptiveFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Searches before updates 1, 16 and 31, five candidates each.
	if strings.Join(rows[0], ",") != "update,candidate_lr,subset_loss,chosen" || len(rows) != 1+3*5 {
		t.Fatalf("adaptive.csv:\n%v", rows)
	}
	var chosen []string
	for _, r := range rows[1:] {
		if r[3] == "1" {
			chosen = append(chosen, r[0]+"@"+r[1])
		}
	}
	if len(chosen) != 3 || !strings.HasPrefix(chosen[0], "1@") || !strings.HasPrefix(chosen[2], "31@") {
		t.Fatalf("chosen rows %v", chosen)
	}
	last, _ := strconv.ParseFloat(strings.SplitN(chosen[2], "@", 2)[1], 64)
	if lr := metricsLR(t, dir); lr[len(lr)-1] != last {
		t.Errorf("final epoch lr %v, want the last choice %v", lr[len(lr)-1], last)
	}
}
