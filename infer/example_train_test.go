package infer_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/train"
)

// Build a classifier, train it on 2,000 MNIST digits for three epochs, and
// predict with its forward graph alone: inference needs no optimizer and
// no training task.
func Example_buildTrainPredict() {
	data, err := datasets.MNIST()
	if err != nil {
		log.Fatal(err)
	}
	data = data.Limit(2000, 0, 500)

	m, err := models.NewMLP(models.MLPConfig{
		Inputs:  data.Train.Dim(),
		Hidden:  []models.Layer{{Units: 64, Activation: models.ReLU}},
		Classes: data.Train.Classes,
	}, rand.New(rand.NewPCG(1, 2)))
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
	if _, err := train.Run(context.Background(), task, data.Train, nil, train.Config{Epochs: 3, Shuffle: rand.New(rand.NewPCG(1, 3))}); err != nil {
		log.Fatal(err)
	}
	task.Close()

	c, err := infer.NewClassifier(m, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	pred, err := c.Classify(data.Test.Slice(0, 3))
	if err != nil {
		log.Fatal(err)
	}
	for i, p := range pred {
		fmt.Printf("digit %d: class %d (label %d)\n", i, p.Class, data.Test.Labels[i])
	}
	test, err := c.Evaluate(data.Test)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("test error below 20%:", test.Error < 0.2)
	// Output:
	// digit 0: class 7 (label 7)
	// digit 1: class 2 (label 2)
	// digit 2: class 1 (label 1)
	// test error below 20%: true
}
