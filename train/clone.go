package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/schedules"
)

// Clone returns an independent copy of the classifier: a new MLP with a copy
// of the current weights, a new optimizer of the same name and
// hyper-parameters carrying a copy of the optimizer's state (step count,
// learning rate, buffers), and graphs compiled anew. Training the copy leaves
// t unchanged, and the copy may train in another goroutine while t is idle.
//
// The copy is compiled with c, whose zero fields keep t's settings:
// BatchSize, EvalBatch, the loss (Loss or LossFunc, when c sets neither),
// MaxNorm, Noise and Penalties (nil keeps the penalties t was built with,
// so the copy optimizes the same objective). c.Random (for dropout masks)
// and c.NoiseRandom (for input noise) must be generators of the copy's own when
// the model needs them: a *rand.Rand is not safe for concurrent use.
func (t *Classifier) Clone(c ClassifierConfig) (*Classifier, error) {
	if c.BatchSize == 0 {
		c.BatchSize = t.BatchSize()
	}
	if c.EvalBatch == 0 {
		c.EvalBatch = t.evalN
	}
	if c.Loss == "" && c.LossFunc == nil {
		if t.lossFunc != nil {
			c.LossFunc = t.lossFunc
		} else {
			c.Loss = t.loss
		}
	}
	if c.MaxNorm == 0 {
		c.MaxNorm = t.maxNorm
	}
	if !c.Noise.Active() && t.noise.Active() {
		c.Noise = t.noise
	}
	if c.Penalties == nil {
		c.Penalties = t.penalties
	}
	opt, err := cloneOptimizer(t.opt)
	if err != nil {
		return nil, err
	}
	cp, err := NewClassifier(t.model.Clone(), opt, c)
	if err != nil {
		return nil, fmt.Errorf("train: clone: %w", err)
	}
	return cp, nil
}

var _ schedules.Searchable = (*Classifier)(nil)

// NewProbe implements schedules.Searchable, for the adaptive learning-rate
// heuristic: a Clone of t with its own generators, random for dropout masks
// and noise for input noise, whose inference graph takes at most evalSize
// examples (at most t's own evaluation batch), and whose Reset brings it
// back to t's current weights and optimizer state.
func (t *Classifier) NewProbe(random, noise *rand.PCG, evalSize int) (schedules.Probe, error) {
	cp, err := t.Clone(ClassifierConfig{
		Random:      random,
		NoiseRandom: rand.New(noise),
		EvalBatch:   min(t.evalN, evalSize), // speed only
	})
	if err != nil {
		return nil, err
	}
	return &probe{task: cp, src: t}, nil
}

// probe is a Classifier's schedules.Probe: a clone of src.
type probe struct {
	task, src *Classifier
}

func (p *probe) Reset() error               { return p.task.loadFrom(p.src) }
func (p *probe) SetLearningRate(lr float64) { p.task.SetLearningRate(lr) }
func (p *probe) Close()                     { p.task.Close() }

func (p *probe) Step(x []float32, labels []int) (float64, error) {
	return p.task.Step(&Batch{X: x, Labels: labels, N: len(labels)})
}

func (p *probe) Loss(s *datasets.Set) (float64, error) {
	m, err := p.task.Evaluate(s)
	return m.Loss, err
}

// loadFrom sets t's weights and optimizer state to src's, in place, so a
// copy made by Clone can be brought back to the state of its original
// without compiling its graphs again.
func (t *Classifier) loadFrom(src *Classifier) error {
	if err := models.CopyParams(t.model.Params(), src.model.Params()); err != nil {
		return fmt.Errorf("train: load state: %w", err)
	}
	if err := t.opt.SetState(src.opt.State()); err != nil {
		return fmt.Errorf("train: load state: %w", err)
	}
	return nil
}

// cloneOptimizer returns a new optimizer with o's name, hyper-parameters
// (AggMo's betas included) and state.
func cloneOptimizer(o optimizers.Optimizer) (optimizers.Optimizer, error) {
	c := optimizers.Config{Name: o.Name(), Hyper: o.Hyper()}
	if b, ok := o.(interface{ Betas() []float64 }); ok {
		c.Betas = b.Betas()
	}
	cp, err := optimizers.New(c)
	if err != nil {
		return nil, fmt.Errorf("train: clone optimizer: %w", err)
	}
	if err := cp.SetState(o.State()); err != nil {
		return nil, fmt.Errorf("train: clone optimizer: %w", err)
	}
	return cp, nil
}
