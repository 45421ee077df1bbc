// Command classify shows how to use a model trained by zoo from Go: it
// loads a run directory and classifies pictures of handwritten digits.
//
//	zoo train mlp-mnist --out zoo-runs/mlp
//	go run ./examples/classify zoo-runs/mlp digit.png photo.jpg
//
// Each picture (PNG, JPEG or GIF, any size) is converted to 28×28 grey
// levels like an MNIST digit, light on dark (a dark digit on light paper is
// inverted), by images.Load; runs.Load gives the trained model, whose
// Classify returns each picture's most likely class and the probabilities
// of all ten.
package main

import (
	"fmt"
	"os"

	"github.com/gorgonia-zoo/zoo/cblas"
	"github.com/gorgonia-zoo/zoo/images"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/runs"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: classify RUN_DIR PICTURE...")
		os.Exit(2)
	}
	cblas.Install() // OpenBLAS if the machine has it, for speed
	preds, err := classify(os.Args[1], os.Args[2:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "classify:", err)
		os.Exit(1)
	}
	for i, p := range preds {
		fmt.Printf("%s: %d (%.1f%%)\n", os.Args[2+i], p.Class, 100*p.Probabilities[p.Class])
	}
}

// classify loads the run in dir and classifies the pictures at paths.
func classify(dir string, paths []string) ([]infer.Prediction, error) {
	m, err := runs.Load(dir)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	// The model's input: Shape is [28 28], rows by columns.
	o := images.LoadOptions{Width: m.Shape[1], Height: m.Shape[0]}
	var x []float32 // the pictures' pixels, one after the other
	for _, path := range paths {
		in, err := images.Load(path, o)
		if err != nil {
			return nil, err
		}
		x = append(x, in.Pixels...)
	}
	return m.Classify(x)
}
