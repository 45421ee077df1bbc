package models_test

import (
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/models"
)

// ExampleNewMLP builds the lecture's classifier for MNIST-sized inputs with
// weights drawn from a seeded generator: the same seed gives the same
// network.
func ExampleNewMLP() {
	c := models.MLPConfig{
		Inputs:  784,
		Hidden:  []models.Layer{{Units: 128, Activation: models.ReLU}},
		Classes: 10,
	}
	m, err := models.NewMLP(c, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range m.Params() {
		fmt.Println(p.Name, p.Value.Shape())
	}
	fmt.Println(models.Count(m.Params()), "parameters")
	// Output:
	// layers.0.weight (784, 128)
	// layers.0.bias (1, 128)
	// layers.1.weight (128, 10)
	// layers.1.bias (1, 10)
	// 101770 parameters
}
