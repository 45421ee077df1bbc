// Command save-load shows a model's life outside recipes: build and train
// a small MLP in Go, save it with its architecture in one file, load it
// back (from the file alone) and predict with its inference graph, and
// write it as a run directory that every zoo command accepts.
//
//	go run ./examples/save-load /tmp/mine
//	zoo eval /tmp/mine/run        # or predict, inspect, compare, filters…
//	zoo train mlp-mnist --init /tmp/mine/model.safetensors --set 'model.layers=[{units: 32, activation: relu}]'
package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"github.com/gorgonia-zoo/zoo/cblas"
	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/train"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: save-load OUT_DIR")
		os.Exit(2)
	}
	cblas.Install() // OpenBLAS if the machine has it, for speed
	if err := run(os.Args[1], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "save-load:", err)
		os.Exit(1)
	}
}

// run trains, saves, loads and writes into dir (created; it must not hold
// anything yet), telling w what it did.
func run(dir string, w io.Writer) error {
	// The data a recipe can name, so the run directory can find it again:
	// MNIST, 1000 digits to train on.
	data := recipes.Data{Name: "mnist", Train: 1000, Validation: 200, Test: 200}
	full, err := datasets.MNIST()
	if err != nil {
		return err
	}
	splits := full.Limit(data.Train, data.Validation, data.Test)

	// Build and train.
	const seed = 1
	m, err := models.NewMLP(models.MLPConfig{
		Inputs:  splits.Train.Dim(),
		Hidden:  []models.Layer{{Units: 32, Activation: models.ReLU}},
		Classes: splits.Train.Classes,
	}, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		return err
	}
	opt, err := optimizers.New(optimizers.Config{Name: "momentum", Hyper: map[string]float64{"lr": 0.05}})
	if err != nil {
		return err
	}
	task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: 50})
	if err != nil {
		return err
	}
	records, err := train.Run(context.Background(), task, splits.Train, splits.Validation,
		train.Config{Epochs: 2, Shuffle: rand.New(rand.NewPCG(seed, 2))})
	task.Close()
	if err != nil {
		return err
	}

	// Save the model with its architecture, and load it from the file
	// alone: LoadMLP builds the network the file describes.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, "model.safetensors")
	if err := runs.SaveModel(path, m); err != nil {
		return err
	}
	loaded, err := runs.LoadMLP(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "saved and loaded an mlp %d→%d→%d\n", loaded.Config.Inputs, loaded.Config.Hidden[0].Units, loaded.Config.Classes)

	// Predict with the loaded model's inference graph: no optimizer, no
	// training task.
	c, err := infer.NewClassifier(loaded, 0)
	if err != nil {
		return err
	}
	defer c.Close()
	got, err := c.Predict(splits.Test)
	if err != nil {
		return err
	}
	orig, err := infer.NewClassifier(m, 0)
	if err != nil {
		return err
	}
	defer orig.Close()
	want, err := orig.Predict(splits.Test)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "the loaded model predicts as the trained one:", slices.Equal(got, want))
	test, err := c.Evaluate(splits.Test)
	if err != nil {
		return err
	}

	// Write a run directory: zoo eval, predict, inspect, compare… open it.
	var rows []runs.MetricsRow
	for _, r := range records {
		rows = append(rows, runs.MetricsRow{Phase: runs.PhaseTrain, Layer: -1, Epoch: r.Epoch, TrainLoss: r.TrainLoss,
			ValLoss: r.Val.Loss, ValError: r.Val.Error, LR: r.LR, Seconds: r.Seconds})
	}
	last := records[len(records)-1]
	runDir := filepath.Join(dir, "run")
	if err := runs.WriteRun(runDir, m, runs.RunInfo{
		Name: "save-load", Seed: seed, Data: data, Shape: splits.Train.Shape,
		Optimizer: map[string]any{"name": "momentum", "lr": 0.05}, BatchSize: 50, Epochs: len(records),
		Metrics: rows,
		Summary: runs.Summary{Updates: last.Updates, Train: splits.Train.Len(), Validation: splits.Validation.Len(), Test: splits.Test.Len(),
			TrainLoss: last.TrainLoss, ValLoss: last.Val.Loss, ValError: last.Val.Error, TestLoss: test.Loss, TestError: test.Error},
	}); err != nil {
		return err
	}
	opened, err := runs.Load(runDir)
	if err != nil {
		return err
	}
	defer opened.Close()
	again, err := opened.Evaluate(splits.Test)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "run directory %s: test error below 30%%: %v, as measured before saving: %v\n",
		filepath.Base(runDir), again.Error < 0.3, again.Error == test.Error)
	return nil
}
