package regularizers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// fakeInputs is a RandomInputs over a bare ExprGraph, standing in for
// models.Graph (which this package must not import).
type fakeInputs struct {
	g      *gorgonia.ExprGraph
	inputs []fakeInput
}

type fakeInput struct {
	node  *gorgonia.Node
	value *tensor.Dense
	fill  func(*tensor.Dense, rand.Source)
}

func (f *fakeInputs) NewRandomInput(name string, dt tensor.Dtype, shape []int, fill func(dst *tensor.Dense, r rand.Source)) *gorgonia.Node {
	n := gorgonia.NewTensor(f.g, dt, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name))
	f.inputs = append(f.inputs, fakeInput{n, tensor.New(tensor.Of(dt), tensor.WithShape(shape...)), fill})
	return n
}

// draw redraws every random input from r, as the training program does
// before each run.
func (f *fakeInputs) draw(t *testing.T, r *rand.Rand) {
	t.Helper()
	for _, in := range f.inputs {
		in.fill(in.value, r)
		if err := gorgonia.Let(in.node, in.value); err != nil {
			t.Fatal(err)
		}
	}
}

// dropoutGraph builds y = Dropout(x) for an all-ones x of the given shape
// and the gradient of Σ y with respect to x.
func dropoutGraph(t *testing.T, dt tensor.Dtype, p float64, shape ...int) (*fakeInputs, *gorgonia.Node, *gorgonia.Node, gorgonia.VM) {
	t.Helper()
	f := &fakeInputs{g: gorgonia.NewGraph()}
	ones := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	switch d := ones.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = 1
		}
	case []float64:
		for i := range d {
			d[i] = 1
		}
	}
	x := gorgonia.NewTensor(f.g, dt, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName("x"), gorgonia.WithValue(ones))
	y, err := Dropout(f, "x.dropout", x, p, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gorgonia.Grad(gorgonia.Must(gorgonia.Sum(y)), x); err != nil {
		t.Fatal(err)
	}
	return f, x, y, gorgonia.NewTapeMachine(f.g, gorgonia.BindDualValues(x))
}

func run(t *testing.T, f *fakeInputs, vm gorgonia.VM, r *rand.Rand) {
	t.Helper()
	f.draw(t, r)
	vm.Reset()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
}

// TestDropoutMaskStatistics checks, on 100 000 units of an all-ones input,
// that the fraction dropped is p and the mean output 1 (E[m] = 1). The
// fraction dropped is a binomial proportion with standard deviation
// √(p(1−p)/N) ≤ 0.0016, the mean output has standard deviation
// √(p/((1−p)N)) ≤ 0.0064 for p ≤ 0.8; allowing 5 of each makes a false
// failure a 1-in-1.7-million event for a random seed, and with the seed fixed
// the test is deterministic.
func TestDropoutMaskStatistics(t *testing.T) {
	const rows, cols = 200, 500
	const n = rows * cols
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, p := range []float64{0.2, 0.5, 0.8} {
			t.Run(fmt.Sprintf("%v/p=%g", dt, p), func(t *testing.T) {
				f, x, y, vm := dropoutGraph(t, dt, p, rows, cols)
				defer vm.Close()
				run(t, f, vm, rand.New(rand.NewPCG(11, uint64(100*p))))
				keep := 1 / (1 - p)
				out := widen(y.Value().Data())
				gv, _ := x.Grad()
				grad := widen(gv.Data())
				dropped, sum := 0, 0.0
				for k, v := range out {
					switch {
					case v == 0:
						dropped++
					case math.Abs(v-keep) > 1e-6*keep:
						t.Fatalf("p=%g: output %v is neither 0 nor 1/(1−p) = %v", p, v, keep)
					}
					if grad[k] != v {
						t.Fatalf("p=%g: ∂Σy/∂x[%d] = %v, want the mask %v", p, k, grad[k], v)
					}
					sum += v
				}
				rate, mean := float64(dropped)/n, sum/n
				if tol := 5 * math.Sqrt(p*(1-p)/n); math.Abs(rate-p) > tol {
					t.Errorf("p=%g: dropped %.4f of the units, want %g ± %.4f", p, rate, p, tol)
				}
				if tol := 5 * math.Sqrt(p/(1-p)/n); math.Abs(mean-1) > tol {
					t.Errorf("p=%g: mean output %.4f, want 1 ± %.4f", p, mean, tol)
				}
			})
		}
	}
}

