package losses

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

type lossFn func(p, t *gorgonia.Node) (*gorgonia.Node, error)

// evalLoss returns Σ_i w_i ℓ_i and its gradient with respect to p, computed by
// Gorgonia. The weights w make the incoming gradient differ per example.
func evalLoss(t *testing.T, f lossFn, p, y, w []float64, rows, cols int) (float64, []float64) {
	t.Helper()
	g := gorgonia.NewGraph()
	pn := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(rows, cols), gorgonia.WithName("p"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(append([]float64(nil), p...)))))
	yn := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(rows, cols), gorgonia.WithName("y"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(y))))
	wn := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(rows), gorgonia.WithName("w"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(rows), tensor.WithBacking(w))))
	l, err := f(pn, yn)
	if err != nil {
		t.Fatal(err)
	}
	cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(l, wn))))
	if _, err := gorgonia.Grad(cost, pn); err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(pn))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	gv, err := pn.Grad()
	if err != nil {
		t.Fatal(err)
	}
	return cost.Value().Data().(float64), append([]float64(nil), gv.Data().([]float64)...)
}

func TestGradientsMatchFiniteDifferences(t *testing.T) {
	tests := []struct {
		name   string
		f      lossFn
		target func(r *rand.Rand, rows, cols int) []float64
	}{
		{"softmax cross-entropy, one-hot", SoftmaxCrossEntropy, oneHot},
		{"softmax cross-entropy, soft targets", SoftmaxCrossEntropy, uniform},
		{"mse", MSE, uniform},
	}
	const rows, cols, h = 4, 5, 1e-6
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			p := make([]float64, rows*cols)
			for i := range p {
				p[i] = 3 * r.NormFloat64()
			}
			y := tt.target(r, rows, cols)
			w := []float64{1, -0.5, 2, 0.25}
			_, grad := evalLoss(t, tt.f, p, y, w, rows, cols)
			for j := range p {
				up := append([]float64(nil), p...)
				dn := append([]float64(nil), p...)
				up[j] += h
				dn[j] -= h
				fu, _ := evalLoss(t, tt.f, up, y, w, rows, cols)
				fd, _ := evalLoss(t, tt.f, dn, y, w, rows, cols)
				num := (fu - fd) / (2 * h)
				if math.Abs(num-grad[j]) > 1e-6*max(1, math.Abs(num)) {
					t.Errorf("∂/∂p[%d]: graph %.9g, finite differences %.9g", j, grad[j], num)
				}
			}
		})
	}
}

func oneHot(r *rand.Rand, rows, cols int) []float64 {
	y := make([]float64, rows*cols)
	for i := 0; i < rows; i++ {
		y[i*cols+r.IntN(cols)] = 1
	}
	return y
}

func uniform(r *rand.Rand, rows, cols int) []float64 {
	y := make([]float64, rows*cols)
	for i := range y {
		y[i] = r.Float64()
	}
	return y
}

func TestSoftmaxCrossEntropyValues(t *testing.T) {
	tests := []struct {
		name   string
		logits []float64
		target []float64
		want   float64
	}{
		{"uniform logits cost log K", []float64{0, 0, 0, 0}, []float64{0, 1, 0, 0}, math.Log(4)},
		{"confident and right", []float64{50, 0, 0, 0}, []float64{1, 0, 0, 0}, 3 * math.Exp(-50)},
		// Large logits: a naive softmax overflows exp(1000) to Inf.
		{"confident and wrong stays finite", []float64{1000, 0, 0, 0}, []float64{0, 1, 0, 0}, 1000},
	}
	for _, tt := range tests {
		got, _ := evalLoss(t, SoftmaxCrossEntropy, tt.logits, tt.target, []float64{1}, 1, 4)
		if math.Abs(got-tt.want) > 1e-9*max(1, tt.want) {
			t.Errorf("%s: loss %.12g, want %.12g", tt.name, got, tt.want)
		}
	}
}

func TestShapeErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	a := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 3), gorgonia.WithName("a"))
	b := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 4), gorgonia.WithName("b"))
	for name, f := range map[string]lossFn{"xent": SoftmaxCrossEntropy, "mse": MSE} {
		if _, err := f(a, b); err == nil {
			t.Errorf("%s accepted shapes (2,3) and (2,4)", name)
		}
	}
}
