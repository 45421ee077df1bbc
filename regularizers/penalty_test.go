package regularizers

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// value is a test input: shape (empty for a scalar) and float64 data.
type value struct {
	shape []int
	data  []float64
}

// evalPenalty builds the inputs in a float64 or float32 graph, applies f,
// and returns the penalty's value and its gradient with respect to every
// input, widened to float64.
func evalPenalty(t *testing.T, dt tensor.Dtype, f func(ns []*gorgonia.Node) (*gorgonia.Node, error), in ...value) (float64, [][]float64) {
	t.Helper()
	g := gorgonia.NewGraph()
	ns := make([]*gorgonia.Node, len(in))
	for i, v := range in {
		var back any = append([]float64(nil), v.data...)
		if dt == tensor.Float32 {
			b := make([]float32, len(v.data))
			for k, x := range v.data {
				b[k] = float32(x)
			}
			back = b
		}
		if len(v.shape) == 0 {
			var s any = v.data[0]
			if dt == tensor.Float32 {
				s = float32(v.data[0])
			}
			ns[i] = gorgonia.NewScalar(g, dt, gorgonia.WithName(string(rune('a'+i))), gorgonia.WithValue(s))
			continue
		}
		ns[i] = gorgonia.NewTensor(g, dt, len(v.shape), gorgonia.WithShape(v.shape...), gorgonia.WithName(string(rune('a'+i))),
			gorgonia.WithValue(tensor.New(tensor.WithShape(v.shape...), tensor.WithBacking(back))))
	}
	cost, err := f(ns)
	if err != nil {
		t.Fatal(err)
	}
	if cost.Dims() != 0 {
		t.Fatalf("penalty has shape %v, want a scalar", cost.Shape())
	}
	if _, err := gorgonia.Grad(cost, ns...); err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(ns...))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	grads := make([][]float64, len(ns))
	for i, n := range ns {
		gv, err := n.Grad()
		if err != nil {
			t.Fatal(err)
		}
		grads[i] = widen(gv.Data())
	}
	return widen(cost.Value().Data())[0], grads
}

func widen(d any) []float64 {
	switch d := d.(type) {
	case float64:
		return []float64{d}
	case float32:
		return []float64{float64(d)}
	case []float64:
		return append([]float64(nil), d...)
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	}
	return nil
}

func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

func TestWeightPenalties(t *testing.T) {
	// A weight matrix with zeros, a bias row and a scalar parameter at 0:
	// L1's subgradient must be 0 wherever a weight is exactly 0.
	w := value{[]int{2, 3}, []float64{0.5, -1.5, 0, 2, 0, -0.25}}
	b := value{[]int{1, 3}, []float64{-3, 0, 1}}
	s := value{nil, []float64{0}}
	const lambda = 0.1
	l1 := func(ns []*gorgonia.Node) (*gorgonia.Node, error) { return L1(lambda, ns...) }
	l2 := func(ns []*gorgonia.Node) (*gorgonia.Node, error) { return L2(lambda, ns...) }
	tests := []struct {
		name  string
		f     func([]*gorgonia.Node) (*gorgonia.Node, error)
		in    []value
		want  float64
		dfdx  func(x float64) float64
		exact bool
	}{
		{"L1 of one matrix", l1, []value{w}, lambda * (0.5 + 1.5 + 2 + 0.25), func(x float64) float64 { return lambda * sign(x) }, true},
		{"L1 of three nodes", l1, []value{w, b, s}, lambda * (4.25 + 4), func(x float64) float64 { return lambda * sign(x) }, true},
		{"L2 of one matrix", l2, []value{w}, lambda * (0.25 + 2.25 + 4 + 0.0625), func(x float64) float64 { return 2 * lambda * x }, false},
		{"L2 of three nodes", l2, []value{w, b, s}, lambda * (6.5625 + 10), func(x float64) float64 { return 2 * lambda * x }, false},
		{"λ = 0", func(ns []*gorgonia.Node) (*gorgonia.Node, error) { return L2(0, ns...) }, []value{w}, 0, func(float64) float64 { return 0 }, true},
	}
	for _, tt := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(tt.name+"/"+dt.String(), func(t *testing.T) {
				tol := 1e-12
				if dt == tensor.Float32 {
					tol = 1e-6
				}
				got, grads := evalPenalty(t, dt, tt.f, tt.in...)
				if math.Abs(got-tt.want) > tol*max(1, tt.want) {
					t.Errorf("penalty %.12g, want %.12g", got, tt.want)
				}
				for i, v := range tt.in {
					for k, x := range v.data {
						want := tt.dfdx(x)
						if g := grads[i][k]; math.Abs(g-want) > tol || (tt.exact && x == 0 && g != 0) {
							t.Errorf("∂R/∂%c[%d] at %v = %v, want %v", 'a'+i, k, x, g, want)
						}
					}
				}
			})
		}
	}
}