func TestDropoutReproducible(t *testing.T) {
	masks := func(seed uint64) [][]float64 {
		f, _, y, vm := dropoutGraph(t, tensor.Float64, 0.5, 4, 8)
		defer vm.Close()
		r := rand.New(rand.NewPCG(seed, 1))
		var out [][]float64
		for range 3 {
			run(t, f, vm, r)
			out = append(out, widen(y.Value().Data()))
		}
		return out
	}
	a, b, c := masks(1), masks(1), masks(2)
	for i := range a {
		if !equal(a[i], b[i]) {
			t.Errorf("run %d: the same seed gave different masks", i)
		}
		if equal(a[i], c[i]) {
			t.Errorf("run %d: seeds 1 and 2 gave the same mask", i)
		}
	}
	if equal(a[0], a[1]) || equal(a[1], a[2]) {
		t.Error("the mask was not redrawn between runs")
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDropoutIdentity(t *testing.T) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 3), gorgonia.WithName("x"))
	for _, tt := range []struct {
		p        float64
		training bool
	}{{0.5, false}, {0, true}, {0, false}} {
		f := &fakeInputs{g: g}
		y, err := Dropout(f, "d", x, tt.p, tt.training)
		if err != nil {
			t.Fatal(err)
		}
		if y != x || len(f.inputs) != 0 {
			t.Errorf("p=%g training=%v: got a new node %v and %d random inputs, want x itself", tt.p, tt.training, y, len(f.inputs))
		}
	}
}

func TestDropoutErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 3), gorgonia.WithName("x"))
	xi := gorgonia.NewMatrix(g, tensor.Int, gorgonia.WithShape(2, 3), gorgonia.WithName("xi"))
	f := &fakeInputs{g: g}
	for _, p := range []float64{-0.1, 1, 1.5, math.NaN()} {
		if _, err := Dropout(f, "d", x, p, true); err == nil {
			t.Errorf("Dropout accepted p = %v", p)
		}
	}
	if _, err := Dropout(f, "d", xi, 0.5, true); err == nil {
		t.Error("Dropout accepted an int input")
	}
	if _, err := Dropout(nil, "d", x, 0.5, true); err == nil {
		t.Error("Dropout accepted a nil graph at training time")
	}
}

// TestDropoutMaskDraws checks the mask against its definition, m = 0 when
// r.Float64() < p, drawing from a rand.Rand and from the PCG itself (draws
// shared between cores), and that both leave the generator in the same
// state.
func TestDropoutMaskDraws(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, p := range []float64{0.2, 0.5, 1.0 / 3} {
			for _, n := range []int{7, rng.SplitChunk, 3*rng.SplitChunk + 5} {
				ref := rand.New(rng.Source(3, "dropout"))
				want := make([]float64, n)
				for i := range want {
					if ref.Float64() >= p {
						want[i] = 1 / (1 - p)
					}
				}
				if dt == tensor.Float32 {
					for i, v := range want {
						want[i] = float64(float32(v))
					}
				}
				seq, split := rng.Source(3, "dropout"), rng.Source(3, "dropout")
				for name, src := range map[string]rand.Source{"rand.Rand": rand.New(seq), "PCG": split} {
					dst := tensor.New(tensor.Of(dt), tensor.WithShape(n))
					DropoutMask(p)(dst, src)
					if got := widen(dst.Data()); !equal(got, want) {
						t.Errorf("%v, p=%g, %d units, from a %s: the mask differs from m = 0 when r.Float64() < p", dt, p, n, name)
					}
				}
				if a, b := seq.Uint64(), split.Uint64(); a != b || ref.Uint64() != a {
					t.Errorf("%v, p=%g, %d units: the generators end in different states", dt, p, n)
				}
			}
		}
	}
}
