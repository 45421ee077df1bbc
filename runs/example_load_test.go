package runs_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// ExampleLoad trains mlp-mnist's quick profile (a few seconds), loads the
// run as a model and classifies the test digits with it.
func ExampleLoad() {
	dir, err := os.MkdirTemp("", "zoo-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	r, err := recipes.Builtin("mlp-mnist", recipes.Options{Quick: true})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := pipeline.Train(context.Background(), r, pipeline.Options{Out: dir}); err != nil {
		log.Fatal(err)
	}

	m, err := runs.Load(dir) // any finished run directory
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	data, err := datasets.MNIST()
	if err != nil {
		log.Fatal(err)
	}
	test := data.Test.Slice(0, 1000)
	pred, err := m.Predict(test.X) // 1000 images of 28×28 pixels, row-major
	if err != nil {
		log.Fatal(err)
	}
	wrong := 0
	for i, p := range pred {
		if p != test.Labels[i] {
			wrong++
		}
	}
	fmt.Println("model:", m.Recipe.Name, m.Shape, m.Classes, "classes")
	fmt.Println("predictions:", len(pred))
	fmt.Println("test error below 30%:", float64(wrong)/float64(len(pred)) < 0.3)
	// Output:
	// model: mlp-mnist [28 28] 10 classes
	// predictions: 1000
	// test error below 30%: true
}
