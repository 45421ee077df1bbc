package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Classifier trains an MLP with softmax cross-entropy.
type Classifier struct {
	model *models.MLP
	opt   optimizers.Optimizer
	train *program
	eval  *program
	evalN int
}

// ClassifierConfig sets the batch sizes of a Classifier.
type ClassifierConfig struct {
	BatchSize int // examples per update
	// EvalBatch is the batch size of the inference graph used by Evaluate;
	// 0 means 1000. It changes speed and memory, never results.
	EvalBatch int
	// Penalties are added to the training objective.
	Penalties []Penalty
	// Random draws the graph's random inputs (dropout masks, noise) at
	// every update; needed only when the model has some.
	Random *rand.Rand
}

// NewClassifier compiles the training graph (forward, loss, gradients) and an
// inference graph over the same weights.
func NewClassifier(m *models.MLP, opt optimizers.Optimizer, c ClassifierConfig) (*Classifier, error) {
	if c.BatchSize < 1 {
		return nil, fmt.Errorf("train: batch size must be ≥ 1, got %d", c.BatchSize)
	}
	if c.EvalBatch == 0 {
		c.EvalBatch = 1000
	}
	t := &Classifier{model: m, opt: opt, evalN: c.EvalBatch}
	var err error
	if t.train, err = t.compile(c.BatchSize, true, c.Penalties); err != nil {
		return nil, err
	}
	t.train.rng = c.Random
	if t.eval, err = t.compile(c.EvalBatch, false, nil); err != nil {
		return nil, err
	}
	return t, nil
}

// compile builds x → logits → per-example cross-entropy for batches of n.
func (t *Classifier) compile(n int, learn bool, penalties []Penalty) (*program, error) {
	cfg := t.model.Config
	g := models.NewGraph(learn)
	dt := t.model.Layers[0].W.Value.Dtype()
	x := g.Input("x", dt, n, cfg.Inputs)
	y := g.Input("y", dt, n, cfg.Classes)
	logits, err := t.model.Logits(g, x)
	if err != nil {
		return nil, err
	}
	per, err := losses.SoftmaxCrossEntropy(logits, y)
	if err != nil {
		return nil, err
	}
	p := &program{inputs: []*gorgonia.Node{x, y}, per: per, out: logits}
	if learn {
		params, err := g.Nodes(t.model.Params())
		if err != nil {
			return nil, err
		}
		if err := p.compileTraining(g, params, penalties); err != nil {
			return nil, err
		}
	} else {
		p.compileInference(g)
	}
	return p, nil
}

// BatchSize implements Task.
func (t *Classifier) BatchSize() int { return t.train.inputs[0].Shape()[0] }

// SetLearningRate implements Task.
func (t *Classifier) SetLearningRate(lr float64) { t.opt.SetLearningRate(lr) }

// LearningRate implements Task.
func (t *Classifier) LearningRate() float64 { return t.opt.LearningRate() }

// Step implements Task.
func (t *Classifier) Step(b *Batch) (float64, error) {
	if b.N != t.BatchSize() {
		return 0, fmt.Errorf("train: batch of %d examples, the graph takes %d", b.N, t.BatchSize())
	}
	fillRows(t.train.feed[0], b.X)
	fillOneHot(t.train.feed[1], b.Labels, b.N)
	loss, err := t.train.run()
	if err != nil {
		return 0, err
	}
	if err := t.opt.Step(t.train.vgs); err != nil {
		return 0, err
	}
	return loss, nil
}

// Evaluate implements Task: mean cross-entropy and error rate over s.
func (t *Classifier) Evaluate(s *datasets.Set) (Metrics, error) {
	if s.Labels == nil {
		return Metrics{}, fmt.Errorf("train: evaluate %s: a classifier needs labels", s.Name)
	}
	var lossSum float64
	wrong := 0
	err := datasets.Chunks(s.Len(), t.evalN, func(from, to int) error {
		n := to - from
		fillRows(t.eval.feed[0], s.X[from*s.Dim():to*s.Dim()])
		fillOneHot(t.eval.feed[1], s.Labels[from:to], n)
		if _, err := t.eval.run(); err != nil {
			return err
		}
		per := float64s(t.eval.per.Value())
		logits := float64s(t.eval.out.Value())
		k := t.model.Config.Classes
		for i := 0; i < n; i++ {
			lossSum += per[i]
			if argmax(logits[i*k:(i+1)*k]) != s.Labels[from+i] {
				wrong++
			}
		}
		return nil
	})
	if err != nil {
		return Metrics{}, fmt.Errorf("train: evaluate %s: %w", s.Name, err)
	}
	n := float64(s.Len())
	return Metrics{Loss: lossSum / n, Error: float64(wrong) / n, HasError: true, N: s.Len()}, nil
}

// Predict returns the most likely class of each example of s.
func (t *Classifier) Predict(s *datasets.Set) ([]int, error) {
	out := make([]int, s.Len())
	k := t.model.Config.Classes
	err := datasets.Chunks(s.Len(), t.evalN, func(from, to int) error {
		fillRows(t.eval.feed[0], s.X[from*s.Dim():to*s.Dim()])
		fillOneHot(t.eval.feed[1], nil, 0)
		if _, err := t.eval.run(); err != nil {
			return err
		}
		logits := float64s(t.eval.out.Value())
		for i := range to - from {
			out[from+i] = argmax(logits[i*k : (i+1)*k])
		}
		return nil
	})
	return out, err
}

// Params returns the model's parameters, which the training updates in place.
func (t *Classifier) Params() []*models.Param { return t.model.Params() }

// Optimizer returns the optimizer, whose state a checkpoint saves.
func (t *Classifier) Optimizer() optimizers.Optimizer { return t.opt }

// Close releases the compiled graphs.
func (t *Classifier) Close() {
	t.train.close()
	t.eval.close()
}

func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// fillOneHot writes one-hot rows for labels into t and zeroes the rest, so a
// padded evaluation batch has all-zero target rows (whose loss is 0).
func fillOneHot(t *tensor.Dense, labels []int, n int) {
	k := t.Shape()[1]
	switch d := t.Data().(type) {
	case []float32:
		clear(d)
		for i := range n {
			d[i*k+labels[i]] = 1
		}
	case []float64:
		clear(d)
		for i := range n {
			d[i*k+labels[i]] = 1
		}
	}
}
