package losses

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// evalKL returns Σ_i w_i KL_i and its gradients with respect to the means
// and the log-variances, computed by Gorgonia.
func evalKL(t *testing.T, m, v, w []float64, rows, cols int) (float64, []float64, []float64) {
	t.Helper()
	g := gorgonia.NewGraph()
	mat := func(name string, x []float64) *gorgonia.Node {
		return gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(rows, cols), gorgonia.WithName(name),
			gorgonia.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(append([]float64(nil), x...)))))
	}
	mn, vn := mat("m", m), mat("v", v)
	wn := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(rows), gorgonia.WithName("w"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(rows), tensor.WithBacking(w))))
	kl, err := GaussianKL(mn, vn)
	if err != nil {
		t.Fatal(err)
	}
	cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(kl, wn))))
	if _, err := gorgonia.Grad(cost, mn, vn); err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(mn, vn))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	gm, _ := mn.Grad()
	gv, _ := vn.Grad()
	return cost.Value().Data().(float64), append([]float64(nil), gm.Data().([]float64)...), append([]float64(nil), gv.Data().([]float64)...)
}

func TestGaussianKLGradientsMatchFiniteDifferences(t *testing.T) {
	const rows, cols, h = 3, 4, 1e-6
	r := rand.New(rand.NewPCG(5, 6))
	m, v := make([]float64, rows*cols), make([]float64, rows*cols)
	for i := range m {
		m[i], v[i] = 2*r.NormFloat64(), 1.5*r.NormFloat64()
	}
	w := []float64{1, -0.5, 2}
	_, gm, gv := evalKL(t, m, v, w, rows, cols)
	for _, in := range []struct {
		name string
		x    []float64
		grad []float64
	}{{"μ", m, gm}, {"log σ²", v, gv}} {
		for j := range in.x {
			old := in.x[j]
			in.x[j] = old + h
			fu, _, _ := evalKL(t, m, v, w, rows, cols)
			in.x[j] = old - h
			fd, _, _ := evalKL(t, m, v, w, rows, cols)
			in.x[j] = old
			num := (fu - fd) / (2 * h)
			if math.Abs(num-in.grad[j]) > 1e-6*max(1, math.Abs(num)) {
				t.Errorf("∂/∂%s[%d]: graph %.9g, finite differences %.9g", in.name, j, in.grad[j], num)
			}
		}
	}
}

func TestGaussianKLValues(t *testing.T) {
	tests := []struct {
		name string
		m, v []float64 // one example
		want float64
	}{
		{"the prior itself", []float64{0, 0}, []float64{0, 0}, 0},
		{"a shifted mean costs μ²/2", []float64{3}, []float64{0}, 4.5},
		// KL(N(0, σ²) ‖ N(0, 1)) = (σ² − 1 − log σ²)/2.
		{"a narrower variance", []float64{0}, []float64{math.Log(0.25)}, (0.25 - 1 - math.Log(0.25)) / 2},
		{"summed over the latent dimensions", []float64{1, 2}, []float64{0, 0}, 0.5 + 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, _ := evalKL(t, tt.m, tt.v, []float64{1}, 1, len(tt.m))
			if math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("KL = %.15g, want %.15g", got, tt.want)
			}
		})
	}
}

func TestGaussianKLRefusesMismatchedShapes(t *testing.T) {
	g := gorgonia.NewGraph()
	m := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 3), gorgonia.WithName("m"))
	v := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 4), gorgonia.WithName("v"))
	if _, err := GaussianKL(m, v); err == nil {
		t.Fatal("GaussianKL accepted [2 3] means with [2 4] log-variances")
	}
}
