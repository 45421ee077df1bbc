package train_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/train"
)

// Train a denoising autoencoder 784→32→784 with tied weights on 2,000 MNIST
// digits, then encode and reconstruct new ones.
func ExampleNewAutoencoder() {
	data, err := datasets.MNIST()
	if err != nil {
		log.Fatal(err)
	}
	data = data.Limit(2000, 500, 0)

	m, err := models.NewAutoencoder(models.AutoencoderConfig{
		Inputs:  784,
		Encoder: []models.Layer{{Units: 32, Activation: models.Sigmoid}},
		Output:  models.Sigmoid,
		Tied:    true,
	}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		log.Fatal(err)
	}
	opt, err := optimizers.New(optimizers.Config{Name: "adam", Hyper: map[string]float64{"lr": 0.003}})
	if err != nil {
		log.Fatal(err)
	}
	task, err := train.NewAutoencoder(m, opt, train.AutoencoderConfig{
		BatchSize:  50,
		Loss:       losses.ReconstructionBCE,
		Corruption: models.Corruption{Type: models.Masking, Level: 0.25},
		Random:     rand.NewPCG(1, 3), // the masks: a PCG lets them be drawn on all cores, ahead of each step
	})
	if err != nil {
		log.Fatal(err)
	}
	defer task.Close()

	before, _ := task.Evaluate(data.Validation)
	records, err := train.Run(context.Background(), task, data.Train, data.Validation,
		train.Config{Epochs: 2, Shuffle: rand.New(rand.NewPCG(1, 2))})
	if err != nil {
		log.Fatal(err)
	}
	codes, _ := task.Encode(data.Validation)
	rec, _ := task.Reconstruct(data.Validation)
	fmt.Println("reconstruction loss fell:", records[1].Val.Loss < before.Loss)
	fmt.Println("codes:", codes.Len(), "×", codes.Dim())
	fmt.Println("reconstructions:", rec.Len(), "×", rec.Shape)
	// Output:
	// reconstruction loss fell: true
	// codes: 500 × 32
	// reconstructions: 500 × [28 28]
}

// Train a small convolutional denoising autoencoder on 400 MNIST digits
// with Gaussian noise: the same task as a dense autoencoder's, given a
// models.ConvAutoencoder.
func ExampleNewAutoencoder_convolutional() {
	data, err := datasets.MNIST()
	if err != nil {
		log.Fatal(err)
	}
	data = data.Limit(400, 100, 0)

	stage := func(filters int) models.ConvLayer {
		return models.ConvLayer{Filters: filters, Kernel: 3, Activation: models.ReLU, Pool: 2}
	}
	m, err := models.NewConvAutoencoder(models.ConvAutoencoderConfig{
		Channels: 1, Height: 28, Width: 28, // MNIST's pictures, one channel
		Encoder: []models.ConvLayer{stage(8), stage(4)},
		Output:  models.Sigmoid,
	}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		log.Fatal(err)
	}
	opt, err := optimizers.New(optimizers.Config{Name: "adam", Hyper: map[string]float64{"lr": 0.003}})
	if err != nil {
		log.Fatal(err)
	}
	task, err := train.NewAutoencoder(m, opt, train.AutoencoderConfig{
		BatchSize:  50,
		EvalBatch:  100, // a convolution's patches are large: keep the inference batch small
		Loss:       losses.ReconstructionBCE,
		Corruption: models.Corruption{Type: models.Gaussian, Level: 0.5},
		Random:     rand.NewPCG(1, 3),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer task.Close()

	before, _ := task.Evaluate(data.Validation)
	records, err := train.Run(context.Background(), task, data.Train, data.Validation,
		train.Config{Epochs: 2, Shuffle: rand.New(rand.NewPCG(1, 2))})
	if err != nil {
		log.Fatal(err)
	}
	codes, _ := task.Encode(data.Validation)
	fmt.Println("reconstruction loss fell:", records[1].Val.Loss < before.Loss)
	fmt.Println("codes:", codes.Len(), "×", codes.Dim(), "(4 channels of 7×7)")
	// Output:
	// reconstruction loss fell: true
	// codes: 100 × 196 (4 channels of 7×7)
}
