package infer_test

import (
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/models"
)

// Predict the classes of three examples with a small MLP whose weights are
// drawn from a seeded generator (a trained model predicts the same way).
func ExampleNewClassifier() {
	m, err := models.NewMLP(models.MLPConfig{
		Inputs:  4,
		Hidden:  []models.Layer{{Units: 8, Activation: models.ReLU}},
		Classes: 3,
	}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		log.Fatal(err)
	}
	c, err := infer.NewClassifier(m, 2) // two examples per run: the last is padded
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	s := &datasets.Set{Name: "toy", Shape: []int{4}, Classes: 3, Labels: []int{0, 1, 2}, X: []float32{
		1, 0, 0, 0,
		0, 1, 1, 0,
		0, 0, 0, 1,
	}}
	classes, err := c.Predict(s)
	if err != nil {
		log.Fatal(err)
	}
	metrics, err := c.Evaluate(s)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("classes:", classes)
	fmt.Printf("error %.3f over %d examples\n", metrics.Error, metrics.N)
	// Output:
	// classes: [1 0 1]
	// error 1.000 over 3 examples
}
