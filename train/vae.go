package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/internal/tape"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"gorgonia.org/gorgonia"
)

var _ Task = (*VAE)(nil)

// VAEConfig sets up the training of a variational autoencoder.
type VAEConfig struct {
	// BatchSize is the number of examples per update.
	BatchSize int
	// EvalBatch is the batch size of the evaluation graphs; 0 means
	// infer.DefaultBatch. It changes speed and memory, never results.
	EvalBatch int
	// Penalties are added to the training objective (weight decay).
	Penalties []Penalty
	// Random draws the noise ε of the reparameterisation before every
	// update (models.StandardNormal); required.
	Random rand.Source
	// EvalSeed seeds the noise of every evaluation (see infer.NewVAE), so
	// that evaluations draw nothing from Random.
	EvalSeed uint64
}

// VAE is the Task of training a variational autoencoder on the negative
// ELBO, −log p(x|z) + KL(q(z|x) ‖ p(z)) in nats per example with one z
// drawn per example per update (models.VAE.NegELBO). Its Metrics report
// the negative ELBO as the loss (HasError is false).
type VAE struct {
	model *models.VAE
	opt   optimizers.Optimizer
	cfg   VAEConfig
	train *tape.Program
	eval  *infer.VAE
}

// NewVAE compiles the training graph (input → q(z|x) → z → p(x|z) →
// negative ELBO, gradients) and the evaluation graphs over the same
// weights.
func NewVAE(m *models.VAE, opt optimizers.Optimizer, c VAEConfig) (*VAE, error) {
	if m == nil {
		return nil, fmt.Errorf("train: variational autoencoder: no model")
	}
	if opt == nil {
		return nil, fmt.Errorf("train: variational autoencoder: no optimizer")
	}
	if c.BatchSize < 1 {
		return nil, fmt.Errorf("train: batch size must be ≥ 1, got %d", c.BatchSize)
	}
	if noSource(c.Random) {
		return nil, fmt.Errorf("train: variational autoencoder: the noise of the reparameterisation needs a random generator (Random)")
	}
	if c.EvalBatch == 0 {
		c.EvalBatch = infer.DefaultBatch
	}
	t := &VAE{model: m, opt: opt, cfg: c}
	var err error
	if t.train, err = t.compile(c.BatchSize); err != nil {
		return nil, err
	}
	t.train.RNG = c.Random
	if t.eval, err = infer.NewVAE(m, c.EvalBatch, c.EvalSeed); err != nil {
		t.train.Close()
		return nil, fmt.Errorf("train: %w", err)
	}
	return t, nil
}

// compile builds the training graph for batches of n.
func (t *VAE) compile(n int) (*tape.Program, error) {
	g := models.NewGraph(true)
	x := g.Input("x", t.model.Mean.W.Value.Dtype(), n, t.model.Inputs())
	e, err := t.model.NegELBO(g, x, x)
	if err != nil {
		return nil, err
	}
	p := &tape.Program{Inputs: []*gorgonia.Node{x}, Per: e.Per}
	params, err := g.Nodes(t.model.Params())
	if err != nil {
		return nil, err
	}
	tg := &Graph{Graph: g, Input: x, Target: x, Logits: e.Logits, PerExample: e.Per}
	if err := compileTraining(tg, p, nil, params, t.cfg.Penalties); err != nil {
		return nil, err
	}
	return p, nil
}

// Model returns the variational autoencoder being trained.
func (t *VAE) Model() *models.VAE { return t.model }

// BatchSize implements Task.
func (t *VAE) BatchSize() int { return t.train.Inputs[0].Shape()[0] }

// SetLearningRate implements Task.
func (t *VAE) SetLearningRate(lr float64) { t.opt.SetLearningRate(lr) }

// LearningRate implements Task.
func (t *VAE) LearningRate() float64 { return t.opt.LearningRate() }

// Step implements Task: one update on the batch, with fresh noise. Labels
// are ignored.
func (t *VAE) Step(b *Batch) (float64, error) {
	if b.N != t.BatchSize() {
		return 0, fmt.Errorf("train: batch of %d examples, the graph takes %d", b.N, t.BatchSize())
	}
	if want := b.N * t.model.Inputs(); len(b.X) != want {
		return 0, fmt.Errorf("train: batch of %d values, the graph takes %d", len(b.X), want)
	}
	tape.FillRows(t.train.Feed[0], b.X)
	loss, err := t.train.Run()
	if err != nil {
		return loss, err
	}
	if err := t.opt.Step(t.train.VGs); err != nil {
		return 0, err
	}
	return loss, nil
}

// CheckSet implements SetChecker: s must have the model's inputs per
// example; labels are not needed.
func (t *VAE) CheckSet(s *datasets.Set) error { return t.eval.Check(s) }

// Evaluate implements Task: the mean negative ELBO of s in nats per
// example (see infer.VAE.ELBO).
func (t *VAE) Evaluate(s *datasets.Set) (infer.Metrics, error) { return t.eval.Evaluate(s) }

// ELBO returns the negative ELBO of s and its two terms.
func (t *VAE) ELBO(s *datasets.Set) (infer.ELBO, error) { return t.eval.ELBO(s) }

// Encode returns the codes μ(x) of the examples of s.
func (t *VAE) Encode(s *datasets.Set) (*datasets.Set, error) { return t.eval.Encode(s) }

// Reconstruct returns the decoding of each example's code, shaped like s.
func (t *VAE) Reconstruct(s *datasets.Set) (*datasets.Set, error) { return t.eval.Reconstruct(s) }

// Decode returns the pictures the decoder makes of the codes in codes.
func (t *VAE) Decode(codes *datasets.Set) (*datasets.Set, error) { return t.eval.Decode(codes) }

// Sample returns n pictures decoded from codes drawn from the prior with r.
func (t *VAE) Sample(n int, r rand.Source) (*datasets.Set, error) { return t.eval.Sample(n, r) }

// Params returns the model's parameters, which the training updates in place.
func (t *VAE) Params() []*models.Param { return t.model.Params() }

// Optimizer returns the optimizer, whose state a checkpoint saves.
func (t *VAE) Optimizer() optimizers.Optimizer { return t.opt }

// Close releases the compiled graphs.
func (t *VAE) Close() {
	t.train.Close()
	t.eval.Close()
}
