package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/images"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// TestGoModelRuns: models built in Go and written with runs.WriteRun are
// run directories that the commands accept, and zoo eval measures what
// infer measures in Go.
func TestGoModelRuns(t *testing.T) {
	dir := t.TempDir()
	data := recipes.Data{Name: "mnist", Test: 100}
	m, err := models.NewMLP(models.MLPConfig{Inputs: 784, Classes: 10, Hidden: []models.Layer{{Units: 8, Activation: models.ReLU}}}, rng.New(5, "init"))
	if err != nil {
		t.Fatal(err)
	}
	splits, err := pipeline.LoadData(context.Background(), data, pipeline.DataOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := infer.NewClassifier(m, 100) // runs.Load's batch: the same sums
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	test, err := c.Evaluate(splits.Test)
	if err != nil {
		t.Fatal(err)
	}
	mlp := filepath.Join(dir, "mlp")
	if err := runs.WriteRun(mlp, m, runs.RunInfo{Name: "go-mlp", Data: data, Shape: []int{28, 28},
		Metrics: []runs.MetricsRow{{Phase: runs.PhaseTrain, Layer: -1, Epoch: 1, TrainLoss: 2.4, ValLoss: 2.35, ValError: 0.9, LR: 0.1, Seconds: 1}},
		Summary: runs.Summary{TestError: test.Error, TestLoss: test.Loss, Test: splits.Test.Len()}}); err != nil {
		t.Fatal(err)
	}
	ae, err := models.NewAutoencoder(models.AutoencoderConfig{Inputs: 784, Encoder: []models.Layer{{Units: 6, Activation: models.Sigmoid}}, Output: models.Sigmoid, Tied: true}, rng.New(5, "init"))
	if err != nil {
		t.Fatal(err)
	}
	dae := filepath.Join(dir, "dae")
	if err := runs.WriteRun(dae, ae, runs.RunInfo{Data: data, Shape: []int{28, 28},
		Metrics: []runs.MetricsRow{{Phase: runs.PhaseTrain, Layer: -1, Epoch: 1, TrainLoss: 0.6, ValLoss: 0.5, LR: 0.1, Seconds: 1}},
		Summary: runs.Summary{TestReconstructionLoss: 0.5}}); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := zoo(t, "eval", mlp, "--json")
	if code != 0 {
		t.Fatalf("zoo eval: exit %d: %s", code, errOut)
	}
	var ev pipeline.Evaluation
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		t.Fatal(err)
	}
	// The CLI picks its BLAS (see zoo version), which may round the sums
	// differently from the test's.
	if ev.Test.Error != test.Error || math.Abs(ev.Test.Loss-test.Loss) > 1e-6 || ev.Test.N != 100 {
		t.Errorf("zoo eval says %+v, infer %+v", ev.Test, test)
	}

	pixels := splits.Test.Slice(0, 1).X
	img, err := images.Gray(pixels, 28, 28)
	if err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(dir, "digit.png")
	writePicture(t, png, img)
	for _, args := range [][]string{
		{"predict", mlp, png},
		{"inspect", mlp},
		{"inspect", dae, "--json"},
		{"compare", mlp, dae, "--out", filepath.Join(dir, "curves.svg")},
		{"filters", mlp, "--out", filepath.Join(dir, "mlp.png")},
		{"filters", dae, "--out", filepath.Join(dir, "dae.png")},
		{"encode", dae, "--out", filepath.Join(dir, "codes.csv")},
		{"reconstruct", dae, "--out", filepath.Join(dir, "rec.png")},
		{"eval", dae},
	} {
		code, out, errOut := zoo(t, args...)
		if code != 0 || errOut != "" {
			t.Errorf("zoo %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, errOut)
		}
	}

	// A run of the Go model's architecture starts from its weights.
	run := filepath.Join(dir, "from-go")
	code, out, errOut = zoo(t, "train", filepath.Join(mlp, runs.RecipeFile), "--init", mlp, "--out", run,
		"--set", "data.train=100", "--set", "data.validation=50", "--set", "optimizer.lr=0.1")
	if code != 0 || !strings.Contains(out, "initial weights: all 4 tensors from "+filepath.Join(mlp, runs.WeightsFile)) {
		t.Errorf("zoo train --init: exit %d\n%s\n%s", code, out, errOut)
	}
	s, err := runs.ReadSummary(run)
	if err != nil || s.Init == nil || s.Init.From != filepath.Join(mlp, runs.WeightsFile) {
		t.Errorf("summary %+v, %v", s, err)
	}
	if _, err := os.Stat(filepath.Join(run, runs.WeightsFile)); err != nil {
		t.Error(err)
	}
	// zoo inspect says where the weights came from.
	code, out, errOut = zoo(t, "inspect", run)
	if want := "init all 4 tensors from " + filepath.Join(mlp, runs.WeightsFile); code != 0 || !strings.Contains(out, want) {
		t.Errorf("zoo inspect: exit %d, want %q in\n%s\n%s", code, want, out, errOut)
	}
}

func TestInitFlagErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--resume", dir, "--init", dir}, "zoo: --resume continues the run exactly as it was started; --init cannot change it\n"},
		{[]string{"train", "mlp-mnist", "--init-partial"}, "zoo: --init-partial needs --init (or a recipe with init.from)\n"},
		{[]string{"train", "mlp-mnist", "--quick", "--init", filepath.Join(dir, "none"), "--out", filepath.Join(dir, "r")}, "zoo: runs: init: stat " + filepath.Join(dir, "none") + ": no such file or directory\n"},
	} {
		code, _, errOut := zoo(t, c.args...)
		if code != 1 || errOut != c.want {
			t.Errorf("zoo %s: exit %d, stderr %q, want %q", strings.Join(c.args, " "), code, errOut, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "r")); err == nil {
		t.Error("a refused run left its directory behind")
	}
}
