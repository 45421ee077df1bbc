package train_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/train"
	"gorgonia.org/gorgonia"
)

// smoothed is label smoothing (Szegedy et al., "Rethinking the Inception
// Architecture for Computer Vision", CVPR 2016, §7): the cross-entropy
// against (1 − ε)·y + ε/K instead of the one-hot y, which keeps the model
// from driving its logits apart without bound.
func smoothed(eps float32) losses.ClassificationFunc {
	return func(logits, y *gorgonia.Node) (*gorgonia.Node, error) {
		k := float32(y.Shape()[1])
		scaled, err := gorgonia.Mul(y, gorgonia.NewConstant(1-eps))
		if err != nil {
			return nil, err
		}
		soft, err := gorgonia.Add(scaled, gorgonia.NewConstant(eps/k))
		if err != nil {
			return nil, err
		}
		return losses.SoftmaxCrossEntropy(logits, soft)
	}
}

// blobs is n points of two features around one of three centres, labelled
// by their centre.
func blobs(name string, n int, r *rand.Rand) *datasets.Set {
	centres := [][2]float32{{0, 2}, {2, -1}, {-2, -1}}
	s := &datasets.Set{Name: name, Shape: []int{2}, Classes: 3, Labels: make([]int, n)}
	for i := range n {
		c := r.IntN(3)
		s.Labels[i] = c
		s.X = append(s.X, centres[c][0]+0.5*float32(r.NormFloat64()), centres[c][1]+0.5*float32(r.NormFloat64()))
	}
	return s
}

// A classifier trained on a loss of one's own: a function building the
// per-example loss on the graph, here label-smoothed cross-entropy.
// Evaluate still reports the plain cross-entropy and the error rate.
func ExampleClassifierConfig_lossFunc() {
	r := rand.New(rand.NewPCG(7, 7))
	trainSet, val := blobs("blobs/train", 600, r), blobs("blobs/val", 300, r)

	m, err := models.NewMLP(models.MLPConfig{Inputs: 2, Hidden: []models.Layer{{Units: 16, Activation: models.ReLU}}, Classes: 3}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		log.Fatal(err)
	}
	opt, err := optimizers.NewAdam(optimizers.AdamConfig{LR: 0.01})
	if err != nil {
		log.Fatal(err)
	}
	task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: 20, LossFunc: smoothed(0.1)})
	if err != nil {
		log.Fatal(err)
	}
	defer task.Close()
	records, err := train.Run(context.Background(), task, trainSet, val, train.Config{Epochs: 5, Shuffle: rand.New(rand.NewPCG(1, 2))})
	if err != nil {
		log.Fatal(err)
	}
	last := records[len(records)-1]
	fmt.Println("validation error under 5%:", last.Val.Error < 0.05)
	// The smoothed targets' own entropy is a floor under the training
	// loss, −(1 − ε + ε/K)·log(1 − ε + ε/K) − (K − 1)·ε/K·log(ε/K), about
	// 0.29 here: the loss that trained was the function's.
	fmt.Println("training loss above the floor 0.29:", last.TrainLoss > 0.29)
	// Output:
	// validation error under 5%: true
	// training loss above the floor 0.29: true
}

// A penalty on the model's outputs, reached through the nodes a Penalty
// is handed: β times the mean squared logit ("logit squeezing"), which
// keeps the model from growing over-confident. Input, Target and
// PerExample are there too (see train.Graph).
func ExamplePenalty() {
	r := rand.New(rand.NewPCG(7, 7))
	trainSet, val := blobs("blobs/train", 600, r), blobs("blobs/val", 300, r)
	squeeze := func(beta float32) train.Penalty {
		return func(g *train.Graph) (*gorgonia.Node, error) {
			sq, err := gorgonia.Square(g.Logits)
			if err != nil {
				return nil, err
			}
			mean, err := gorgonia.Mean(sq)
			if err != nil {
				return nil, err
			}
			return gorgonia.Mul(mean, gorgonia.NewConstant(beta))
		}
	}
	// confidence trains with the penalties and returns the validation
	// error and the mean probability of the predicted class.
	confidence := func(penalties ...train.Penalty) (float64, float64) {
		m, err := models.NewMLP(models.MLPConfig{Inputs: 2, Hidden: []models.Layer{{Units: 16, Activation: models.ReLU}}, Classes: 3}, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			log.Fatal(err)
		}
		opt, err := optimizers.NewAdam(optimizers.AdamConfig{LR: 0.01})
		if err != nil {
			log.Fatal(err)
		}
		task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: 20, Penalties: penalties})
		if err != nil {
			log.Fatal(err)
		}
		defer task.Close()
		records, err := train.Run(context.Background(), task, trainSet, val, train.Config{Epochs: 5, Shuffle: rand.New(rand.NewPCG(1, 2))})
		if err != nil {
			log.Fatal(err)
		}
		c, err := infer.NewClassifier(m, 0)
		if err != nil {
			log.Fatal(err)
		}
		defer c.Close()
		preds, err := c.Classify(val)
		if err != nil {
			log.Fatal(err)
		}
		sum := 0.0
		for _, p := range preds {
			sum += p.Probabilities[p.Class]
		}
		return records[len(records)-1].Val.Error, sum / float64(len(preds))
	}
	plainErr, plainConf := confidence()
	squeezedErr, squeezedConf := confidence(squeeze(0.5))
	fmt.Println("both under 5% error:", plainErr < 0.05 && squeezedErr < 0.05)
	fmt.Println("squeezed model less confident:", squeezedConf < plainConf)
	// Output:
	// both under 5% error: true
	// squeezed model less confident: true
}
