package train

import (
	"fmt"

	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
)

// Clone returns an independent copy of the classifier: a new MLP with a copy
// of the current weights, a new optimizer of the same name and
// hyper-parameters carrying a copy of the optimizer's state (step count,
// learning rate, buffers), and graphs compiled anew. Training the copy leaves
// t unchanged, and the copy may train in another goroutine while t is idle.
//
// The copy is compiled with c, whose zero fields keep t's settings:
// BatchSize, EvalBatch, Loss, MaxNorm and Noise. The Classifier does not keep
// the penalties it was built with, so c.Penalties must repeat them for the
// copy to optimize the same objective. c.Random (for dropout masks) and
// c.NoiseRandom (for input noise) must be generators of the copy's own when
// the model needs them: a *rand.Rand is not safe for concurrent use.
func (t *Classifier) Clone(c ClassifierConfig) (*Classifier, error) {
	if c.BatchSize == 0 {
		c.BatchSize = t.BatchSize()
	}
	if c.EvalBatch == 0 {
		c.EvalBatch = t.evalN
	}
	if c.Loss == "" {
		c.Loss = t.loss
	}
	if c.MaxNorm == 0 {
		c.MaxNorm = t.maxNorm
	}
	if !c.Noise.Active() && t.noise.Active() {
		c.Noise = t.noise
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
