package pipeline_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// ExampleTrain trains mlp-mnist's quick profile (a few seconds) into a new
// run directory, then opens the run as a model.
func ExampleTrain() {
	dir, err := os.MkdirTemp("", "zoo-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	r, err := recipes.Builtin("mlp-mnist", recipes.Options{Quick: true})
	if err != nil {
		log.Fatal(err)
	}
	s, err := pipeline.Train(context.Background(), r, pipeline.Options{Out: dir})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("trained:", s.Recipe, s.Epochs, "epoch,", s.Train, "examples")
	fmt.Println("test error below 30%:", s.TestError < 0.3)

	m, err := runs.Load(dir)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	fmt.Println("model:", m.Shape, m.Classes, "classes")
	// Output:
	// trained: mlp-mnist 1 epoch, 5000 examples
	// test error below 30%: true
	// model: [28 28] 10 classes
}
