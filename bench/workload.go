// Package bench holds zoo's standard training workloads and times them: the
// numbers behind `zoo bench`, `go test -bench . ./bench/` and
// scripts/bench_vs_pytorch.sh, which runs the same workloads in PyTorch.
//
// Every workload is float32, random data, plain SGD, built from the
// project's own models, losses, optimizers and training code, and timed per
// training step after a warm-up; the result is the median.
package bench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/train"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Workload is one standard training workload: a network at a batch size.
type Workload struct {
	// Name is "mlp" or "dae".
	Name string
	// Batch is the number of examples per training step.
	Batch int
}

// The networks.
const (
	// MLP is the classifier 784-1000-1000-1000-10 with sigmoid hidden units
	// and softmax cross-entropy, trained with train.Classifier.
	MLP = "mlp"
	// DAE is one denoising-autoencoder layer 784-1000-784 (untied
	// weights, sigmoid code and output), 25 % masking noise on the input,
	// mean squared error against the clean input.
	DAE = "dae"
)

// Inputs is the width of every workload's input (an MNIST image).
const Inputs = 784

// MaskLevel is the DAE's masking-noise level: the fraction of inputs zeroed.
const MaskLevel = 0.25

// LearningRate is the SGD learning rate of every workload.
const LearningRate = 0.01

// Standard returns the standard workloads: the two of the speed table
// (mlp and dae at batch 128), both at batch 32, and the MLP at batch 1,
// where the per-step overhead of the framework dominates.
func Standard() []Workload {
	return []Workload{{MLP, 128}, {DAE, 128}, {MLP, 32}, {DAE, 32}, {MLP, 1}}
}

// String is "mlp/128".
func (w Workload) String() string { return fmt.Sprintf("%s/%d", w.Name, w.Batch) }

// Parse reads "mlp" (batch 128) or "mlp/32".
func Parse(s string) (Workload, error) {
	name, batch, found := strings.Cut(strings.TrimSpace(s), "/")
	w := Workload{Name: name, Batch: 128}
	if found {
		if _, err := fmt.Sscanf(batch, "%d", &w.Batch); err != nil || w.Batch < 1 || fmt.Sprint(w.Batch) != batch {
			return Workload{}, fmt.Errorf("bench: workload %q: batch %q is not a positive integer", s, batch)
		}
	}
	if w.Name != MLP && w.Name != DAE {
		return Workload{}, fmt.Errorf("bench: unknown workload %q (known: dae, mlp; optionally /BATCH, e.g. mlp/32)", s)
	}
	return w, nil
}

// Layers returns the [in, out] shape of every weight matrix.
func (w Workload) Layers() [][2]int {
	if w.Name == DAE {
		return [][2]int{{Inputs, 1000}, {1000, Inputs}}
	}
	return [][2]int{{Inputs, 1000}, {1000, 1000}, {1000, 1000}, {1000, 10}}
}

// FLOPs returns the floating-point operations of one training step's
// matrix products: 2·B·in·out per layer forward and twice that backward
// (the input and the weight gradients), so 6·B·Σ in·out. Element-wise work
// is not counted.
func (w Workload) FLOPs() float64 {
	s := 0.0
	for _, l := range w.Layers() {
		s += float64(l[0]) * float64(l[1])
	}
	return 6 * float64(w.Batch) * s
}

// Stepper runs training steps of a built workload.
type Stepper interface {
	// Step takes one training step and returns its objective.
	Step() (float64, error)
	Close()
}

// Build creates the workload's model, optimizer and random data, drawing
// everything from seed.
func (w Workload) Build(seed uint64) (Stepper, error) {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	opt, err := optimizers.New(optimizers.Config{Name: "sgd", Hyper: map[string]float64{"lr": LearningRate}})
	if err != nil {
		return nil, err
	}
	switch w.Name {
	case MLP:
		return newMLP(w.Batch, opt, r)
	case DAE:
		return newDAE(w.Batch, opt, r)
	}
	return nil, fmt.Errorf("bench: unknown workload %q", w.Name)
}

// batches is the number of distinct random batches a workload cycles
// through.
const batches = 4

// mlpStepper trains the MLP through train.Classifier, as `zoo train` does.
type mlpStepper struct {
	task *train.Classifier
	data []*train.Batch
	i    int
}

