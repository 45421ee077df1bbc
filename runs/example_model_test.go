package runs_test

import (
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/runs"
)

// ExampleSaveModel saves a model built in Go with its architecture, and
// loads it back from the file alone into an inference graph (no optimizer).
func ExampleSaveModel() {
	dir, err := os.MkdirTemp("", "zoo-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	m, err := models.NewMLP(models.MLPConfig{
		Inputs:  4,
		Hidden:  []models.Layer{{Units: 8, Activation: models.ReLU}},
		Classes: 3,
	}, rand.New(rand.NewPCG(1, 2))) // or a trained model
	if err != nil {
		log.Fatal(err)
	}
	path := filepath.Join(dir, "model.safetensors")
	if err := runs.SaveModel(path, m); err != nil {
		log.Fatal(err)
	}

	info, err := runs.ReadModelInfo(path) // the header only
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.Family, info.MLP.Inputs, "inputs,", info.MLP.Classes, "classes,", len(info.Tensors), "tensors")

	loaded, err := runs.LoadMLP(path) // or runs.LoadModel, for either family
	if err != nil {
		log.Fatal(err)
	}
	c, err := infer.NewClassifier(loaded, 0)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	classes, err := c.Predict(&datasets.Set{Name: "mine", Shape: []int{4}, X: []float32{
		1, 0, 0, 0,
		0, 1, 1, 0,
		0, 0, 0, 1,
	}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("classes:", classes)
	// Output:
	// mlp 4 inputs, 3 classes, 4 tensors
	// classes: [1 0 1]
}

// ExampleLoadModel loads a model file of either family and serves it with
// the inference graph of its kind: a classifier's predictions, an
// autoencoder's codes.
func ExampleLoadModel() {
	dir, err := os.MkdirTemp("", "zoo-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ae, err := models.NewAutoencoder(models.AutoencoderConfig{
		Inputs:  4,
		Encoder: []models.Layer{{Units: 2, Activation: models.Sigmoid}},
		Output:  models.Sigmoid,
		Tied:    true,
	}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		log.Fatal(err)
	}
	path := filepath.Join(dir, "ae.safetensors")
	if err := runs.SaveModel(path, ae); err != nil {
		log.Fatal(err)
	}

	m, err := runs.LoadModel(path)
	if err != nil {
		log.Fatal(err)
	}
	x := &datasets.Set{Name: "mine", Shape: []int{4}, X: []float32{1, 0, 0, 1, 0, 1, 1, 0}}
	switch m := m.(type) {
	case *models.MLP:
		c, err := infer.NewClassifier(m, 0)
		if err != nil {
			log.Fatal(err)
		}
		defer c.Close()
		classes, err := c.Predict(x)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("classes:", classes)
	case *models.Autoencoder:
		a, err := infer.NewAutoencoder(m, losses.ReconstructionBCE, 0)
		if err != nil {
			log.Fatal(err)
		}
		defer a.Close()
		codes, err := a.Encode(x)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("autoencoder:", codes.Len(), "codes of", codes.Dim(), "units")
	}
	// Output:
	// autoencoder: 2 codes of 2 units
}
