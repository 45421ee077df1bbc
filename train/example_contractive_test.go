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
	"github.com/gorgonia-zoo/zoo/regularizers"
	"github.com/gorgonia-zoo/zoo/train"
)

// Train a contractive autoencoder 784→64→784 (sigmoid code, tied weights,
// the penalty λ‖J_f(x)‖²_F) and the same network without the penalty,
// from the same weights on the same batches, and compare their encoders'
// Jacobians on new digits.
func ExampleContractive() {
	data, err := datasets.MNIST()
	if err != nil {
		log.Fatal(err)
	}
	data = data.Limit(2000, 500, 0)

	jacobian := func(lambda float64) float64 {
		m, err := models.NewAutoencoder(models.AutoencoderConfig{
			Inputs:  784,
			Encoder: []models.Layer{{Units: 64, Activation: models.Sigmoid}},
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
		c := train.AutoencoderConfig{BatchSize: 50, Loss: losses.ReconstructionBCE}
		if lambda > 0 {
			c.Penalties = []train.Penalty{train.Contractive(m, lambda)}
		}
		task, err := train.NewAutoencoder(m, opt, c)
		if err != nil {
			log.Fatal(err)
		}
		defer task.Close()
		if _, err := train.Run(context.Background(), task, data.Train, nil,
			train.Config{Epochs: 2, Shuffle: rand.New(rand.NewPCG(1, 2))}); err != nil {
			log.Fatal(err)
		}
		// The mean ‖J_f(x)‖²_F over the validation digits, in closed form.
		codes, err := task.Encode(data.Validation)
		if err != nil {
			log.Fatal(err)
		}
		w := make([]float32, 784*64)
		for i, v := range m.Encoder[0].W.Float64s() {
			w[i] = float32(v)
		}
		sum := 0.0
		for i := range codes.Len() {
			sum += regularizers.ContractiveNorm(codes.Row(i), w, 784)
		}
		return sum / float64(codes.Len())
	}
	plain, contractive := jacobian(0), jacobian(0.01)
	fmt.Println("the penalty shrank the Jacobian:", contractive < plain/2)
	// Output:
	// the penalty shrank the Jacobian: true
}
