package train

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/internal/fused"
	"github.com/gorgonia-zoo/zoo/internal/tape"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/regularizers"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Classifier trains an MLP with softmax cross-entropy.
type Classifier struct {
	model *models.MLP
	opt   optimizers.Optimizer
	train *tape.Program
	eval  *infer.Classifier
	evalN int

	loss     losses.Classification
	lossFunc losses.ClassificationFunc
	noise    regularizers.Noise
	noiseRNG *rand.Rand
	noisy    []float32 // the noisy batch, reused
	maxNorm  float64
	// penalties are the ones the training graph was built with, for Clone.
	penalties []Penalty
}

// ClassifierConfig sets the batch sizes of a Classifier.
type ClassifierConfig struct {
	BatchSize int // examples per update
	// EvalBatch is the batch size of the inference graph used by Evaluate;
	// 0 means infer.DefaultBatch. It changes speed and memory, never results.
	EvalBatch int
	// Penalties are added to the training objective.
	Penalties []Penalty
	// Random draws the graph's random inputs (dropout masks) at every
	// update; needed only when the model has some. A *rand.PCG (what
	// rng.Source and rand.NewPCG return) lets the masks share its draws
	// between cores; any other source draws the same numbers on one core.
	Random rand.Source
	// Noise is input-noise augmentation applied to every training batch,
	// drawn from NoiseRandom. The stochastic method scores its candidates
	// with the inference graph (no dropout); the adaptive one is not
	// available here.
	Noise       regularizers.Noise
	NoiseRandom *rand.Rand
	// MaxNorm, if > 0, rescales each weight column (the incoming weights of
	// a unit) to an L2 norm of at most MaxNorm after every update.
	MaxNorm float64
	// Loss is the training loss: losses.ClassificationCrossEntropy ("" means
	// it) or, for two classes, losses.ClassificationDice: 1 − D over the
	// batch of the positive class's softmax probability against its
	// indicator (losses.Dice, batch form, with a smoothing term of 1), the
	// lecture's loss for imbalanced classes. Evaluate always reports the
	// cross-entropy, and the error rate.
	Loss losses.Classification
	// LossFunc, if set, is the training loss instead of Loss (which must
	// then be ""): a function building the per-example loss on the graph
	// from the logits and the one-hot labels (see losses.ClassificationFunc);
	// the objective is its mean, plus the penalties. Like Loss it changes
	// training only: Evaluate still reports the cross-entropy.
	LossFunc losses.ClassificationFunc
}

// NewClassifier compiles the training graph (forward, loss, gradients) and an
// inference graph over the same weights.
func NewClassifier(m *models.MLP, opt optimizers.Optimizer, c ClassifierConfig) (*Classifier, error) {
	if m == nil || len(m.Layers) == 0 {
		return nil, fmt.Errorf("train: classifier: no model")
	}
	if opt == nil {
		return nil, fmt.Errorf("train: classifier: no optimizer")
	}
	if c.BatchSize < 1 {
		return nil, fmt.Errorf("train: batch size must be ≥ 1, got %d", c.BatchSize)
	}
	if c.EvalBatch == 0 {
		c.EvalBatch = infer.DefaultBatch
	}
	if err := c.Noise.Validate(); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if c.Noise.Active() {
		if c.Noise.Method == regularizers.Adaptive {
			return nil, fmt.Errorf("train: adaptive input noise is not available for classifiers; use random or stochastic")
		}
		if c.NoiseRandom == nil {
			return nil, fmt.Errorf("train: input noise needs a random generator (ClassifierConfig.NoiseRandom)")
		}
	}
	if !(c.MaxNorm >= 0) {
		return nil, fmt.Errorf("train: max-norm must be ≥ 0, got %v", c.MaxNorm)
	}
	t := &Classifier{model: m, opt: opt, evalN: c.EvalBatch, noise: c.Noise, noiseRNG: c.NoiseRandom, maxNorm: c.MaxNorm, penalties: c.Penalties}
	var err error
	if c.LossFunc != nil && c.Loss != "" {
		return nil, fmt.Errorf("train: both a loss name (%q) and a loss function are given; set one", c.Loss)
	}
	t.lossFunc = c.LossFunc
	if c.Loss == "" {
		c.Loss = losses.ClassificationCrossEntropy
	}
	if err := c.Loss.Validate(); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if c.Loss == losses.ClassificationDice && m.Config.Classes != 2 {
		return nil, fmt.Errorf("train: the dice loss needs 2 classes, the model has %d", m.Config.Classes)
	}
	t.loss = c.Loss
	if t.train, err = t.compile(c.BatchSize, c.Penalties); err != nil {
		return nil, err
	}
	if !noSource(c.Random) {
		t.train.RNG = c.Random
	}
	if t.eval, err = infer.NewClassifier(m, c.EvalBatch); err != nil {
		t.train.Close()
		return nil, fmt.Errorf("train: %w", err)
	}
	return t, nil
}

