package experiments

import (
	"fmt"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/regularizers"
	"github.com/gorgonia-zoo/zoo/train"
	"gorgonia.org/gorgonia"
)

// overfitSetup is the deliberately over-fitting setting shared by
// early-stopping and regularization: few training digits, some with wrong
// labels, and a network big enough to memorise them all. The two
// experiments draw the wrong labels, the initial weights and the batch
// order from the same streams (overfit/…), so for one seed they train the
// very same network on the very same data.
type overfitSetup struct {
	train, val, test int
	// noise is the fraction of training labels replaced by another digit,
	// drawn with the seed: a big network learns the clean pattern first
	// and then memorises the wrong labels, which is over-fitting that a
	// short budget can show.
	noise  float64
	hidden []models.Layer
	batch  int
	epochs int
	lr     float64 // momentum SGD, γ = 0.9
	// patience is early-stopping's initial patience, in epochs.
	patience int
}

func overfittingSetup(quick bool) overfitSetup {
	s := overfitSetup{
		train: 1000, val: 2000, test: 0, noise: 0.2,
		hidden: []models.Layer{{Units: 256, Activation: models.ReLU}, {Units: 256, Activation: models.ReLU}},
		batch:  50, epochs: 60, lr: 0.02, patience: 10,
	}
	if quick {
		s.train, s.val, s.test, s.epochs, s.patience = 300, 500, 1000, 15, 3
		s.hidden = []models.Layer{{Units: 128, Activation: models.ReLU}, {Units: 128, Activation: models.ReLU}}
	}
	return s
}

// describe is the setup in a sentence, for reports.
func (s overfitSetup) describe(data *datasets.Splits, flipped int) string {
	return fmt.Sprintf("The over-fitting setup: the first %d MNIST training digits, %d of them (%.0f %%, drawn with the seed) with their label replaced by another digit, "+
		"an MLP far bigger than that (784-%d-%d-10, ReLU, %d weights), momentum SGD (lr %g, γ 0.9, batch %d) for %d epochs (%d updates). "+
		"Validation: the first %d digits of MNIST's validation split; test: %d test digits (both with their true labels).",
		data.Train.Len(), flipped, 100*s.noise, s.hidden[0].Units, s.hidden[1].Units, 784*s.hidden[0].Units+s.hidden[0].Units*s.hidden[1].Units+s.hidden[1].Units*10,
		s.lr, s.batch, s.epochs, s.epochs*(data.Train.Len()/s.batch), data.Validation.Len(), data.Test.Len())
}

// overfitData loads the setup's data, with the training labels made
// noisy; it returns the number of labels changed.
func overfitData(l *lab, s overfitSetup) (*datasets.Splits, int, error) {
	data, err := l.mnist(s.train, s.val, s.test)
	if err != nil {
		return nil, 0, err
	}
	noisy, flipped := withLabelNoise(l, s, data)
	return noisy, flipped, nil
}

// withLabelNoise returns data with a fraction s.noise of its training
// labels replaced by another digit, drawn with the lab's seed, and the
// number changed; data itself is left alone.
func withLabelNoise(l *lab, s overfitSetup, data *datasets.Splits) (*datasets.Splits, int) {
	out := *data
	noisy := *data.Train
	noisy.Name += fmt.Sprintf(" (%.0f %% wrong labels)", 100*s.noise)
	noisy.Labels = append([]int(nil), data.Train.Labels...)
	r := l.shared("overfit/label-noise")
	flipped := 0
	for i := range noisy.Labels {
		if r.Float64() < s.noise {
			noisy.Labels[i] = (noisy.Labels[i] + 1 + r.IntN(9)) % 10
			flipped++
		}
	}
	out.Train = &noisy
	return &out, flipped
}

// overfitTask builds the setup's classifier with the given dropout,
// penalties and input noise; every task starts from the same weights.
func overfitTask(l *lab, s overfitSetup, drop models.Dropout, penalties []train.Penalty, noise regularizers.Noise, src *rand.PCG) (*train.Classifier, *models.MLP, error) {
	m, err := l.mlpFrom(l.shared("overfit/init"), 784, s.hidden, 10, drop)
	if err != nil {
		return nil, nil, err
	}
	opt, err := optimizers.New(optimizers.Config{Name: "momentum", Hyper: map[string]float64{"lr": s.lr, "momentum": 0.9}})
	if err != nil {
		return nil, nil, l.errorf("%w", err)
	}
	// Dropout masks and input noise draw from one stream, src: the masks
	// from the PCG itself, shared between cores.
	c := train.ClassifierConfig{BatchSize: s.batch, Penalties: penalties, Random: src}
	if noise.Active() {
		c.NoiseRandom, c.Noise = rand.New(src), noise
	}
	task, err := train.NewClassifier(m, opt, c)
	if err != nil {
		return nil, nil, l.errorf("%w", err)
	}
	return task, m, nil
}

// weightPenalty is a penalty f(λ, every weight matrix of the graph), such
// as regularizers.L1 or regularizers.L2.
func weightPenalty(lambda float64, f func(float64, ...*gorgonia.Node) (*gorgonia.Node, error)) train.Penalty {
	return func(g *train.Graph) (*gorgonia.Node, error) {
		ws, err := regularizers.Select(g.G, regularizers.WeightPattern)
		if err != nil {
			return nil, err
		}
		return f(lambda, ws...)
	}
}

// overfitShuffle is the batch order of the over-fitting setup.
func overfitShuffle(l *lab) *rand.Rand { return l.shared("overfit/shuffle") }