func TestActivationL1(t *testing.T) {
	h := value{[]int{4, 3}, []float64{0, 1, -2, 0.5, 0, 0, 3, -1, 0, 0.25, 0.25, 0}}
	const lambda, batch = 0.3, 4
	var sum float64
	for _, x := range h.data {
		sum += math.Abs(x)
	}
	got, grads := evalPenalty(t, tensor.Float64, func(ns []*gorgonia.Node) (*gorgonia.Node, error) {
		return ActivationL1(lambda, ns[0])
	}, h)
	if want := lambda * sum / batch; math.Abs(got-want) > 1e-12 {
		t.Errorf("penalty %.12g, want λ·Σ|h|/B = %.12g", got, want)
	}
	for k, x := range h.data {
		if want := lambda / batch * sign(x); grads[0][k] != want {
			t.Errorf("∂R/∂h[%d] at %v = %v, want %v", k, x, grads[0][k], want)
		}
	}
}

// kl is Σ_j KL(ρ ‖ ρ̂_j) written out for the test, without clipping.
func kl(rho float64, means []float64) float64 {
	var s float64
	for _, q := range means {
		s += rho*math.Log(rho/q) + (1-rho)*math.Log((1-rho)/(1-q))
	}
	return s
}

func TestKLSparsity(t *testing.T) {
	const beta, rho = 2.0, 0.1
	const rows, cols = 5, 4
	r := rand.New(rand.NewPCG(7, 8))
	h := value{[]int{rows, cols}, make([]float64, rows*cols)}
	for k := range h.data {
		h.data[k] = 0.05 + 0.9*r.Float64()
	}
	f := func(ns []*gorgonia.Node) (*gorgonia.Node, error) { return KLSparsity(beta, rho, ns[0]) }
	means := func(d []float64) []float64 {
		m := make([]float64, cols)
		for k, x := range d {
			m[k%cols] += x / rows
		}
		return m
	}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			tol := 1e-12
			if dt == tensor.Float32 {
				tol = 1e-5
			}
			got, grads := evalPenalty(t, dt, f, h)
			m := means(h.data)
			if want := beta * kl(rho, m); math.Abs(got-want) > tol*want {
				t.Errorf("penalty %.12g, want %.12g", got, want)
			}
			for k := range h.data {
				q := m[k%cols]
				want := beta / rows * (-rho/q + (1-rho)/(1-q))
				if math.Abs(grads[0][k]-want) > tol*max(1, math.Abs(want)) {
					t.Errorf("∂R/∂h[%d] = %.12g, closed form %.12g", k, grads[0][k], want)
				}
			}
		})
	}
	// Finite differences of the written-out formula, float64.
	_, grads := evalPenalty(t, tensor.Float64, f, h)
	const eps = 1e-6
	for k := range h.data {
		up := append([]float64(nil), h.data...)
		dn := append([]float64(nil), h.data...)
		up[k] += eps
		dn[k] -= eps
		num := beta * (kl(rho, means(up)) - kl(rho, means(dn))) / (2 * eps)
		if math.Abs(num-grads[0][k]) > 1e-6*max(1, math.Abs(num)) {
			t.Errorf("∂R/∂h[%d] = %.9g, finite differences %.9g", k, grads[0][k], num)
		}
	}
}

func TestKLSparsityClips(t *testing.T) {
	// Column 0 never fires, column 1 always does (ρ̂ = 0 and 1): finite
	// penalty, no gradient there; column 2 is ordinary.
	h := value{[]int{2, 3}, []float64{0, 1, 0.2, 0, 1, 0.4}}
	const rho = 0.05
	got, grads := evalPenalty(t, tensor.Float64, func(ns []*gorgonia.Node) (*gorgonia.Node, error) {
		return KLSparsity(1, rho, ns[0])
	}, h)
	if want := kl(rho, []float64{KLEpsilon, 1 - KLEpsilon, 0.3}); math.IsInf(got, 0) || math.Abs(got-want) > 1e-9*want {
		t.Errorf("penalty %v, want %v (ρ̂ clipped into [ε, 1−ε])", got, want)
	}
	wantCol2 := 0.5 * (-rho/0.3 + (1-rho)/0.7)
	for k, g := range grads[0] {
		want := 0.0
		if k%3 == 2 {
			want = wantCol2
		}
		if math.Abs(g-want) > 1e-12 {
			t.Errorf("∂R/∂h[%d] = %v, want %v", k, g, want)
		}
	}
}

func TestPenaltyErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	m64 := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 3), gorgonia.WithName("m64"))
	m32 := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 3), gorgonia.WithName("m32"))
	v := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(3), gorgonia.WithName("v"))
	mi := gorgonia.NewMatrix(g, tensor.Int, gorgonia.WithShape(2, 3), gorgonia.WithName("mi"))
	tests := []struct {
		name string
		f    func() (*gorgonia.Node, error)
	}{
		{"L1 of nothing", func() (*gorgonia.Node, error) { return L1(1) }},
		{"L2 of nothing", func() (*gorgonia.Node, error) { return L2(1) }},
		{"L1 negative λ", func() (*gorgonia.Node, error) { return L1(-1, m64) }},
		{"L2 NaN λ", func() (*gorgonia.Node, error) { return L2(math.NaN(), m64) }},
		{"L2 infinite λ", func() (*gorgonia.Node, error) { return L2(math.Inf(1), m64) }},
		{"L2 mixed dtypes", func() (*gorgonia.Node, error) { return L2(1, m64, m32) }},
		{"L1 int node", func() (*gorgonia.Node, error) { return L1(1, mi) }},
		{"L1 nil node", func() (*gorgonia.Node, error) { return L1(1, m64, nil) }},
		{"activation L1 of a vector", func() (*gorgonia.Node, error) { return ActivationL1(1, v) }},
		{"activation L1 negative λ", func() (*gorgonia.Node, error) { return ActivationL1(-1, m64) }},
		{"KL ρ = 0", func() (*gorgonia.Node, error) { return KLSparsity(1, 0, m64) }},
		{"KL ρ = 1", func() (*gorgonia.Node, error) { return KLSparsity(1, 1, m64) }},
		{"KL ρ NaN", func() (*gorgonia.Node, error) { return KLSparsity(1, math.NaN(), m64) }},
		{"KL negative β", func() (*gorgonia.Node, error) { return KLSparsity(-1, 0.1, m64) }},
		{"KL of a vector", func() (*gorgonia.Node, error) { return KLSparsity(1, 0.1, v) }},
		{"KL of ints", func() (*gorgonia.Node, error) { return KLSparsity(1, 0.1, mi) }},
	}
	for _, tt := range tests {
		if _, err := tt.f(); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		want     bool
	}{
		{"layers.0.weight", []string{WeightPattern}, true},
		{"layers.0.bias", []string{WeightPattern}, false},
		{"encoder.weight", []string{WeightPattern}, true},
		{"layers.1.bias", []string{"layers.1.*"}, true},
		{"layers.10.bias", []string{"layers.1.*"}, false},
		{"layers.2.bias", []string{WeightPattern, "*.bias"}, true},
		{"layers.0.weight", nil, false},
	}
	for _, tt := range tests {
		got, err := Match(tt.name, tt.patterns...)
		if err != nil || got != tt.want {
			t.Errorf("Match(%q, %q) = %v, %v; want %v", tt.name, tt.patterns, got, err, tt.want)
		}
	}
	if _, err := Match("x", "[a-"); err == nil {
		t.Error("Match accepted a malformed pattern")
	}
}

func TestMaxNorm(t *testing.T) {
	// Columns: (3, 4) has norm 5, (0.6, 0.8) norm 1, (0, 0) norm 0.
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			data := []float64{3, 0.6, 0, 4, 0.8, 0}
			var w *tensor.Dense
			if dt == tensor.Float32 {
				b := make([]float32, len(data))
				for i, x := range data {
					b[i] = float32(x)
				}
				w = tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(b))
			} else {
				w = tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(data))
			}
			n, err := MaxNorm(w, 2)
			if err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("rescaled %d columns, want 1", n)
			}
			want := []float64{1.2, 0.6, 0, 1.6, 0.8, 0}
			for i, x := range widen(w.Data()) {
				if math.Abs(x-want[i]) > 1e-6 {
					t.Errorf("w[%d] = %v, want %v", i, x, want[i])
				}
			}
		})
	}
	w := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))
	for _, c := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if _, err := MaxNorm(w, c); err == nil {
			t.Errorf("MaxNorm accepted bound %v", c)
		}
	}
	if _, err := MaxNorm(tensor.New(tensor.WithShape(4), tensor.WithBacking([]float64{1, 2, 3, 4})), 1); err == nil {
		t.Error("MaxNorm accepted a vector")
	}
}

func TestSelect(t *testing.T) {
	g := gorgonia.NewGraph()
	mk := func(name string) *gorgonia.Node {
		return gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 2), gorgonia.WithName(name))
	}
	w0, _, x, w1 := mk("layers.0.weight"), mk("layers.0.bias"), mk("x"), mk("decoder.weight")
	sum := gorgonia.Must(gorgonia.Add(gorgonia.Must(gorgonia.Mul(x, w0)), w1))
	_ = gorgonia.Must(gorgonia.Mul(sum, gorgonia.NewConstant(2.0, gorgonia.WithName("c.weight"))))
	got, err := Select(g, WeightPattern)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != w0 || got[1] != w1 {
		t.Errorf("Select(%q) = %v, want [layers.0.weight decoder.weight]", WeightPattern, got)
	}
	if got, err := Select(g, "nothing"); err != nil || len(got) != 0 {
		t.Errorf("Select(nothing) = %v, %v; want no nodes", got, err)
	}
	if _, err := Select(g, "[a-"); err == nil {
		t.Error("Select accepted a malformed pattern")
	}
	if _, err := Select(nil, WeightPattern); err == nil {
		t.Error("Select accepted a nil graph")
	}
}
