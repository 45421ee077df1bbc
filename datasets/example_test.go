package datasets_test

import (
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/gorgonia-zoo/zoo/datasets"
)

func ExampleMNIST() {
	mnist, err := datasets.MNIST()
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range []*datasets.Set{mnist.Train, mnist.Validation, mnist.Test} {
		fmt.Printf("%s: %d examples of %v\n", s.Name, s.Len(), s.Shape)
	}
	// Output:
	// mnist/train: 50000 examples of [28 28]
	// mnist/validation: 10000 examples of [28 28]
	// mnist/test: 10000 examples of [28 28]
}

func ExampleBatches() {
	set := &datasets.Set{Name: "toy", X: []float32{0, 1, 2, 3, 4, 5, 6}, Labels: []int{0, 1, 0, 1, 0, 1, 0}, Classes: 2}
	rng := rand.New(rand.NewPCG(1, 2)) // a run's seed fixes every epoch's order
	for epoch := range 2 {
		b := datasets.NewBatches(set, 3, rng)
		x, labels := make([]float32, 3*set.Dim()), make([]int, 3)
		n := 0
		for b.Next(x, labels) {
			n++
		}
		fmt.Printf("epoch %d: %d batches of 3, %d example dropped\n", epoch, n, set.Len()-n*3)
	}
	// Output:
	// epoch 0: 2 batches of 3, 1 example dropped
	// epoch 1: 2 batches of 3, 1 example dropped
}

func ExampleChunks() {
	err := datasets.Chunks(7, 3, func(from, to int) error {
		fmt.Printf("[%d,%d) ", from, to)
		return nil
	})
	fmt.Println(err)
	// Output: [0,3) [3,6) [6,7) <nil>
}

// Read a data set from CSV files: a header, a label column, numbers. The
// examples' width and the classes come from the data.
func ExampleLoadCSV() {
	dir, err := os.MkdirTemp("", "zoo-csv-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	files := map[string]string{
		"train": "height,weight,label\n1.2,30,0\n1.8,80,1\n1.6,60,1\n1.1,25,0\n1.7,70,2\n1.0,20,0\n",
		"test":  "height,weight,label\n1.5,50,1\n",
	}
	paths := map[string]string{}
	for role, text := range files {
		paths[role] = filepath.Join(dir, role+".csv")
		if err := os.WriteFile(paths[role], []byte(text), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	data, err := datasets.LoadCSV(datasets.Request{Files: paths, Label: "label"})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range []*datasets.Set{data.Train, data.Validation, data.Test} {
		fmt.Printf("%s: %d examples of %v, %d classes\n", s.Name, s.Len(), s.Shape, s.Classes)
	}
	// Output:
	// csv/train: 5 examples of [2], 3 classes
	// csv/validation: 1 examples of [2], 3 classes
	// csv/test: 1 examples of [2], 3 classes
}
