// Command own-data trains a classifier from Go on your own CSV files: a
// header row, a column of integer classes, every other column a number.
//
//	go run ./examples/own-data                                   # the files in testdata
//	go run ./examples/own-data train.csv test.csv species        # yours
//
// datasets.LoadCSV reads the files (the examples' width and the classes
// come from the data, and a fifth of the training rows is kept for
// validation); models.NewMLP builds the network, train.Run trains it, and
// infer.NewClassifier measures and uses it without the optimizer.
package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/train"
)

func main() {
	trainFile, testFile, label := "examples/own-data/testdata/train.csv", "examples/own-data/testdata/test.csv", "label"
	if len(os.Args) == 4 {
		trainFile, testFile, label = os.Args[1], os.Args[2], os.Args[3]
	} else if len(os.Args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: own-data [TRAIN.csv TEST.csv LABEL_COLUMN]")
		os.Exit(2)
	}
	if err := run(trainFile, testFile, label); err != nil {
		fmt.Fprintln(os.Stderr, "own-data:", err)
		os.Exit(1)
	}
}

// run trains an MLP on the CSV files and reports on the test file.
func run(trainFile, testFile, label string) error {
	data, err := datasets.LoadCSV(datasets.Request{
		Files:           map[string]string{"train": trainFile, "test": testFile},
		Label:           label,
		ValidationSplit: 0.2,
	})
	if err != nil {
		return err
	}
	fmt.Printf("%d training, %d validation, %d test rows of %d features; %d classes\n",
		data.Train.Len(), data.Validation.Len(), data.Test.Len(), data.Train.Dim(), data.Train.Classes)

	m, err := models.NewMLP(models.MLPConfig{
		Inputs:  data.Train.Dim(),
		Hidden:  []models.Layer{{Units: 16, Activation: models.ReLU}},
		Classes: data.Train.Classes,
	}, rand.New(rand.NewPCG(1, 1))) // the seed fixes the initial weights
	if err != nil {
		return err
	}
	opt, err := optimizers.NewMomentum(optimizers.MomentumConfig{LR: 0.1}) // momentum 0.9, the default
	if err != nil {
		return err
	}
	task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: 10})
	if err != nil {
		return err
	}
	records, err := train.Run(context.Background(), task, data.Train, data.Validation,
		train.Config{Epochs: 10, Shuffle: rand.New(rand.NewPCG(1, 2))})
	task.Close()
	if err != nil {
		return err
	}
	fmt.Printf("validation error after %d epochs: %.1f%%\n", len(records), 100*records[len(records)-1].Val.Error)

	c, err := infer.NewClassifier(m, 0)
	if err != nil {
		return err
	}
	defer c.Close()
	test, err := c.Evaluate(data.Test)
	if err != nil {
		return err
	}
	fmt.Printf("test error: %.1f%%\n", 100*test.Error)
	preds, err := c.Classify(data.Test.Slice(0, 3))
	if err != nil {
		return err
	}
	for i, p := range preds {
		fmt.Printf("test row %d: class %d (label %d)\n", i+1, p.Class, data.Test.Labels[i])
	}
	return nil
}
