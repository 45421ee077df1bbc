// Command sdae-own-data trains a stacked denoising autoencoder on data of
// one's own, from Go: greedy layer-wise pretraining of the encoders, each
// a denoising autoencoder on the codes of the layers below (Vincent et al.
// 2010, "Stacked Denoising Autoencoders", JMLR 11), then fine-tuning of the
// whole network with a softmax layer on the labels.
//
//	go run ./examples/sdae-own-data
//
// The data are plain Go arrays, []float32 and []int, made into a
// datasets.Set: here 8×8 pictures of one bar each, horizontal (class 0),
// vertical (1) or diagonal (2), at a random place, with speckle noise.
// The inputs are in [0, 1], so the first stage reconstructs them through a
// sigmoid with the binary cross-entropy (train.StageOutput); for real-valued
// inputs, set that stage's Output to models.Linear and its Loss to
// losses.ReconstructionMSE.
package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/train"
)

func main() {
	if _, err := run(os.Stdout, 1); err != nil {
		fmt.Fprintln(os.Stderr, "sdae-own-data:", err)
		os.Exit(1)
	}
}

// side is the pictures' width and height.
const side = 8

// bars returns n pictures of side×side values in [0, 1], row-major, one
// after another, and their classes: a bar across (0), down (1) or along
// the diagonal (2), shifted at random, each pixel flipped with
// probability 0.05.
func bars(n int, r *rand.Rand) (x []float32, labels []int) {
	x = make([]float32, n*side*side)
	labels = make([]int, n)
	for i := range n {
		pic := x[i*side*side : (i+1)*side*side]
		c, at := r.IntN(3), r.IntN(side)
		for j := range side {
			switch c {
			case 0:
				pic[at*side+j] = 1
			case 1:
				pic[j*side+at] = 1
			case 2:
				pic[j*side+(j+at)%side] = 1
			}
		}
		for p := range pic {
			if r.Float64() < 0.05 {
				pic[p] = 1 - pic[p]
			}
		}
		labels[i] = c
	}
	return x, labels
}

// run pretrains and fine-tunes a 64-32-16-3 network on 600 pictures,
// validating on 200, reports to w and returns the error rate on 200 test
// pictures. Every random choice comes from seed.
func run(w io.Writer, seed uint64) (float64, error) {
	// One's own arrays become a Set: the shape of one example, the labels
	// and the number of classes. Validate checks they agree.
	x, labels := bars(1000, rand.New(rand.NewPCG(seed, 0)))
	all := &datasets.Set{Name: "bars", X: x, Shape: []int{side, side}, Labels: labels, Classes: 3}
	if err := all.Validate(); err != nil {
		return 0, err
	}
	trainSet, val, test := all.Slice(0, 600), all.Slice(600, 800), all.Slice(800, 1000)

	hidden := []models.Layer{{Units: 32, Activation: models.Sigmoid}, {Units: 16, Activation: models.Sigmoid}}
	stack, err := models.NewStacked(models.MLPConfig{Inputs: side * side, Hidden: hidden, Classes: 3}, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		return 0, err
	}

	// Pretraining: one stage per hidden layer, each with its own optimizer;
	// a quarter of each stage's inputs is masked, and the decoder is tied
	// to the encoder.
	var stages []train.Stage
	for k := range hidden {
		opt, err := optimizers.NewAdam(optimizers.AdamConfig{LR: 0.01})
		if err != nil {
			return 0, err
		}
		stages = append(stages, train.NewStage(hidden, k, train.StageOptions{
			Epochs: 5, Optimizer: opt, Corruption: models.Corruption{Type: models.Masking, Level: 0.25}, Tied: true, Seed: seed,
		}))
	}
	layers, err := train.Pretrain(context.Background(), stack, trainSet, val, train.PretrainConfig{Stages: stages, BatchSize: 20})
	if err != nil {
		return 0, err
	}
	for _, r := range layers {
		if r.Epoch == stages[r.Layer].Epochs {
			fmt.Fprintf(w, "layer %d of %d pretrained: validation reconstruction loss %.3f\n", r.Layer+1, len(stages), r.Val.Loss)
		}
	}

	// Fine-tuning: the pretrained encoders and the output layer, trained
	// together on the labels as one MLP.
	opt, err := optimizers.NewAdam(optimizers.AdamConfig{LR: 0.005})
	if err != nil {
		return 0, err
	}
	task, err := train.NewClassifier(stack.MLP, opt, train.ClassifierConfig{BatchSize: 20})
	if err != nil {
		return 0, err
	}
	defer task.Close()
	records, err := train.Run(context.Background(), task, trainSet, val, train.Config{Epochs: 10, Shuffle: rand.New(rand.NewPCG(seed, 2))})
	if err != nil {
		return 0, err
	}
	last := records[len(records)-1]
	fmt.Fprintf(w, "fine-tuned %d epochs: validation error %.1f%%\n", len(records), 100*last.Val.Error)

	m, err := task.Evaluate(test)
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(w, "test error %.1f%% on %d pictures\n", 100*m.Error, m.N)
	return m.Error, nil
}
