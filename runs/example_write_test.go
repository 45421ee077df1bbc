package runs_test

import (
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// ExampleWriteRun writes a model built (and, normally, trained) in Go as a
// run directory, which runs.Load and every zoo command open like a run of
// zoo train.
func ExampleWriteRun() {
	dir, err := os.MkdirTemp("", "zoo-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	m, err := models.NewMLP(models.MLPConfig{
		Inputs:  784,
		Hidden:  []models.Layer{{Units: 16, Activation: models.ReLU}},
		Classes: 10,
	}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		log.Fatal(err)
	}
	run := filepath.Join(dir, "run")
	err = runs.WriteRun(run, m, runs.RunInfo{
		Name:    "mine",
		Data:    recipes.Data{Name: "mnist"}, // what zoo eval evaluates it on
		Shape:   []int{28, 28},               // pictures, for zoo predict and filters
		Summary: runs.Summary{TestError: 0.9},
	})
	if err != nil {
		log.Fatal(err)
	}

	opened, err := runs.Load(run)
	if err != nil {
		log.Fatal(err)
	}
	defer opened.Close()
	fmt.Println(opened.Recipe.Name, opened.Spec.Model.Family, opened.Shape, opened.Classes, "classes")
	for _, l := range opened.Layers() {
		fmt.Println(l.Name, l.In, l.Out, l.Activation)
	}
	// Output:
	// mine mlp [28 28] 10 classes
	// layers.0 784 16 relu
	// layers.1 16 10 linear
}
