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

// Train a one-hidden-layer MLP on 3,000 MNIST digits for two epochs. The
// two generators fix the initial weights and the order of the examples.
func Example() {
	data, err := datasets.MNIST()
	if err != nil {
		log.Fatal(err)
	}
	data = data.Limit(3000, 1000, 0)

	m, err := models.NewMLP(models.MLPConfig{
		Inputs:  784,
		Hidden:  []models.Layer{{Units: 64, Activation: models.ReLU}},
		Classes: 10,
	}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		log.Fatal(err)
	}
	opt, err := optimizers.New(optimizers.Config{Name: "momentum", Hyper: map[string]float64{"lr": 0.05}})
	if err != nil {
		log.Fatal(err)
	}
	task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: 50})
	if err != nil {
		log.Fatal(err)
	}
	defer task.Close()

	records, err := train.Run(context.Background(), task, data.Train, data.Validation,
		train.Config{Epochs: 2, Shuffle: rand.New(rand.NewPCG(1, 2))})
	if err != nil {
		log.Fatal(err)
	}
	last := records[len(records)-1]
	fmt.Println("updates:", last.Updates)
	fmt.Println("validation error under 15%:", last.Val.Error < 0.15)
	// Output:
	// updates: 120
	// validation error under 15%: true
}