// compile builds the training graph x → logits → per-example cross-entropy
// (and the dice objective when asked) for batches of n, with gradients.
// Its forward part is the inference graph's (infer.Classifier) with dropout.
func (t *Classifier) compile(n int, penalties []Penalty) (*tape.Program, error) {
	cfg := t.model.Config
	g := models.NewGraph(true)
	dt := t.model.Layers[0].W.Value.Dtype()
	x := g.Input("x", dt, n, cfg.Inputs)
	y := g.Input("y", dt, n, cfg.Classes)
	logits, err := t.model.Logits(g, x)
	if err != nil {
		return nil, err
	}
	var per *gorgonia.Node
	if t.lossFunc != nil {
		if per, err = t.lossFunc(logits, y); err != nil {
			return nil, fmt.Errorf("train: loss function: %w", err)
		}
		if per == nil || !slices.Equal([]int(per.Shape()), []int{n}) {
			return nil, fmt.Errorf("train: the loss function must return one loss per example, shape [%d]; got %v", n, shapeOf(per))
		}
	} else if per, err = losses.SoftmaxCrossEntropy(logits, y); err != nil {
		return nil, err
	}
	p := &tape.Program{Inputs: []*gorgonia.Node{x, y}, Per: per, Out: logits}
	params, err := g.Nodes(t.model.Params())
	if err != nil {
		return nil, err
	}
	var obj *gorgonia.Node
	if t.loss == losses.ClassificationDice {
		if obj, err = diceObjective(g, logits, y); err != nil {
			return nil, err
		}
	}
	tg := &Graph{Graph: g, Input: x, Target: y, Logits: logits, PerExample: per}
	if err := compileTraining(tg, p, obj, params, penalties); err != nil {
		return nil, err
	}
	return p, nil
}

// shapeOf describes n's shape for a message.
func shapeOf(n *gorgonia.Node) string {
	if n == nil {
		return "no node"
	}
	return fmt.Sprint(n.Shape())
}

// BatchSize implements Task.
func (t *Classifier) BatchSize() int { return t.train.Inputs[0].Shape()[0] }

// SetLearningRate implements Task.
func (t *Classifier) SetLearningRate(lr float64) { t.opt.SetLearningRate(lr) }

// LearningRate implements Task.
func (t *Classifier) LearningRate() float64 { return t.opt.LearningRate() }

// Step implements Task.
func (t *Classifier) Step(b *Batch) (float64, error) {
	if b.N != t.BatchSize() {
		return 0, fmt.Errorf("train: batch of %d examples, the graph takes %d", b.N, t.BatchSize())
	}
	if want := b.N * t.model.Config.Inputs; len(b.X) != want {
		return 0, fmt.Errorf("train: batch of %d values, the graph takes %d (%d examples of %d features)", len(b.X), want, b.N, t.model.Config.Inputs)
	}
	if len(b.Labels) < b.N {
		return 0, fmt.Errorf("train: batch of %d examples with %d labels", b.N, len(b.Labels))
	}
	if err := t.eval.CheckLabels(b.Labels[:b.N]); err != nil {
		return 0, fmt.Errorf("train: batch: %w", err)
	}
	x := b.X
	if t.noise.Active() {
		if len(t.noisy) != len(b.X) {
			t.noisy = make([]float32, len(b.X))
		}
		score := func(cand []float32) ([]float64, error) { return t.eval.PerExample(cand, b.Labels[:b.N]) }
		if err := t.noise.Apply(t.noisy, b.X, len(b.X)/b.N, t.noiseRNG, score, nil); err != nil {
			return 0, fmt.Errorf("train: input noise: %w", err)
		}
		x = t.noisy
	}
	tape.FillRows(t.train.Feed[0], x)
	tape.FillOneHot(t.train.Feed[1], b.Labels, b.N)
	loss, err := t.train.Run()
	if err != nil {
		return loss, err
	}
	if err := t.opt.Step(t.train.VGs); err != nil {
		return 0, err
	}
	if t.maxNorm > 0 {
		for _, l := range t.model.Layers {
			if _, err := regularizers.MaxNorm(l.W.Value, t.maxNorm); err != nil {
				return 0, err
			}
		}
	}
	return loss, nil
}

