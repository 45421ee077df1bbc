package train_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/train"
)

// Hooks watch a run and may stop it. Here one collects every epoch's mean
// training loss, and the next stops the run, with its own error, once that
// loss falls under 0.2: the first has heard of the epoch already. The data are 400 points of the plane, labelled
// by the side of the line y = x they fall on.
func ExampleRun() {
	r := rand.New(rand.NewPCG(1, 1))
	set := &datasets.Set{Name: "halfplanes", Shape: []int{2}, Classes: 2}
	for range 400 {
		x, y := r.Float32()*2-1, r.Float32()*2-1
		label := 0
		if y > x {
			label = 1
		}
		set.X = append(set.X, x, y)
		set.Labels = append(set.Labels, label)
	}
	m, err := models.NewMLP(models.MLPConfig{Inputs: 2, Classes: 2}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		log.Fatal(err)
	}
	opt, err := optimizers.New(optimizers.Config{Name: "sgd", Hyper: map[string]float64{"lr": 0.5}})
	if err != nil {
		log.Fatal(err)
	}
	task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: 20})
	if err != nil {
		log.Fatal(err)
	}
	defer task.Close()

	var losses []float64
	collect := train.EpochEndFunc(func(r train.Record) error {
		losses = append(losses, r.TrainLoss)
		return nil
	})
	errGoodEnough := errors.New("good enough")
	stop := train.EpochEndFunc(func(r train.Record) error {
		if r.TrainLoss < 0.2 {
			return errGoodEnough
		}
		return nil
	})
	records, err := train.Run(context.Background(), task, set, nil, train.Config{
		Epochs: 20, Shuffle: rand.New(rand.NewPCG(1, 3)), Hooks: []train.Hook{collect, stop},
	})
	for i, l := range losses {
		fmt.Printf("epoch %d: mean training loss %.3f\n", i+1, l)
	}
	fmt.Println("finished epochs:", len(records))
	fmt.Println("stopped by the hook:", errors.Is(err, errGoodEnough))
	// Output:
	// epoch 1: mean training loss 0.418
	// epoch 2: mean training loss 0.265
	// epoch 3: mean training loss 0.219
	// epoch 4: mean training loss 0.195
	// finished epochs: 4
	// stopped by the hook: true
}
