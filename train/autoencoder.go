package train

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"gorgonia.org/gorgonia"
)

var _ Task = (*Autoencoder)(nil)

// ReconstructionLoss names the loss L(x, r) between an input and its
// reconstruction. Both are averaged over the features, so they read the same
// whatever the input size: (1/d) Σ_j L(x_j, r_j).
type ReconstructionLoss string

// The reconstruction losses.
const (
	// MSE is the squared error (r_j − x_j)², for any output activation.
	MSE ReconstructionLoss = "mse"
	// BCE is the binary cross-entropy −[x_j log r_j + (1−x_j) log(1−r_j)],
	// for inputs in [0, 1] and a sigmoid output; it is computed from the
	// output's logits (losses.BinaryCrossEntropyWithLogits), so it stays
	// finite when the sigmoid saturates.
	BCE ReconstructionLoss = "bce"
)

// ReconstructionLosses lists the loss names, sorted.
func ReconstructionLosses() []string { return []string{string(BCE), string(MSE)} }

// AutoencoderConfig sets up the training of an autoencoder.
type AutoencoderConfig struct {
	// BatchSize is the number of examples per update.
	BatchSize int
	// EvalBatch is the batch size of the inference graph used by Evaluate,
	// Encode and Reconstruct; 0 means 1000. It changes speed and memory,
	// never results.
	EvalBatch int
	// Loss is the reconstruction loss; "" means MSE. BCE needs the model's
	// output to be models.Sigmoid.
	Loss ReconstructionLoss
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
	model   *models.Autoencoder
	opt     optimizers.Optimizer
	cfg     AutoencoderConfig
	train   *program
	eval    *program
	code    *gorgonia.Node // the eval graph's code
	corrupt []float32      // scratch for the corrupted batch
	ahead   *noiseAhead    // draws the next batch's noise; nil if it cannot
}

