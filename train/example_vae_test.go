package train_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/train"
)

// Train a variational autoencoder 784→200→(μ, log σ²: 2×8)→200→784 on 2,000
// MNIST digits, then measure its negative ELBO and draw new digits from the
// prior.
func ExampleNewVAE() {
	data, err := datasets.MNIST()
	if err != nil {
		log.Fatal(err)
	}
	data = data.Limit(2000, 500, 0)

	m, err := models.NewVAE(models.VAEConfig{
		Inputs:  784,
		Encoder: []models.Layer{{Units: 200, Activation: models.ReLU}},
		Latent:  8,
	}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		log.Fatal(err)
	}
	opt, err := optimizers.New(optimizers.Config{Name: "adam", Hyper: map[string]float64{"lr": 0.001}})
	if err != nil {
		log.Fatal(err)
	}
	task, err := train.NewVAE(m, opt, train.VAEConfig{
		BatchSize: 50,
		Random:    rand.NewPCG(1, 3), // the noise ε of z = μ + σ ⊙ ε
		EvalSeed:  1,                 // the evaluation's own noise
	})
	if err != nil {
		log.Fatal(err)
	}
	defer task.Close()

	before, _ := task.ELBO(data.Validation)
	if _, err := train.Run(context.Background(), task, data.Train, data.Validation,
		train.Config{Epochs: 2, Shuffle: rand.New(rand.NewPCG(1, 2))}); err != nil {
		log.Fatal(err)
	}
	after, _ := task.ELBO(data.Validation)
	samples, _ := task.Sample(16, rand.NewPCG(1, 4))
	fmt.Println("negative ELBO fell:", after.NegELBO < before.NegELBO)
	fmt.Println("the KL term is positive:", after.KL > 0)
	fmt.Println("samples:", samples.Len(), "×", samples.Dim())
	// Output:
	// negative ELBO fell: true
	// the KL term is positive: true
	// samples: 16 × 784
}
