package fused

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestReLUMatchesGorgonia: a forward and backward pass through two ReLU
// layers gives, bit for bit, what gorgonia.Rectify gives: the loss, the
// hidden values and the gradients of the weights and of the input, with
// pre-activations that are exactly 0, −0, negative and positive.
func TestReLUMatchesGorgonia(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		run := func(relu func(*gorgonia.Node) (*gorgonia.Node, error)) [][]float64 {
			r := rand.New(rand.NewPCG(3, 4))
			values := func(n int) tensor.Tensor {
				v := make([]float64, n)
				for i := range v {
					switch i % 7 {
					case 0:
						v[i] = 0
					case 1:
						v[i] = math.Copysign(0, -1)
					default:
						v[i] = r.NormFloat64()
					}
				}
				if dt == tensor.Float32 {
					v32 := make([]float32, n)
					for i, e := range v {
						v32[i] = float32(e)
					}
					return tensor.New(tensor.WithShape(n), tensor.WithBacking(v32))
				}
				return tensor.New(tensor.WithShape(n), tensor.WithBacking(v))
			}
			g := gorgonia.NewGraph()
			node := func(name string, rows, cols int) *gorgonia.Node {
				v := values(rows * cols)
				if err := v.Reshape(rows, cols); err != nil {
					t.Fatal(err)
				}
				return gorgonia.NewMatrix(g, dt, gorgonia.WithShape(rows, cols), gorgonia.WithName(name), gorgonia.WithValue(v))
			}
			x, w1, w2 := node("x", 5, 6), node("w1", 6, 7), node("w2", 7, 3)
			h := gorgonia.Must(relu(x))
			h2 := gorgonia.Must(relu(gorgonia.Must(gorgonia.Mul(h, w1))))
			y := gorgonia.Must(relu(gorgonia.Must(gorgonia.Mul(h2, w2))))
			cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.Square(y))))
			if _, err := gorgonia.Grad(cost, x, w1, w2); err != nil {
				t.Fatal(err)
			}
			vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(x, w1, w2))
			defer vm.Close()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			var out [][]float64
			add := func(v gorgonia.Value) {
				var f []float64
				switch d := v.Data().(type) {
				case []float32:
					for _, e := range d {
						f = append(f, float64(e))
					}
				case []float64:
					f = append(f, d...)
				case float32:
					f = []float64{float64(d)}
				case float64:
					f = []float64{d}
				}
				out = append(out, f)
			}
			add(cost.Value())
			add(h2.Value())
			for _, n := range []*gorgonia.Node{x, w1, w2} {
				gv, err := n.Grad()
				if err != nil {
					t.Fatal(err)
				}
				add(gv)
			}
			return out
		}
		want, got := run(gorgonia.Rectify), run(ReLU)
		for k := range want {
			for i := range want[k] {
				if math.Float64bits(want[k][i]) != math.Float64bits(got[k][i]) {
					t.Errorf("%v: value %d[%d]: %v with gorgonia.Rectify, %v fused", dt, k, i, want[k][i], got[k][i])
				}
			}
		}
	}
}

// TestReLUSplitInvariant: the result does not depend on how many
// goroutines share the work.
func TestReLUSplitInvariant(t *testing.T) {
	const n = 5*grain + 13
	x := make([]float32, n)
	r := rand.New(rand.NewPCG(5, 6))
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	run := func(procs int) []float32 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		out, err := reluOp{}.Do(tensor.New(tensor.WithShape(n), tensor.WithBacking(x)))
		if err != nil {
			t.Fatal(err)
		}
		return out.Data().([]float32)
	}
	one, four := run(1), run(4)
	for i := range one {
		if math.Float32bits(one[i]) != math.Float32bits(four[i]) {
			t.Fatalf("element %d: %v on one goroutine, %v on four", i, one[i], four[i])
		}
		if want := x[i] * mask32(x[i]); math.Float32bits(one[i]) != math.Float32bits(want) {
			t.Fatalf("element %d: relu(%v) = %v, want %v", i, x[i], one[i], want)
		}
	}
}

// TestMaskBits checks the branch-free mask against the comparison on the
// edge cases.
func TestMaskBits(t *testing.T) {
	nan32, nan64 := float32(math.NaN()), math.NaN()
	for _, x := range []float64{0, math.Copysign(0, -1), 1, -1, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64, math.Inf(1), math.Inf(-1), nan64, -nan64, 1e-40, -1e-40} {
		want := 0.0
		if x >= 0 {
			want = 1
		}
		if got := mask64(x); got != want {
			t.Errorf("mask64(%v) = %v, want %v", x, got, want)
		}
		x32 := float32(x)
		if math.IsNaN(x) {
			x32 = nan32
		}
		want32 := float32(0)
		if x32 >= 0 {
			want32 = 1
		}
		if got := mask32(x32); got != want32 {
			t.Errorf("mask32(%v) = %v, want %v", x32, got, want32)
		}
	}
	if got := mask32(math.Float32frombits(0xffc00001)); got != 0 { // a negative NaN
		t.Errorf("mask32(-NaN) = %v, want 0", got)
	}
}
