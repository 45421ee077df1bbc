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

// ExampleNewConvAutoencoder builds the Keras tutorial's convolutional
// autoencoder for 28×28 pictures with one channel: three 3×3 convolutions,
// each followed by 2×2 max pooling, down to a 4×4×8 code, and the mirrored
// decoder. Training and inference take it as they take a dense
// autoencoder (train.NewAutoencoder, infer.NewAutoencoder).
func ExampleNewConvAutoencoder() {
	stage := func(filters int) models.ConvLayer {
		return models.ConvLayer{Filters: filters, Kernel: 3, Activation: models.ReLU, Pool: 2}
	}
	a, err := models.NewConvAutoencoder(models.ConvAutoencoderConfig{
		Channels: 1, Height: 28, Width: 28,
		Encoder: []models.ConvLayer{stage(16), stage(8), stage(8)},
		Output:  models.Sigmoid,
	}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("code:", a.CodeShape(), "=", a.CodeUnits(), "values")
	for _, l := range append(a.Encoder, a.Decoder...) {
		fmt.Println(l.Name(), l.W.Value.Shape())
	}
	fmt.Println(models.Count(a.Params()), "parameters")
	// Output:
	// code: [8 4 4] = 128 values
	// encoder.0 (16, 1, 3, 3)
	// encoder.1 (8, 16, 3, 3)
	// encoder.2 (8, 8, 3, 3)
	// decoder.0 (8, 8, 3, 3)
	// decoder.1 (8, 8, 3, 3)
	// decoder.2 (16, 8, 3, 3)
	// decoder.3 (1, 16, 3, 3)
	// 4385 parameters
}
