package train

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/internal/tape"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"gorgonia.org/gorgonia"
)

var _ Task = (*Autoencoder)(nil)

// AutoencoderConfig sets up the training of an autoencoder.
type AutoencoderConfig struct {
	// BatchSize is the number of examples per update.
	BatchSize int
	// EvalBatch is the batch size of the inference graph used by Evaluate,
	// Encode and Reconstruct; 0 means infer.DefaultBatch. It changes speed
	// and memory, never results.
	EvalBatch int
	// Loss is the reconstruction loss; "" means MSE. BCE needs the model's
	// output to be models.Sigmoid.
	Loss losses.Reconstruction
	// Corruption is applied to each training batch's input, never to the
	// target: with an active corruption this is a denoising autoencoder,
	// trained on L(x, g(f(x̃))). Evaluation never corrupts.
	Corruption models.Corruption
	// Penalties are added to the training objective (for example a
	// sparsity penalty on the code, whose node is
	// g.Activations[model.CodeName()]).
	Penalties []Penalty
	// Random draws the corruption of every batch and the graph's random
	// inputs, if any; it is needed when either is present. A *rand.PCG
	// (what rng.Source and rand.NewPCG return) lets masking and
	// salt-and-pepper noise share its draws between cores; any other
	// source draws the same numbers on one core (see
	// models.Corruption.Apply).
	Random rand.Source
}

// Autoencoder is the Task of training an autoencoder to reconstruct its
// input. Its Metrics report the reconstruction loss (HasError is false).
type Autoencoder struct {
	model   models.Reconstructor
	opt     optimizers.Optimizer
	cfg     AutoencoderConfig
	train   *tape.Program
	eval    *infer.Autoencoder
	corrupt []float32   // scratch for the corrupted batch
	ahead   *noiseAhead // draws the next batch's noise; nil if it cannot
}

// NewAutoencoder compiles the training graph (corrupted input → code →
// reconstruction → loss against the clean input, gradients) and an inference
// graph over the same weights. m is an *models.Autoencoder or an
// *models.ConvAutoencoder.
func NewAutoencoder(m models.Reconstructor, opt optimizers.Optimizer, c AutoencoderConfig) (*Autoencoder, error) {
	if noModel(m) {
		return nil, fmt.Errorf("train: autoencoder: no model")
	}
	if opt == nil {
		return nil, fmt.Errorf("train: autoencoder: no optimizer")
	}
	if c.BatchSize < 1 {
		return nil, fmt.Errorf("train: batch size must be ≥ 1, got %d", c.BatchSize)
	}
	if c.EvalBatch == 0 {
		c.EvalBatch = infer.DefaultBatch
	}
	if c.Loss == "" {
		c.Loss = losses.ReconstructionMSE
	}
	switch c.Loss {
	case losses.ReconstructionMSE:
	case losses.ReconstructionBCE:
		if m.Output() != models.Sigmoid {
			return nil, fmt.Errorf("train: the bce reconstruction loss needs a sigmoid output, the model's is %q", m.Output())
		}
	default:
		return nil, fmt.Errorf("train: unknown reconstruction loss %q (known: bce, mse)", c.Loss)
	}
	if err := c.Corruption.Validate(); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if c.Corruption.Active() && noSource(c.Random) {
		return nil, fmt.Errorf("train: corruption %s needs a random generator", c.Corruption)
	}
	t := &Autoencoder{model: m, opt: opt, cfg: c, corrupt: make([]float32, c.BatchSize*m.Inputs())}
	var err error
	if t.train, err = t.compile(c.BatchSize); err != nil {
		return nil, err
	}
	if !noSource(c.Random) {
		t.train.RNG = c.Random
	}
	if !t.train.HasRandom() {
		// Random inputs (dropout) draw from the same generator during the
		// step, after the corruption: noise drawn ahead would never match.
		t.ahead = newNoiseAhead(c.Corruption, c.Random)
	}
	if t.eval, err = infer.NewAutoencoder(m, c.Loss, c.EvalBatch); err != nil {
		t.train.Close()
		return nil, fmt.Errorf("train: %w", err)
	}
	return t, nil
}

// compile builds the training graph x → r → per-example loss against the
// target, with gradients, for batches of n. Its forward part is the
// inference graph's (infer.Autoencoder) with dropout, if any.
func (t *Autoencoder) compile(n int) (*tape.Program, error) {
	g := models.NewGraph(true)
	dt := t.model.DType()
	d := t.model.Inputs()
	x := g.Input("x", dt, n, d)
	target := g.Input("target", dt, n, d)
	z, err := t.model.Logits(g, x)
	if err != nil {
		return nil, err
	}
	// r = Output(z) is the reconstruction; the bce loss does not need it.
	r := z
	if t.cfg.Loss != losses.ReconstructionBCE {
		if r, err = t.model.Output().Apply(z); err != nil {
			return nil, err
		}
	}
	per, err := t.cfg.Loss.PerExample(z, r, target)
	if err != nil {
		return nil, err
	}
	p := &tape.Program{Inputs: []*gorgonia.Node{x, target}, Per: per, Out: r}
	params, err := g.Nodes(t.model.Params())
	if err != nil {
		return nil, err
	}
	tg := &Graph{Graph: g, Input: x, Target: target, Logits: z, PerExample: per}
	if err := compileTraining(tg, p, nil, params, t.cfg.Penalties); err != nil {
		return nil, err
	}
	return p, nil
}

