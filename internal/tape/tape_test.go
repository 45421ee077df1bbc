package tape

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/regularizers"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// bits returns v's elements as raw bits, so comparisons are exact (NaN
// included).
func bits(v gorgonia.Value) []uint64 {
	switch d := v.Data().(type) {
	case []float32:
		out := make([]uint64, len(d))
		for i, x := range d {
			out[i] = uint64(math.Float32bits(x))
		}
		return out
	case []float64:
		out := make([]uint64, len(d))
		for i, x := range d {
			out[i] = math.Float64bits(x)
		}
		return out
	case float32:
		return []uint64{uint64(math.Float32bits(d))}
	case float64:
		return []uint64{math.Float64bits(d)}
	}
	return nil
}

// trace is what a run of a task leaves: per step, the node values callers
// read after Run (cost, per-example loss, output) and, at the end, the
// parameters.
type trace struct {
	steps  [][][]uint64
	params [][]uint64
	kept   int // registers the training program kept across runs
}

// diff describes the first difference of got from want: a value read
// after a run, else a parameter at the end; "" if they are bit-identical.
func (want trace) diff(got trace) string {
	for i := range want.steps {
		for k := range want.steps[i] {
			if !slices.Equal(want.steps[i][k], got.steps[i][k]) {
				return fmt.Sprintf("run %d, value %d read after the run differs", i, k)
			}
		}
	}
	for k := range want.params {
		if !slices.Equal(want.params[k], got.params[k]) {
			return fmt.Sprintf("parameter %d differs after %d steps", k, len(want.steps))
		}
	}
	return ""
}

func record(p *Program) [][]uint64 {
	var out [][]uint64
	for _, n := range []*gorgonia.Node{p.Cost, p.Per, p.Out} {
		if n != nil {
			out = append(out, bits(n.Value()))
		}
	}
	return out
}

func snapshot(params []*models.Param) [][]uint64 {
	var out [][]uint64
	for _, p := range params {
		out = append(out, bits(p.Value))
	}
	return out
}

func countKept(p *Program) int {
	if p.rerun == nil {
		return 0
	}
	n := 0
	for _, v := range p.rerun.kept {
		if v != nil {
			n++
		}
	}
	return n
}

// withReuse runs f with the rerunner on or off.
func withReuse[T any](on bool, f func() T) T {
	defer func(old bool) { rerunWithoutReset = old }(rerunWithoutReset)
	rerunWithoutReset = on
	return f()
}

// task is a model with a training program, an inference program over the
// same weights and an optimizer: what train's tasks build from this
// package.
type task struct {
	t           *testing.T
	train, eval *Program
	params      []*models.Param
	opt         optimizers.Optimizer
	corrupt     models.Corruption // autoencoders: of the training input
	noise       rand.Source
}

func (k *task) close() {
	k.train.Close()
	if k.eval != nil {
		k.eval.Close()
	}
}

// compile compiles p over g: for inference if cost is nil, else for
// training with the model's parameters.
func (k *task) compile(g *models.Graph, p *Program, cost *gorgonia.Node) {
	k.t.Helper()
	if !g.Training {
		p.CompileInference(g)
		return
	}
	params, err := g.Nodes(k.params)
	if err != nil {
		k.t.Fatal(err)
	}
	if cost == nil {
		if cost, err = gorgonia.Mean(p.Per); err != nil {
			k.t.Fatal(err)
		}
	}
	if err := p.CompileTraining(g, cost, params); err != nil {
		k.t.Fatal(err)
	}
}

// step feeds x (and the labels, one-hot, for a classifier), runs the
// training program and updates the weights.
func (k *task) step(x []float32, labels []int) (float64, error) {
	k.t.Helper()
	FillRows(k.train.Feed[0], x)
	if labels != nil {
		FillOneHot(k.train.Feed[1], labels, len(labels))
	} else {
		c := make([]float32, len(x))
		k.corrupt.Apply(c, x, k.noise)
		FillRows(k.train.Feed[0], c)
		FillRows(k.train.Feed[1], x)
	}
	loss, err := k.train.Run()
	if err != nil {
		return loss, err
	}
	return loss, k.opt.Step(k.train.VGs)
}