func newMLP(batch int, opt optimizers.Optimizer, r *rand.Rand) (*mlpStepper, error) {
	hidden := []models.Layer{{Units: 1000, Activation: models.Sigmoid}, {Units: 1000, Activation: models.Sigmoid}, {Units: 1000, Activation: models.Sigmoid}}
	m, err := models.NewMLP(models.MLPConfig{Inputs: Inputs, Hidden: hidden, Classes: 10, DType: tensor.Float32}, r)
	if err != nil {
		return nil, err
	}
	task, err := train.NewClassifier(m, opt, train.ClassifierConfig{BatchSize: batch, EvalBatch: batch})
	if err != nil {
		return nil, err
	}
	s := &mlpStepper{task: task}
	for range batches {
		b := &train.Batch{X: uniform(r, batch*Inputs), Labels: make([]int, batch), N: batch}
		for i := range b.Labels {
			b.Labels[i] = r.IntN(10)
		}
		s.data = append(s.data, b)
	}
	return s, nil
}

func (s *mlpStepper) Step() (float64, error) {
	b := s.data[s.i%len(s.data)]
	s.i++
	return s.task.Step(b)
}

func (s *mlpStepper) Close() { s.task.Close() }

// daeStepper trains one denoising layer: a compiled graph of two
// models.Dense layers and losses.MSE, with the input masked by
// models.Corruption before every step as the autoencoder task does.
type daeStepper struct {
	vm           gorgonia.VM
	x, target    *gorgonia.Node
	xFeed, tFeed *tensor.Dense
	cost         *gorgonia.Node
	vgs          []gorgonia.ValueGrad
	opt          optimizers.Optimizer
	noise        models.Corruption
	r            *rand.Rand
	data         [][]float32
	i            int
}

func newDAE(batch int, opt optimizers.Optimizer, r *rand.Rand) (*daeStepper, error) {
	enc, err := models.NewDense("encoder.0", Inputs, 1000, models.Sigmoid, "", tensor.Float32, r)
	if err != nil {
		return nil, err
	}
	dec, err := models.NewDense("decoder.0", 1000, Inputs, models.Sigmoid, "", tensor.Float32, r)
	if err != nil {
		return nil, err
	}
	g := models.NewGraph(true)
	s := &daeStepper{
		opt:    opt,
		noise:  models.Corruption{Type: models.Masking, Level: MaskLevel},
		r:      r,
		x:      g.Input("x", tensor.Float32, batch, Inputs),
		target: g.Input("target", tensor.Float32, batch, Inputs),
		xFeed:  tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(batch, Inputs)),
		tFeed:  tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(batch, Inputs)),
	}
	h, err := enc.Forward(g, s.x)
	if err != nil {
		return nil, err
	}
	y, err := dec.Forward(g, h)
	if err != nil {
		return nil, err
	}
	per, err := losses.MSE(y, s.target)
	if err != nil {
		return nil, err
	}
	if s.cost, err = gorgonia.Mean(per); err != nil {
		return nil, err
	}
	params, err := g.Nodes(append(enc.Params(), dec.Params()...))
	if err != nil {
		return nil, err
	}
	if _, err := gorgonia.Grad(s.cost, params...); err != nil {
		return nil, err
	}
	// As train's programs do: compile only what the objective and the
	// parameters' gradients need (not the input's gradient).
	roots := gorgonia.Nodes{s.cost}
	for _, p := range params {
		roots = append(roots, p.Deriv())
	}
	s.vm = gorgonia.NewTapeMachine(g.G.SubgraphRoots(roots...), gorgonia.BindDualValues(params...))
	s.vgs = gorgonia.NodesToValueGrads(params)
	for range batches {
		s.data = append(s.data, uniform(r, batch*Inputs))
	}
	return s, nil
}

func (s *daeStepper) Step() (float64, error) {
	clean := s.data[s.i%len(s.data)]
	s.i++
	s.noise.Apply(s.xFeed.Float32s(), clean, s.r)
	copy(s.tFeed.Float32s(), clean)
	if err := gorgonia.Let(s.x, s.xFeed); err != nil {
		return 0, err
	}
	if err := gorgonia.Let(s.target, s.tFeed); err != nil {
		return 0, err
	}
	s.vm.Reset()
	if err := s.vm.RunAll(); err != nil {
		return 0, err
	}
	if err := s.opt.Step(s.vgs); err != nil {
		return 0, err
	}
	return float64(s.cost.Value().Data().(float32)), nil
}

func (s *daeStepper) Close() { s.vm.Close() }

func uniform(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = r.Float32()
	}
	return x
}

// finite reports whether a step's objective is a number.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