// Model returns the autoencoder being trained.
func (t *Autoencoder) Model() models.Reconstructor { return t.model }

// Corruption returns the corruption applied to training inputs.
func (t *Autoencoder) Corruption() models.Corruption { return t.cfg.Corruption }

// BatchSize implements Task.
func (t *Autoencoder) BatchSize() int { return t.train.Inputs[0].Shape()[0] }

// SetLearningRate implements Task.
func (t *Autoencoder) SetLearningRate(lr float64) { t.opt.SetLearningRate(lr) }

// LearningRate implements Task.
func (t *Autoencoder) LearningRate() float64 { return t.opt.LearningRate() }

// Step implements Task: it corrupts the batch (when denoising), feeds the
// corrupted copy as the input and the clean batch as the target, and takes
// one update. Labels are ignored.
func (t *Autoencoder) Step(b *Batch) (float64, error) {
	if b.N != t.BatchSize() {
		return 0, fmt.Errorf("train: batch of %d examples, the graph takes %d", b.N, t.BatchSize())
	}
	if len(b.X) != len(t.corrupt) {
		return 0, fmt.Errorf("train: batch of %d values, the graph takes %d", len(b.X), len(t.corrupt))
	}
	if t.ahead != nil {
		t.ahead.corrupt(t.corrupt, b.X)
	} else {
		t.cfg.Corruption.Apply(t.corrupt, b.X, t.cfg.Random)
	}
	tape.FillRows(t.train.Feed[0], t.corrupt)
	tape.FillRows(t.train.Feed[1], b.X)
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
// example (infer.Autoencoder.Check); labels are not needed.
func (t *Autoencoder) CheckSet(s *datasets.Set) error { return t.eval.Check(s) }

// Evaluate implements Task: the mean reconstruction loss of the clean
// inputs of s (no corruption, no penalty), through the inference graph.
func (t *Autoencoder) Evaluate(s *datasets.Set) (infer.Metrics, error) { return t.eval.Evaluate(s) }

// Encode returns the codes h = f(x) of the examples of s (see
// infer.Autoencoder.Encode).
func (t *Autoencoder) Encode(s *datasets.Set) (*datasets.Set, error) { return t.eval.Encode(s) }

// Reconstruct returns g(f(x)) for the examples of s, shaped like s.
func (t *Autoencoder) Reconstruct(s *datasets.Set) (*datasets.Set, error) {
	return t.eval.Reconstruct(s)
}

// Corrupt returns a copy of s corrupted as for training, drawn from r.
func (t *Autoencoder) Corrupt(s *datasets.Set, r rand.Source) *datasets.Set {
	out := &datasets.Set{Name: s.Name + " corrupted", X: make([]float32, len(s.X)), Shape: slices.Clone(s.Shape), Labels: s.Labels, Classes: s.Classes}
	t.cfg.Corruption.Apply(out.X, s.X, r)
	return out
}

// Params returns the model's parameters, which the training updates in place.
func (t *Autoencoder) Params() []*models.Param { return t.model.Params() }

// Optimizer returns the optimizer, whose state a checkpoint saves.
func (t *Autoencoder) Optimizer() optimizers.Optimizer { return t.opt }

// Close releases the compiled graphs.
func (t *Autoencoder) Close() {
	t.ahead.wait()
	t.train.Close()
	t.eval.Close()
}

// OnCode turns an activation penalty (regularizers.ActivationL1 or
// regularizers.KLSparsity with their coefficients bound) into a Penalty on
// the code h of m, for a sparse autoencoder.
func OnCode(m models.Reconstructor, f func(h *gorgonia.Node) (*gorgonia.Node, error)) Penalty {
	name := m.CodeName()
	return func(g *Graph) (*gorgonia.Node, error) {
		h, ok := g.Activations[name]
		if !ok {
			return nil, fmt.Errorf("train: the graph has no code layer %s", name)
		}
		return f(h)
	}
}

// noModel reports whether m is nil, a nil model, or a dense autoencoder
// without layers.
func noModel(m models.Reconstructor) bool {
	switch a := m.(type) {
	case nil:
		return true
	case *models.Autoencoder:
		return a == nil || len(a.Encoder) == 0
	case *models.ConvAutoencoder:
		return a == nil || len(a.Encoder) == 0
	}
	return false
}

// noSource reports whether s is nil or a nil generator.
func noSource(s rand.Source) bool {
	switch g := s.(type) {
	case nil:
		return true
	case *rand.Rand:
		return g == nil
	case *rand.PCG:
		return g == nil
	}
	return false
}
