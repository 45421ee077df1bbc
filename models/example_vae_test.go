package models_test

import (
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/models"
)

// ExampleNewVAE builds vae-mnist's variational autoencoder: a hidden
// encoder layer, the two linear heads of q(z|x) and a mirrored decoder
// ending in sigmoid units, the Bernoulli means of p(x|z).
func ExampleNewVAE() {
	v, err := models.NewVAE(models.VAEConfig{
		Inputs:  784,
		Encoder: []models.Layer{{Units: 400, Activation: models.ReLU}},
		Latent:  20,
	}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range v.Layers() {
		fmt.Println(l.Name(), l.In(), "→", l.Out(), l.Act)
	}
	fmt.Println(models.Count(v.Params()), "parameters")
	// Output:
	// encoder.0 784 → 400 relu
	// latent.mean 400 → 20 linear
	// latent.logvar 400 → 20 linear
	// decoder.0 20 → 400 relu
	// decoder.1 400 → 784 sigmoid
	// 652824 parameters
}
