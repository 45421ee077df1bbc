package train

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
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
// read after run() (cost, per-example loss, output) and, at the end, the
// parameters.
type trace struct {
	steps  [][][]uint64
	params [][]uint64
	kept   int // registers the training program kept across runs
}

func record(p *program) [][]uint64 {
	var out [][]uint64
	for _, n := range []*gorgonia.Node{p.cost, p.per, p.out} {
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

func countKept(p *program) int {
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

func randomBatch(r *rand.Rand, n, dim int) *Batch {
	b := &Batch{X: make([]float32, n*dim), Labels: make([]int, n), N: n}
	for i := range b.X {
		b.X[i] = r.Float32()
	}
	for i := range b.Labels {
		b.Labels[i] = r.IntN(10)
	}
	return b
}

// withReuse runs f with the rerunner on or off.
func withReuse[T any](on bool, f func() T) T {
	defer func(old bool) { rerunWithoutReset = old }(rerunWithoutReset)
	rerunWithoutReset = on
	return f()
}

// TestRerunMatchesReset trains seeded models for several steps with the
// machines restarted by the rerunner (buffers kept) and by Reset: the
// parameters, the losses and outputs read after every run and the
// evaluation must be bit-identical.
func TestRerunMatchesReset(t *testing.T) {
	const steps, batch = 6, 16
	classifier := func(hidden []models.Layer, dropout models.Dropout, dt tensor.Dtype, optName string) func() trace {
		return func() trace {
			m, err := models.NewMLP(models.MLPConfig{Inputs: 20, Hidden: hidden, Classes: 10, DType: dt, Dropout: dropout}, rng.New(1, "init"))
			if err != nil {
				t.Fatal(err)
			}
			o, err := optimizers.New(optimizers.Config{Name: optName, Hyper: map[string]float64{"lr": 0.1}})
			if err != nil {
				t.Fatal(err)
			}
			c, err := NewClassifier(m, o, ClassifierConfig{BatchSize: batch, EvalBatch: 7, Random: rng.New(1, "dropout")})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			r := rand.New(rand.NewPCG(5, 6))
			data := []*Batch{randomBatch(r, batch, 20), randomBatch(r, batch, 20), randomBatch(r, batch, 20)}
			var tr trace
			for i := range steps {
				if _, err := c.Step(data[i%len(data)]); err != nil {
					t.Fatal(err)
				}
				tr.steps = append(tr.steps, record(c.train))
				// The inference program runs between training steps.
				logits, err := c.perExample(data[0].X, data[0].Labels)
				if err != nil {
					t.Fatal(err)
				}
				tr.steps = append(tr.steps, [][]uint64{bits(tensor.New(tensor.WithBacking(logits)))})
			}
			tr.params = snapshot(c.Params())
			tr.kept = countKept(c.train)
			return tr
		}
	}
	autoencoder := func(c models.AutoencoderConfig, loss ReconstructionLoss, penalize bool) func() trace {
		return func() trace {
			m, err := models.NewAutoencoder(c, rng.New(1, "init"))
			if err != nil {
				t.Fatal(err)
			}
			o, err := optimizers.New(optimizers.Config{Name: "adam", Hyper: map[string]float64{"lr": 0.01}})
			if err != nil {
				t.Fatal(err)
			}
			var pen []Penalty
			if penalize {
				pen = []Penalty{
					OnCode(m, func(h *gorgonia.Node) (*gorgonia.Node, error) { return regularizers.KLSparsity(0.5, 0.05, h) }),
					OnCode(m, func(h *gorgonia.Node) (*gorgonia.Node, error) { return regularizers.ActivationL1(0.003, h) }),
				}
			}
			a, err := NewAutoencoder(m, o, AutoencoderConfig{BatchSize: batch, EvalBatch: 5, Loss: loss, Penalties: pen,
				Corruption: models.Corruption{Type: models.Masking, Level: 0.3}, Random: rng.New(1, "noise")})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			r := rand.New(rand.NewPCG(7, 8))
			data := []*Batch{randomBatch(r, batch, 20), randomBatch(r, batch, 20)}
			var tr trace
			for i := range steps {
				if _, err := a.Step(data[i%len(data)]); err != nil {
					t.Fatal(err)
				}
				tr.steps = append(tr.steps, record(a.train))
			}
			tr.params = snapshot(a.Params())
			tr.kept = countKept(a.train)
			return tr
		}
	}
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
		{"denoising autoencoder bce", autoencoder(models.AutoencoderConfig{Inputs: 20, Encoder: []models.Layer{{Units: 8, Activation: models.Sigmoid}}, Output: models.Sigmoid}, BCE, false)},
		{"sparse denoising autoencoder bce", autoencoder(models.AutoencoderConfig{Inputs: 20, Encoder: []models.Layer{{Units: 8, Activation: models.Sigmoid}}, Output: models.Sigmoid}, BCE, true)},
		{"tied denoising autoencoder mse", autoencoder(models.AutoencoderConfig{Inputs: 20, Encoder: []models.Layer{{Units: 10, Activation: models.ReLU}, {Units: 6, Activation: models.Sigmoid}}, Output: models.Linear, Tied: true}, MSE, false)},
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
			for i := range reset.steps {
				for k := range reset.steps[i] {
					if !slices.Equal(reset.steps[i][k], reuse.steps[i][k]) {
						t.Fatalf("run %d, value %d read after the run differs from the Reset path", i, k)
					}
				}
			}
			for k := range reset.params {
				if !slices.Equal(reset.params[k], reuse.params[k]) {
					t.Errorf("parameter %d differs from the Reset path after %d steps", k, steps)
				}
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
	c, m := newClassifier(t, []models.Layer{{Units: 8, Activation: models.Sigmoid}}, optimizers.Config{Name: "sgd", Hyper: map[string]float64{"lr": 0.1}}, 4)
	r := rand.New(rand.NewPCG(1, 1))
	b := randomBatch(r, 4, 784)
	if _, err := c.Step(b); err != nil {
		t.Fatal(err)
	}
	if countKept(c.train) == 0 {
		t.Fatal("no buffer kept")
	}
	w := m.Params()[0].Value.Data().([]float32)
	old := w[0]
	w[0] = float32(math.NaN())
	loss, _ := c.train.run()
	if finite(loss) {
		t.Fatalf("loss %v with a NaN weight", loss)
	}
	if n := countKept(c.train); n != 0 {
		t.Fatalf("%d buffers kept after a NaN loss", n)
	}
	w[0] = old
	for _, vg := range c.train.vgs { // the machine accumulated the NaN gradient
		g, err := vg.Grad()
		if err != nil {
			t.Fatal(err)
		}
		clear(g.Data().([]float32))
	}
	if _, err := c.train.run(); err != nil {
		t.Fatal(err)
	}
	if countKept(c.train) == 0 {
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