// CheckSet implements SetChecker: s must have the model's inputs per
// example and labels of at most its classes (infer.Classifier.CheckLabelled).
func (t *Classifier) CheckSet(s *datasets.Set) error { return t.eval.CheckLabelled(s) }

// Evaluate implements Task: mean cross-entropy and error rate over s,
// through the inference graph.
func (t *Classifier) Evaluate(s *datasets.Set) (infer.Metrics, error) { return t.eval.Evaluate(s) }

// diceSmooth is the smoothing term s of the training Dice loss
// (losses.Dice): D = (2Σpg + s)/(Σp² + Σg² + s). With s near 0 a batch
// without positives gives ∂D/∂p ≈ −2p/(Σp²)², which blows the weights up as
// p shrinks (measured: NaN within 63 updates at lr 0.05); s = 1, the usual
// choice in Dice implementations, keeps it bounded.
const diceSmooth = 1.0

// diceObjective is 1 − D of the positive class (column 1): its softmax
// probability against the targets' column, over the whole batch. With two
// classes that probability is σ(l₁ − l₀), computed as such: the difference
// is a product with the constant [−1, 1]ᵀ (a [batch, 1] matrix, as
// losses.Dice wants), and σ never overflows. (Gorgonia's SoftMax takes each
// row's maximum from the batch's first element, so a row whose logits lie
// far above that one's overflowed to NaN.) The targets' column is taken by
// a product with [0, 1]ᵀ.
func diceObjective(g *models.Graph, logits, y *gorgonia.Node) (*gorgonia.Node, error) {
	column := func(name string, a, b float64) *gorgonia.Node {
		var t *tensor.Dense
		if logits.Dtype() == tensor.Float32 {
			t = tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float32{float32(a), float32(b)}))
		} else {
			t = tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float64{a, b}))
		}
		return gorgonia.NewConstant(t, gorgonia.WithName(name))
	}
	diff, err := gorgonia.Mul(logits, column("dice.difference", -1, 1))
	if err != nil {
		return nil, fmt.Errorf("train: dice: %w", err)
	}
	p, err := fused.Sigmoid(diff)
	if err != nil {
		return nil, fmt.Errorf("train: dice: %w", err)
	}
	truth, err := gorgonia.Mul(y, column("dice.positive", 0, 1))
	if err != nil {
		return nil, fmt.Errorf("train: dice: %w", err)
	}
	// A batch without positives would make D = 0/0 or blow up near it.
	return losses.Dice(p, truth, false, diceSmooth)
}

// EvaluatePredict is Evaluate and Predict in one pass over s (see
// infer.Classifier.EvaluatePredict).
func (t *Classifier) EvaluatePredict(s *datasets.Set) (infer.Metrics, []int, error) {
	return t.eval.EvaluatePredict(s)
}

// Predict returns the most likely class of each example of s (see
// infer.Classifier.Predict).
func (t *Classifier) Predict(s *datasets.Set) ([]int, error) { return t.eval.Predict(s) }

// Params returns the model's parameters, which the training updates in place.
func (t *Classifier) Params() []*models.Param { return t.model.Params() }

// Optimizer returns the optimizer, whose state a checkpoint saves.
func (t *Classifier) Optimizer() optimizers.Optimizer { return t.opt }

// Close releases the compiled graphs.
func (t *Classifier) Close() {
	t.train.Close()
	t.eval.Close()
}