func newOpt(t *testing.T, name string, lr float64) optimizers.Optimizer {
	t.Helper()
	o, err := optimizers.New(optimizers.Config{Name: name, Hyper: map[string]float64{"lr": lr}})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// classifierTask compiles an MLP of 20 inputs and 10 classes with softmax
// cross-entropy: training for batches of batch, inference for batches of
// eval.
func classifierTask(t *testing.T, c models.MLPConfig, opt optimizers.Optimizer, batch, eval int) *task {
	t.Helper()
	c.Inputs, c.Classes = 20, 10
	m, err := models.NewMLP(c, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	k := &task{t: t, params: m.Params(), opt: opt}
	build := func(n int, learn bool) *Program {
		g := models.NewGraph(learn)
		dt := m.Layers[0].W.Value.Dtype()
		x, y := g.Input("x", dt, n, c.Inputs), g.Input("y", dt, n, c.Classes)
		logits, err := m.Logits(g, x)
		if err != nil {
			t.Fatal(err)
		}
		per, err := losses.SoftmaxCrossEntropy(logits, y)
		if err != nil {
			t.Fatal(err)
		}
		p := &Program{Inputs: []*gorgonia.Node{x, y}, Per: per, Out: logits}
		k.compile(g, p, nil)
		return p
	}
	k.train, k.eval = build(batch, true), build(eval, false)
	k.train.RNG = rng.New(1, "dropout")
	return k
}

// autoencoderTask compiles a denoising autoencoder (masking noise) of 20
// inputs, its training program for batches of batch, with the code's
// sparsity penalties if penalize.
// vaeTask is a variational autoencoder's training program (its noise from
// a seeded stream) and its evaluation program, which reads the objective's
// two terms (Per the reconstruction term, Out the KL term).
func vaeTask(t *testing.T, c models.VAEConfig, batch int) *task {
	t.Helper()
	m, err := models.NewVAE(c, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	k := &task{t: t, params: m.Params(), opt: newOpt(t, "adam", 0.01)}
	g := models.NewGraph(true)
	x := g.Input("x", tensor.Float32, batch, c.Inputs)
	e, err := m.NegELBO(g, x, x)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := gorgonia.Mean(e.Per)
	if err != nil {
		t.Fatal(err)
	}
	k.train = &Program{Inputs: []*gorgonia.Node{x}, Per: e.Per, RNG: rng.Source(1, "latent")}
	k.compile(g, k.train, cost)
	ge := models.NewGraph(false)
	xe := ge.Input("x", tensor.Float32, batch, c.Inputs)
	te, err := m.ELBOTerms(ge, xe, xe)
	if err != nil {
		t.Fatal(err)
	}
	k.eval = &Program{Inputs: []*gorgonia.Node{xe}, Per: te.Reconstruction, Out: te.KL, RNG: rng.Source(1, "elbo")}
	k.compile(ge, k.eval, nil)
	return k
}

func autoencoderTask(t *testing.T, c models.AutoencoderConfig, loss losses.Reconstruction, penalize bool, batch int) *task {
	t.Helper()
	m, err := models.NewAutoencoder(c, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	k := &task{t: t, params: m.Params(), opt: newOpt(t, "adam", 0.01),
		corrupt: models.Corruption{Type: models.Masking, Level: 0.3}, noise: rng.New(1, "noise")}
	g := models.NewGraph(true)
	dt := m.Encoder[0].W.Value.Dtype()
	x, target := g.Input("x", dt, batch, c.Inputs), g.Input("target", dt, batch, c.Inputs)
	z, err := m.Logits(g, x)
	if err != nil {
		t.Fatal(err)
	}
	r := z
	if loss != losses.ReconstructionBCE {
		if r, err = m.Config.Output.Apply(z); err != nil {
			t.Fatal(err)
		}
	}
	per, err := loss.PerExample(z, r, target)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := gorgonia.Mean(per)
	if err != nil {
		t.Fatal(err)
	}
	if penalize {
		h := g.Activations[m.CodeName()]
		kl, err := regularizers.KLSparsity(0.5, 0.05, h)
		if err != nil {
			t.Fatal(err)
		}
		l1, err := regularizers.ActivationL1(0.003, h)
		if err != nil {
			t.Fatal(err)
		}
		if cost, err = gorgonia.Add(cost, kl); err != nil {
			t.Fatal(err)
		}
		if cost, err = gorgonia.Add(cost, l1); err != nil {
			t.Fatal(err)
		}
	}
	k.train = &Program{Inputs: []*gorgonia.Node{x, target}, Per: per, Out: r}
	k.compile(g, k.train, cost)
	return k
}

type batch struct {
	x      []float32
	labels []int
}

func randomBatch(r *rand.Rand, n, dim int, labelled bool) batch {
	b := batch{x: make([]float32, n*dim)}
	for i := range b.x {
		b.x[i] = r.Float32()
	}
	if labelled {
		b.labels = make([]int, n)
		for i := range b.labels {
			b.labels[i] = r.IntN(10)
		}
	}
	return b
}

// TestRerunMatchesReset trains seeded models for several steps with the
// machines restarted by the rerunner (buffers kept) and by Reset: the
// parameters, the losses and outputs read after every run and the
// inference program's outputs between the steps must be bit-identical.
func TestRerunMatchesReset(t *testing.T) {
	const steps, n = 6, 16
	classifier := func(hidden []models.Layer, dropout models.Dropout, dt tensor.Dtype, optName string) func() trace {
		return func() trace {
			k := classifierTask(t, models.MLPConfig{Hidden: hidden, DType: dt, Dropout: dropout}, newOpt(t, optName, 0.1), n, 7)
			defer k.close()
			r := rand.New(rand.NewPCG(5, 6))
			data := []batch{randomBatch(r, n, 20, true), randomBatch(r, n, 20, true), randomBatch(r, n, 20, true)}
			var tr trace
			for i := range steps {
				b := data[i%len(data)]
				if _, err := k.step(b.x, b.labels); err != nil {
					t.Fatal(err)
				}
				tr.steps = append(tr.steps, record(k.train))
				// The inference program runs between training steps.
				FillRows(k.eval.Feed[0], data[0].x[:7*20])
				FillOneHot(k.eval.Feed[1], data[0].labels, 7)
				if _, err := k.eval.Run(); err != nil {
					t.Fatal(err)
				}
				tr.steps = append(tr.steps, record(k.eval))
			}
			tr.params = snapshot(k.params)
			tr.kept = countKept(k.train)
			return tr
		}
	}
	autoencoder := func(c models.AutoencoderConfig, loss losses.Reconstruction, penalize bool) func() trace {
		return func() trace {
			k := autoencoderTask(t, c, loss, penalize, n)
			defer k.close()
			r := rand.New(rand.NewPCG(7, 8))
			data := []batch{randomBatch(r, n, 20, false), randomBatch(r, n, 20, false)}
			var tr trace
			for i := range steps {
				if _, err := k.step(data[i%len(data)].x, nil); err != nil {
					t.Fatal(err)
				}
				tr.steps = append(tr.steps, record(k.train))
			}
			tr.params = snapshot(k.params)
			tr.kept = countKept(k.train)
			return tr
		}
	}
	vae := func(c models.VAEConfig) func() trace {
		return func() trace {
			k := vaeTask(t, c, n)
			defer k.close()
			r := rand.New(rand.NewPCG(9, 10))
			data := []batch{randomBatch(r, n, c.Inputs, false), randomBatch(r, n, c.Inputs, false)}
			var tr trace
			for i := range steps {
				x := data[i%len(data)].x
				FillRows(k.train.Feed[0], x)
				if _, err := k.train.Run(); err != nil {
					t.Fatal(err)
				}
				if err := k.opt.Step(k.train.VGs); err != nil {
					t.Fatal(err)
				}
				tr.steps = append(tr.steps, record(k.train))
				FillRows(k.eval.Feed[0], x)
				if _, err := k.eval.Run(); err != nil {
					t.Fatal(err)
				}
				tr.steps = append(tr.steps, record(k.eval))
			}
			tr.params = snapshot(k.params)
			tr.kept = countKept(k.train)
			return tr
		}
	}
	bce, mse := losses.ReconstructionBCE, losses.ReconstructionMSE
	sig := []models.Layer{{Units: 12, Activation: models.Sigmoid}, {Units: 9, Activation: models.Sigmoid}}
	relu := []models.Layer{{Units: 12, Activation: models.ReLU}, {Units: 9, Activation: models.Tanh}}
	tests := []struct {
		name string
		run  func() trace
	}{
		{"mlp sigmoid float32 sgd", classifier(sig, models.Dropout{}, tensor.Float32, "sgd")},
		{"mlp relu/tanh float64 adam", classifier(relu, models.Dropout{}, tensor.Float64, "adam")},
		{"mlp sigmoid dropout float32 momentum", classifier(sig, models.Dropout{Input: 0.2, Hidden: []float64{0.5}}, tensor.Float32, "momentum")},
		{"mlp relu dropout float64 sgd", classifier(relu, models.Dropout{Input: 0.1, Hidden: []float64{0.3, 0.2}}, tensor.Float64, "sgd")},
		{"denoising autoencoder bce", autoencoder(models.AutoencoderConfig{Inputs: 20, Encoder: []models.Layer{{Units: 8, Activation: models.Sigmoid}}, Output: models.Sigmoid}, bce, false)},
		{"sparse denoising autoencoder bce", autoencoder(models.AutoencoderConfig{Inputs: 20, Encoder: []models.Layer{{Units: 8, Activation: models.Sigmoid}}, Output: models.Sigmoid}, bce, true)},
		{"tied denoising autoencoder mse", autoencoder(models.AutoencoderConfig{Inputs: 20, Encoder: []models.Layer{{Units: 10, Activation: models.ReLU}, {Units: 6, Activation: models.Sigmoid}}, Output: models.Linear, Tied: true}, mse, false)},
		{"variational autoencoder", vae(models.VAEConfig{Inputs: 20, Encoder: []models.Layer{{Units: 10, Activation: models.ReLU}}, Latent: 3})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reset := withReuse(false, tt.run)
			reuse := withReuse(true, tt.run)
			again := withReuse(true, tt.run)
			if reset.kept != 0 {
				t.Fatalf("Reset path kept %d registers", reset.kept)
			}
			if reuse.kept == 0 {
				t.Fatal("the rerunner kept no buffer: the test compares Reset with itself")
			}
			t.Logf("%d registers kept across runs", reuse.kept)
			if d := reset.diff(reuse); d != "" {
				t.Fatalf("%s from the Reset path", d)
			}
			for k := range reset.params {
				if !slices.Equal(reuse.params[k], again.params[k]) {
					t.Errorf("parameter %d differs between two seeded runs", k)
				}
			}
		})
	}
}

// TestRerunRecoversFromNaN checks a run that produced a non-finite loss
// drops the kept buffers.
func TestRerunRecoversFromNaN(t *testing.T) {
	k := classifierTask(t, models.MLPConfig{Hidden: []models.Layer{{Units: 8, Activation: models.Sigmoid}}}, newOpt(t, "sgd", 0.1), 4, 4)
	defer k.close()
	b := randomBatch(rand.New(rand.NewPCG(1, 1)), 4, 20, true)
	if _, err := k.step(b.x, b.labels); err != nil {
		t.Fatal(err)
	}
	if countKept(k.train) == 0 {
		t.Fatal("no buffer kept")
	}
	w := k.params[0].Value.Data().([]float32)
	old := w[0]
	w[0] = float32(math.NaN())
	loss, _ := k.train.Run()
	if Finite(loss) {
		t.Fatalf("loss %v with a NaN weight", loss)
	}
	if n := countKept(k.train); n != 0 {
		t.Fatalf("%d buffers kept after a NaN loss", n)
	}
	w[0] = old
	for _, vg := range k.train.VGs { // the machine accumulated the NaN gradient
		g, err := vg.Grad()
		if err != nil {
			t.Fatal(err)
		}
		clear(g.Data().([]float32))
	}
	if _, err := k.train.Run(); err != nil {
		t.Fatal(err)
	}
	if countKept(k.train) == 0 {
		t.Fatal("no buffer kept after a good run")
	}
}

// TestAllFiniteLengths puts one NaN or Inf at various places of gradients of
// both dtypes, short ones and ones long enough for the vector loop.
func TestAllFiniteLengths(t *testing.T) {
	for _, n := range []int{1, 31, 33, 1000, 1<<17 + 5} {
		for _, at := range []int{0, n / 2, max(n-33, 0), n - 1} {
			for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
				d32 := make([]float32, n)
				d64 := make([]float64, n)
				if !allFinite(tensor.New(tensor.WithBacking(d32))) || !allFinite(tensor.New(tensor.WithBacking(d64))) {
					t.Fatalf("n=%d: zeros reported not finite", n)
				}
				d32[at], d64[at] = float32(bad), bad
				if allFinite(tensor.New(tensor.WithBacking(d32))) {
					t.Errorf("n=%d: float32 %v at %d not caught", n, bad, at)
				}
				if allFinite(tensor.New(tensor.WithBacking(d64))) {
					t.Errorf("n=%d: float64 %v at %d not caught", n, bad, at)
				}
			}
		}
	}
}

// TestAllFinite checks short gradients of both dtypes, scalars included.
func TestAllFinite(t *testing.T) {
	tests := []struct {
		v    any
		want bool
	}{
		{[]float32{1, -2, 3e38}, true},
		{[]float32{1, float32(math.Inf(1))}, false},
		{[]float32{float32(math.NaN()), 0}, false},
		{[]float64{0, -1e308, 1e308}, true},
		{[]float64{math.Inf(-1)}, false},
		{[]float64{}, true},
	}
	for _, tt := range tests {
		var v *tensor.Dense
		switch d := tt.v.(type) {
		case []float32:
			v = tensor.New(tensor.WithShape(len(d)), tensor.WithBacking(d))
		case []float64:
			v = tensor.New(tensor.WithShape(max(len(d), 1)), tensor.WithBacking(append(d, 0)[:max(len(d), 1)]))
		}
		if got := allFinite(v); got != tt.want {
			t.Errorf("allFinite(%v) = %v, want %v", tt.v, got, tt.want)
		}
	}
}
