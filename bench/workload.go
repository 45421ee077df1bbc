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
	"gorgonia.org/tensor"
)

// Workload is one standard training workload: a network at a batch size.
type Workload struct {
	// Name is "mlp", "dae" or "conv".
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
	// mean squared error against the clean input, trained with
	// train.Autoencoder.
	DAE = "dae"
	// Conv is conv-ae-mnist's convolutional autoencoder: 28×28×1 pictures,
	// 3×3 convolutions of 16 and 8 filters (ReLU) each followed by 2×2 max
	// pooling, a third of 8 filters giving a 7×7×8 code, and the mirrored
	// decoder (3×3 convolutions of 8, 8 and 16 filters, the last two
	// followed by nearest-neighbour upsampling to 14×14 and 28×28, then one
	// 3×3 filter with a sigmoid output), binary cross-entropy against the
	// input, trained with train.Autoencoder.
	Conv = "conv"
)

// Inputs is the width of every workload's input (an MNIST image).
const Inputs = 784

// MaskLevel is the DAE's masking-noise level: the fraction of inputs zeroed.
const MaskLevel = 0.25

// LearningRate is the SGD learning rate of every workload.
const LearningRate = 0.01

// Standard returns the standard workloads: the two of the speed table
// (mlp and dae at batch 128), both at batch 32, the MLP at batch 1,
// where the per-step overhead of the framework dominates, and the
// convolutional autoencoder at batch 128.
func Standard() []Workload {
	return []Workload{{MLP, 128}, {DAE, 128}, {MLP, 32}, {DAE, 32}, {MLP, 1}, {Conv, 128}}
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
	if w.Name != MLP && w.Name != DAE && w.Name != Conv {
		return Workload{}, fmt.Errorf("bench: unknown workload %q (known: conv, dae, mlp; optionally /BATCH, e.g. mlp/32)", s)
	}
	return w, nil
}

// Layers returns the [in, out] shape of every weight matrix: for the
// convolutional autoencoder, of every convolution's flattened filters,
// [in·k², out] (its product takes one row of patches per output pixel).
func (w Workload) Layers() [][2]int {
	switch w.Name {
	case DAE:
		return [][2]int{{Inputs, 1000}, {1000, Inputs}}
	case Conv:
		var ls [][2]int
		for _, c := range convLayers {
			ls = append(ls, [2]int{c.in * 9, c.out})
		}
		return ls
	}
	return [][2]int{{Inputs, 1000}, {1000, 1000}, {1000, 1000}, {1000, 10}}
}

// pixels returns how many rows each layer's product has per example: 1
// for a dense layer, the output pixels of a convolution.
func (w Workload) pixels() []int {
	ps := make([]int, len(w.Layers()))
	for i := range ps {
		ps[i] = 1
		if w.Name == Conv {
			ps[i] = convLayers[i].side * convLayers[i].side
		}
	}
	return ps
}

// convLayers are the Conv workload's convolutions, input side first: their
// channels and the side of their square pictures.
var convLayers = []struct{ in, out, side int }{
	{1, 16, 28}, {16, 8, 14}, {8, 8, 7}, // encoder
	{8, 8, 7}, {8, 8, 7}, {8, 16, 14}, {16, 1, 28}, // decoder
}

// FLOPs returns the floating-point operations of one training step's
// matrix products: 2·B·p·in·out per layer forward (p the rows of the
// layer's product per example: 1 for a dense layer, the output pixels of
// a convolution, whose in counts the k×k patch), the same for its weight
// gradient, and the same for its input gradient except in the first layer,
// whose input (the data) needs none and gets none; so 6·B·Σ p·in·out −
// 2·B·p₀·in₀·out₀. TestFLOPsCounted checks it against the products a step
// computes (cblas.Counter). Element-wise work (and a convolution's im2col)
// is not counted.
func (w Workload) FLOPs() float64 {
	s := 0.0
	ls, ps := w.Layers(), w.pixels()
	for i, l := range ls {
		s += float64(ps[i]) * float64(l[0]) * float64(l[1])
	}
	return float64(w.Batch) * (6*s - 2*float64(ps[0])*float64(ls[0][0])*float64(ls[0][1]))
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
	src := rand.NewPCG(seed, 0x5eed)
	r := rand.New(src)
	opt, err := optimizers.New(optimizers.Config{Name: "sgd", Hyper: map[string]float64{"lr": LearningRate}})
	if err != nil {
		return nil, err
	}
	switch w.Name {
	case MLP:
		return newMLP(w.Batch, opt, r)
	case DAE:
		return newDAE(w.Batch, opt, src)
	case Conv:
		return newConv(w.Batch, opt, r)
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

// daeStepper trains one denoising layer through train.Autoencoder, as `zoo
// train` does: masking noise drawn before every step, MSE against the clean
// input.
type daeStepper struct {
	task *train.Autoencoder
	data []*train.Batch
	i    int
}

func newDAE(batch int, opt optimizers.Optimizer, src *rand.PCG) (*daeStepper, error) {
	r := rand.New(src)
	ae, err := models.NewAutoencoder(models.AutoencoderConfig{
		Inputs:  Inputs,
		Encoder: []models.Layer{{Units: 1000, Activation: models.Sigmoid}},
		Output:  models.Sigmoid,
		DType:   tensor.Float32,
	}, r)
	if err != nil {
		return nil, err
	}
	task, err := train.NewAutoencoder(ae, opt, train.AutoencoderConfig{
		BatchSize:  batch,
		EvalBatch:  batch,
		Loss:       losses.ReconstructionMSE,
		Corruption: models.Corruption{Type: models.Masking, Level: MaskLevel},
		Random:     src, // the PCG itself: masking noise drawn on all cores
	})
	if err != nil {
		return nil, err
	}
	s := &daeStepper{task: task}
	for range batches {
		s.data = append(s.data, &train.Batch{X: uniform(r, batch*Inputs), N: batch})
	}
	return s, nil
}

func (s *daeStepper) Step() (float64, error) {
	b := s.data[s.i%len(s.data)]
	s.i++
	return s.task.Step(b)
}

func (s *daeStepper) Close() { s.task.Close() }

// newConv builds the Conv workload: its batches are random pictures.
func newConv(batch int, opt optimizers.Optimizer, r *rand.Rand) (*daeStepper, error) {
	stage := func(filters, pool int) models.ConvLayer {
		return models.ConvLayer{Filters: filters, Kernel: 3, Activation: models.ReLU, Pool: pool}
	}
	ae, err := models.NewConvAutoencoder(models.ConvAutoencoderConfig{
		Channels: 1, Height: 28, Width: 28,
		Encoder: []models.ConvLayer{stage(16, 2), stage(8, 2), stage(8, 0)},
		Output:  models.Sigmoid,
		DType:   tensor.Float32,
	}, r)
	if err != nil {
		return nil, err
	}
	task, err := train.NewAutoencoder(ae, opt, train.AutoencoderConfig{BatchSize: batch, EvalBatch: batch, Loss: losses.ReconstructionBCE})
	if err != nil {
		return nil, err
	}
	s := &daeStepper{task: task}
	for range batches {
		s.data = append(s.data, &train.Batch{X: uniform(r, batch*Inputs), N: batch})
	}
	return s, nil
}

func uniform(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = r.Float32()
	}
	return x
}

// finite reports whether a step's objective is a number.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