// NewAutoencoder compiles the training graph (corrupted input → code →
// reconstruction → loss against the clean input, gradients) and an inference
// graph over the same weights.
func NewAutoencoder(m *models.Autoencoder, opt optimizers.Optimizer, c AutoencoderConfig) (*Autoencoder, error) {
	if c.BatchSize < 1 {
		return nil, fmt.Errorf("train: batch size must be ≥ 1, got %d", c.BatchSize)
	}
	if c.EvalBatch == 0 {
		c.EvalBatch = 1000
	}
	if c.Loss == "" {
		c.Loss = MSE
	}
	switch c.Loss {
	case MSE:
	case BCE:
		if m.Config.Output != models.Sigmoid {
			return nil, fmt.Errorf("train: the bce reconstruction loss needs a sigmoid output, the model's is %q", m.Config.Output)
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
	if t.train, err = t.compile(c.BatchSize, true); err != nil {
		return nil, err
	}
	if !noSource(c.Random) {
		t.train.rng = c.Random
	}
	if len(t.train.random) == 0 {
		// Random inputs (dropout) draw from the same generator during the
		// step, after the corruption: noise drawn ahead would never match.
		t.ahead = newNoiseAhead(c.Corruption, c.Random)
	}
	if t.eval, err = t.compile(c.EvalBatch, false); err != nil {
		t.train.close()
		return nil, err
	}
	return t, nil
}

// compile builds x → r → per-example loss against t for batches of n.
func (t *Autoencoder) compile(n int, learn bool) (*program, error) {
	g := models.NewGraph(learn)
	dt := t.model.Encoder[0].W.Value.Dtype()
	d := t.model.Inputs()
	x := g.Input("x", dt, n, d)
	target := g.Input("target", dt, n, d)
	z, err := t.model.Logits(g, x)
	if err != nil {
		return nil, err
	}
	// r = Output(z) is the reconstruction; a training graph with the bce
	// loss does not need it.
	r := z
	if !learn || t.cfg.Loss != BCE {
		if r, err = t.model.Config.Output.Apply(z); err != nil {
			return nil, err
		}
	}
	var per *gorgonia.Node
	switch t.cfg.Loss {
	case BCE:
		per, err = losses.BinaryCrossEntropyWithLogits(z, target)
	default:
		per, err = losses.MSE(r, target)
	}
	if err != nil {
		return nil, err
	}
	p := &program{inputs: []*gorgonia.Node{x, target}, per: per, out: r}
	if learn {
		params, err := g.Nodes(t.model.Params())
		if err != nil {
			return nil, err
		}
		if err := p.compileTraining(g, params, t.cfg.Penalties); err != nil {
			return nil, err
		}
	} else {
		t.code = g.Activations[t.model.CodeName()]
		p.compileInference(g)
	}
	return p, nil
}

// Model returns the autoencoder being trained.
func (t *Autoencoder) Model() *models.Autoencoder { return t.model }

// Corruption returns the corruption applied to training inputs.
func (t *Autoencoder) Corruption() models.Corruption { return t.cfg.Corruption }

// BatchSize implements Task.
func (t *Autoencoder) BatchSize() int { return t.train.inputs[0].Shape()[0] }

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
	fillRows(t.train.feed[0], t.corrupt)
	fillRows(t.train.feed[1], b.X)
	loss, err := t.train.run()
	if err != nil {
		return loss, err
	}
	if err := t.opt.Step(t.train.vgs); err != nil {
		return 0, err
	}
	return loss, nil
}

// Evaluate implements Task: the mean reconstruction loss of the clean
// inputs of s (no corruption, no penalty).
func (t *Autoencoder) Evaluate(s *datasets.Set) (Metrics, error) {
	var sum float64
	err := t.forEach(s, func(from, n int) {
		for _, l := range float64s(t.eval.per.Value())[:n] {
			sum += l
		}
	})
	if err != nil {
		return Metrics{}, fmt.Errorf("train: evaluate %s: %w", s.Name, err)
	}
	return Metrics{Loss: sum / float64(s.Len()), N: s.Len()}, nil
}

// Encode returns the codes h = f(x) of the examples of s, as a set of the
// same examples (labels kept) with CodeUnits features each.
func (t *Autoencoder) Encode(s *datasets.Set) (*datasets.Set, error) {
	k := t.model.CodeUnits()
	out := &datasets.Set{Name: s.Name + " codes", X: make([]float32, s.Len()*k), Shape: []int{k}, Labels: s.Labels, Classes: s.Classes}
	err := t.forEach(s, func(from, n int) {
		copyFloat32s(out.X[from*k:(from+n)*k], t.code.Value())
	})
	if err != nil {
		return nil, fmt.Errorf("train: encode %s: %w", s.Name, err)
	}
	return out, nil
}

// Reconstruct returns g(f(x)) for the examples of s, shaped like s.
func (t *Autoencoder) Reconstruct(s *datasets.Set) (*datasets.Set, error) {
	d := s.Dim()
	out := &datasets.Set{Name: s.Name + " reconstructions", X: make([]float32, len(s.X)), Shape: slices.Clone(s.Shape), Labels: s.Labels, Classes: s.Classes}
	err := t.forEach(s, func(from, n int) {
		copyFloat32s(out.X[from*d:(from+n)*d], t.eval.out.Value())
	})
	if err != nil {
		return nil, fmt.Errorf("train: reconstruct %s: %w", s.Name, err)
	}
	return out, nil
}

// Corrupt returns a copy of s corrupted as for training, drawn from r.
func (t *Autoencoder) Corrupt(s *datasets.Set, r rand.Source) *datasets.Set {
	out := &datasets.Set{Name: s.Name + " corrupted", X: make([]float32, len(s.X)), Shape: slices.Clone(s.Shape), Labels: s.Labels, Classes: s.Classes}
	t.cfg.Corruption.Apply(out.X, s.X, r)
	return out
}

// forEach runs the inference graph over s in chunks (the last one padded
// with zero rows) and calls fn with each chunk's first index and size while
// the graph's values are readable.
func (t *Autoencoder) forEach(s *datasets.Set, fn func(from, n int)) error {
	if s.Dim() != t.model.Inputs() {
		return fmt.Errorf("examples have %d features, the autoencoder takes %d", s.Dim(), t.model.Inputs())
	}
	return datasets.Chunks(s.Len(), t.cfg.EvalBatch, func(from, to int) error {
		rows := s.X[from*s.Dim() : to*s.Dim()]
		fillRows(t.eval.feed[0], rows)
		fillRows(t.eval.feed[1], rows)
		if _, err := t.eval.run(); err != nil {
			return err
		}
		fn(from, to-from)
		return nil
	})
}

// Params returns the model's parameters, which the training updates in place.
func (t *Autoencoder) Params() []*models.Param { return t.model.Params() }

// Optimizer returns the optimizer, whose state a checkpoint saves.
func (t *Autoencoder) Optimizer() optimizers.Optimizer { return t.opt }

// Close releases the compiled graphs.
func (t *Autoencoder) Close() {
	t.ahead.wait()
	t.train.close()
	t.eval.close()
}

// copyFloat32s copies the leading len(dst) elements of v into dst.
func copyFloat32s(dst []float32, v gorgonia.Value) {
	switch d := v.Data().(type) {
	case []float32:
		copy(dst, d)
	case []float64:
		for i := range dst {
			dst[i] = float32(d[i])
		}
	}
}

// OnCode turns an activation penalty (regularizers.ActivationL1 or
// regularizers.KLSparsity with their coefficients bound) into a Penalty on
// the code h of m, for a sparse autoencoder.
func OnCode(m *models.Autoencoder, f func(h *gorgonia.Node) (*gorgonia.Node, error)) Penalty {
	name := m.CodeName()
	return func(g *models.Graph) (*gorgonia.Node, error) {
		h, ok := g.Activations[name]
		if !ok {
			return nil, fmt.Errorf("train: the graph has no code layer %s", name)
		}
		return f(h)
	}
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
