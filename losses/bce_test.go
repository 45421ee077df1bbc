package losses

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestBCEGradientsMatchFiniteDifferences(t *testing.T) {
	tests := []struct {
		name string
		f    lossFn
		pred func(r *rand.Rand) float64
	}{
		// Logits of either sign and some size.
		{"with logits", BinaryCrossEntropyWithLogits, func(r *rand.Rand) float64 { return 4 * r.NormFloat64() }},
		// Probabilities well inside [ε, 1−ε], where the clip is inactive.
		{"probabilities", BinaryCrossEntropy, func(r *rand.Rand) float64 { return 0.02 + 0.96*r.Float64() }},
	}
	const rows, cols, h = 4, 3, 1e-6
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			p := make([]float64, rows*cols)
			for i := range p {
				p[i] = tt.pred(r)
			}
			y := uniform(r, rows, cols) // soft targets exercise both terms
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

// naiveBCE is −[t log p + (1−t) log(1−p)], the textbook formula, for
// moderate p only.
func naiveBCE(p, t float64) float64 { return -(t*math.Log(p) + (1-t)*math.Log(1-p)) }

func naiveSigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

func TestBCEValues(t *testing.T) {
	tests := []struct {
		name      string
		f         lossFn
		pred, tgt []float64 // one example
		want      float64
		wantGrad  []float64 // ∂ℓ/∂pred; nil skips the check
	}{
		{"logit 0 costs log 2", BinaryCrossEntropyWithLogits, []float64{0}, []float64{1}, math.Ln2, []float64{-0.5}},
		{"logit 0, target 0", BinaryCrossEntropyWithLogits, []float64{0}, []float64{0}, math.Ln2, []float64{0.5}},
		{"mean over features", BinaryCrossEntropyWithLogits, []float64{0, 2}, []float64{1, 1},
			(math.Ln2 + math.Log1p(math.Exp(-2))) / 2, []float64{-0.25, (naiveSigmoid(2) - 1) / 2}},
		{"soft target, negative logit", BinaryCrossEntropyWithLogits, []float64{-3}, []float64{0.25},
			naiveBCE(naiveSigmoid(-3), 0.25), []float64{naiveSigmoid(-3) - 0.25}},
		// Extreme logits: σ(±1000) rounds to 0 or 1, so the naive formula
		// gives Inf or NaN; the stable one gives |z| and a gradient of ±1.
		{"confident and wrong, positive", BinaryCrossEntropyWithLogits, []float64{1000}, []float64{0}, 1000, []float64{1}},
		{"confident and wrong, negative", BinaryCrossEntropyWithLogits, []float64{-1000}, []float64{1}, 1000, []float64{-1}},
		{"confident and right", BinaryCrossEntropyWithLogits, []float64{1000, -1000}, []float64{1, 0}, 0, []float64{0, 0}},
		{"probability ½", BinaryCrossEntropy, []float64{0.5}, []float64{1}, math.Ln2, []float64{-2}},
		{"probability, soft target", BinaryCrossEntropy, []float64{0.2}, []float64{0.3}, naiveBCE(0.2, 0.3),
			[]float64{(0.2 - 0.3) / (0.2 * 0.8)}},
		// Clipped: p = 0 for t = 1 costs −log ε, not +Inf, and gets no
		// gradient (the clip is flat there).
		{"probability 0 is clipped", BinaryCrossEntropy, []float64{0}, []float64{1}, -math.Log(ProbabilityEpsilon), []float64{0}},
		// (1−ε in float64 is not exactly 1 − 1e-7, hence log1p.)
		{"probability 1 is clipped", BinaryCrossEntropy, []float64{1}, []float64{0}, -math.Log1p(-(1 - ProbabilityEpsilon)), []float64{0}},
		{"probability 1, right", BinaryCrossEntropy, []float64{1}, []float64{1}, -math.Log1p(-ProbabilityEpsilon), []float64{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, grad := evalLoss(t, tt.f, tt.pred, tt.tgt, []float64{1}, 1, len(tt.pred))
			if math.Abs(got-tt.want) > 1e-12*max(1, math.Abs(tt.want)) {
				t.Errorf("loss %.15g, want %.15g", got, tt.want)
			}
			for j, wg := range tt.wantGrad {
				if math.IsNaN(grad[j]) || math.Abs(grad[j]-wg) > 1e-12*max(1, math.Abs(wg)) {
					t.Errorf("∂ℓ/∂pred[%d] = %.15g, want %.15g", j, grad[j], wg)
				}
			}
		})
	}
}

// TestBCEFloat32Extremes runs the float32 kernels with logits far beyond the
// range where exp overflows in float32 (e^89).
func TestBCEFloat32Extremes(t *testing.T) {
	z := []float32{-500, -90, 0, 90, 500, 3e38}
	y := []float32{1, 0, 1, 0, 1, 0}
	g := gorgonia.NewGraph()
	zn := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 3), gorgonia.WithName("z"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(z))))
	yn := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 3), gorgonia.WithName("y"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(y))))
	l, err := BinaryCrossEntropyWithLogits(zn, yn)
	if err != nil {
		t.Fatal(err)
	}
	cost := gorgonia.Must(gorgonia.Sum(l))
	if _, err := gorgonia.Grad(cost, zn); err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(zn))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	per := l.Value().Data().([]float32)
	want := []float64{(500 + 0 + math.Ln2) / 3, (90 + 3e38) / 3}
	for i, w := range want {
		if math.Abs(float64(per[i])-w) > 1e-6*w {
			t.Errorf("ℓ[%d] = %v, want %v", i, per[i], w)
		}
	}
	gv, _ := zn.Grad()
	wantGrad := []float32{-1. / 3, 0, -1. / 6, 1. / 3, 0, 1. / 3}
	for j, d := range gv.Data().([]float32) {
		if math.IsNaN(float64(d)) || math.Abs(float64(d-wantGrad[j])) > 1e-6 {
			t.Errorf("∂/∂z[%d] = %v, want %v", j, d, wantGrad[j])
		}
	}
}

func TestBCEShapeErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	a := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 3), gorgonia.WithName("a"))
	b := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 4), gorgonia.WithName("b"))
	c := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 3), gorgonia.WithName("c"))
	v := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(2), gorgonia.WithName("v"))
	for name, f := range map[string]lossFn{"bce": BinaryCrossEntropy, "bce logits": BinaryCrossEntropyWithLogits} {
		for _, pair := range [][2]*gorgonia.Node{{a, b}, {a, c}, {v, v}} {
			if _, err := f(pair[0], pair[1]); err == nil {
				t.Errorf("%s accepted %v %v and %v %v", name, pair[0].Shape(), pair[0].Dtype(), pair[1].Shape(), pair[1].Dtype())
			}
		}
	}
}
