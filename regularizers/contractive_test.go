package regularizers

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// encode is the sigmoid encoder h = σ(x·W + b) of one example, in float64.
func encode(x, w, b []float64, units int) []float64 {
	h := make([]float64, units)
	for j := range h {
		z := b[j]
		for i, xi := range x {
			z += xi * w[i*units+j]
		}
		h[j] = 1 / (1 + math.Exp(-z))
	}
	return h
}

// TestContractiveIsTheJacobianNorm checks the closed form against the
// encoder's Jacobian ∂h/∂x computed by central differences.
func TestContractiveIsTheJacobianNorm(t *testing.T) {
	const in, units, eps = 6, 4, 1e-5
	r := rand.New(rand.NewPCG(1, 2))
	normal := func(n int, s float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = s * r.NormFloat64()
		}
		return v
	}
	w, b := normal(in*units, 1), normal(units, 0.5)
	for range 3 {
		x := normal(in, 1)
		var fd float64 // ‖J‖²_F by finite differences
		for i := range x {
			up, dn := append([]float64(nil), x...), append([]float64(nil), x...)
			up[i] += eps
			dn[i] -= eps
			hu, hd := encode(up, w, b, units), encode(dn, w, b, units)
			for j := range units {
				d := (hu[j] - hd[j]) / (2 * eps)
				fd += d * d
			}
		}
		h := encode(x, w, b, units)
		got, _ := evalPenalty(t, tensor.Float64, func(ns []*gorgonia.Node) (*gorgonia.Node, error) {
			return Contractive(1, ns[0], ns[1])
		}, value{[]int{1, units}, h}, value{[]int{in, units}, w})
		if math.Abs(got-fd) > 1e-8*max(1, fd) {
			t.Errorf("closed form %.12g, finite-difference Jacobian %.12g", got, fd)
		}
		h32, w32 := make([]float32, units), make([]float32, len(w))
		for j := range h {
			h32[j] = float32(h[j])
		}
		for k := range w {
			w32[k] = float32(w[k])
		}
		if n := ContractiveNorm(h32, w32, in); math.Abs(n-fd) > 1e-5*max(1, fd) {
			t.Errorf("ContractiveNorm %.9g, finite-difference Jacobian %.9g", n, fd)
		}
	}
}

// TestContractiveGradients checks the op's gradients with respect to the
// codes and the weights against central differences, in a graph where
// both are inputs (λ scales them, and B = 3 averages).
func TestContractiveGradients(t *testing.T) {
	const rows, in, units, h, lambda = 3, 5, 4, 1e-6, 0.7
	r := rand.New(rand.NewPCG(3, 4))
	codes, w := make([]float64, rows*units), make([]float64, in*units)
	for i := range codes {
		codes[i] = 0.05 + 0.9*r.Float64()
	}
	for i := range w {
		w[i] = r.NormFloat64()
	}
	f := func(ns []*gorgonia.Node) (*gorgonia.Node, error) { return Contractive(lambda, ns[0], ns[1]) }
	eval := func() (float64, [][]float64) {
		return evalPenalty(t, tensor.Float64, f, value{[]int{rows, units}, codes}, value{[]int{in, units}, w})
	}
	_, grads := eval()
	for k, x := range [][]float64{codes, w} {
		for i := range x {
			old := x[i]
			x[i] = old + h
			up, _ := eval()
			x[i] = old - h
			dn, _ := eval()
			x[i] = old
			num := (up - dn) / (2 * h)
			if math.Abs(num-grads[k][i]) > 1e-6*max(1, math.Abs(num)) {
				t.Errorf("input %d, element %d: graph %.9g, finite differences %.9g", k, i, grads[k][i], num)
			}
		}
	}
	// float32 gives the same value, rounded.
	want, _ := eval()
	got, _ := evalPenalty(t, tensor.Float32, f, value{[]int{rows, units}, codes}, value{[]int{in, units}, w})
	if math.Abs(got-want) > 1e-5*want {
		t.Errorf("float32 %.7g, float64 %.7g", got, want)
	}
}

// TestContractiveThroughTheEncoder checks the gradient of the penalty of
// h = σ(x·W) with respect to W, which reaches W both directly and through
// h, against central differences of the closed form.
func TestContractiveThroughTheEncoder(t *testing.T) {
	const rows, in, units, h = 2, 4, 3, 1e-6
	r := rand.New(rand.NewPCG(5, 6))
	x, w := make([]float64, rows*in), make([]float64, in*units)
	for i := range x {
		x[i] = r.Float64()
	}
	for i := range w {
		w[i] = r.NormFloat64()
	}
	f := func(ns []*gorgonia.Node) (*gorgonia.Node, error) {
		z, err := gorgonia.Mul(ns[0], ns[1])
		if err != nil {
			return nil, err
		}
		hn, err := gorgonia.Sigmoid(z)
		if err != nil {
			return nil, err
		}
		return Contractive(1, hn, ns[1])
	}
	closed := func() float64 { // (1/B) Σ_b ‖J_f(x_b)‖²_F, in Go
		var s float64
		zero := make([]float64, units)
		for b := range rows {
			hb := encode(x[b*in:(b+1)*in], w, zero, units)
			for j, v := range hb {
				var n float64
				for i := range in {
					n += w[i*units+j] * w[i*units+j]
				}
				s += v * (1 - v) * v * (1 - v) * n
			}
		}
		return s / rows
	}
	got, grads := evalPenalty(t, tensor.Float64, f, value{[]int{rows, in}, x}, value{[]int{in, units}, w})
	if want := closed(); math.Abs(got-want) > 1e-12*want {
		t.Fatalf("penalty %.15g, want %.15g", got, want)
	}
	for i := range w {
		old := w[i]
		w[i] = old + h
		up := closed()
		w[i] = old - h
		dn := closed()
		w[i] = old
		num := (up - dn) / (2 * h)
		if math.Abs(num-grads[1][i]) > 1e-6*max(1, math.Abs(num)) {
			t.Errorf("∂/∂W[%d]: graph %.9g, finite differences %.9g", i, grads[1][i], num)
		}
	}
}

func TestContractiveRefuses(t *testing.T) {
	g := gorgonia.NewGraph()
	h := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 3), gorgonia.WithName("h"))
	w := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(5, 4), gorgonia.WithName("w"))
	w64 := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(5, 3), gorgonia.WithName("w64"))
	for name, c := range map[string]func() (*gorgonia.Node, error){
		"units differ":    func() (*gorgonia.Node, error) { return Contractive(1, h, w) },
		"dtypes differ":   func() (*gorgonia.Node, error) { return Contractive(1, h, w64) },
		"negative λ":      func() (*gorgonia.Node, error) { return Contractive(-1, h, w64) },
		"nil weights":     func() (*gorgonia.Node, error) { return Contractive(1, h, nil) },
		"NaN coefficient": func() (*gorgonia.Node, error) { return Contractive(math.NaN(), h, w) },
	} {
		if _, err := c(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
