package losses

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// evalDice returns Dice's value (one per example, or one for the batch) and
// the gradient of Σ_i w_i ℓ_i (batch form: w_0 ℓ) with respect to p.
func evalDice(t *testing.T, p, y, w []float64, rows, cols int, perExample bool, smooth float64) ([]float64, []float64) {
	t.Helper()
	g := gorgonia.NewGraph()
	pn := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(rows, cols), gorgonia.WithName("p"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(append([]float64(nil), p...)))))
	yn := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(rows, cols), gorgonia.WithName("y"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(y))))
	l, err := Dice(pn, yn, perExample, smooth)
	if err != nil {
		t.Fatal(err)
	}
	var cost *gorgonia.Node
	if perExample {
		wn := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(rows), gorgonia.WithName("w"),
			gorgonia.WithValue(tensor.New(tensor.WithShape(rows), tensor.WithBacking(w))))
		cost = gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(l, wn))))
	} else {
		if l.Dims() != 0 {
			t.Fatalf("batch Dice has shape %v, want a scalar", l.Shape())
		}
		cost = gorgonia.Must(gorgonia.Mul(l, gorgonia.NewConstant(w[0])))
	}
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
	var vals []float64
	switch d := l.Value().Data().(type) {
	case float64:
		vals = []float64{d}
	case []float64:
		vals = append(vals, d...)
	}
	return vals, append([]float64(nil), gv.Data().([]float64)...)
}

// diceGrad is the lecture's closed form of ∂D/∂p_j over the slices p and g
// (generalised to a smoothing term s, which it reduces to for s = 0):
//
//	∂D/∂p_j = [2 g_j (Σp² + Σg² + s) − 2 p_j (2 Σpg + s)] / (Σp² + Σg² + s)²
func diceGrad(p, g []float64, s float64) []float64 {
	var inter, den float64
	for i := range p {
		inter += p[i] * g[i]
		den += p[i]*p[i] + g[i]*g[i]
	}
	den += s
	out := make([]float64, len(p))
	for j := range p {
		if s == 0 {
			// The lecture's form, verbatim.
			out[j] = 2 * (g[j]*den - 2*p[j]*inter) / (den * den)
		} else {
			out[j] = (2*g[j]*den - 2*p[j]*(2*inter+s)) / (den * den)
		}
	}
	return out
}

func TestDiceGradientMatchesLecture(t *testing.T) {
	const rows, cols = 3, 7
	for _, tt := range []struct {
		perExample bool
		smooth     float64
		target     string
	}{
		{true, 0, "binary"}, {true, 0, "soft"}, {false, 0, "binary"}, {false, 0, "soft"},
		{true, 1, "binary"}, {false, 0.5, "soft"},
	} {
		t.Run(fmt.Sprintf("perExample=%v smooth=%g %s", tt.perExample, tt.smooth, tt.target), func(t *testing.T) {
			r := rand.New(rand.NewPCG(5, 6))
			for trial := 0; trial < 5; trial++ {
				p := uniform(r, rows, cols)
				y := uniform(r, rows, cols)
				if tt.target == "binary" {
					for i := range y {
						y[i] = math.Round(y[i])
					}
				}
				w := []float64{1, -0.5, 2}
				_, got := evalDice(t, p, y, w, rows, cols, tt.perExample, tt.smooth)
				// The loss is 1 − D, so Gorgonia's gradient is −w_i ∂D/∂p.
				var want []float64
				if tt.perExample {
					for i := 0; i < rows; i++ {
						for _, d := range diceGrad(p[i*cols:(i+1)*cols], y[i*cols:(i+1)*cols], tt.smooth) {
							want = append(want, -w[i]*d)
						}
					}
				} else {
					for _, d := range diceGrad(p, y, tt.smooth) {
						want = append(want, -w[0]*d)
					}
				}
				for j := range want {
					if math.Abs(got[j]-want[j]) > 1e-12*max(1, math.Abs(want[j])) {
						t.Errorf("trial %d: ∂ℓ/∂p[%d] = %.17g, closed form %.17g", trial, j, got[j], want[j])
					}
				}
			}
		})
	}
}

func TestDiceValues(t *testing.T) {
	tests := []struct {
		name       string
		p, g       []float64
		rows, cols int
		perExample bool
		smooth     float64
		want       []float64
	}{
		{"perfect prediction", []float64{1, 0, 1}, []float64{1, 0, 1}, 1, 3, true, 0, []float64{0}},
		// Σpg = 0.5, Σp² + Σg² = 0.5 + 1: D = 1/1.5.
		{"half-hearted", []float64{0.5, 0.5}, []float64{1, 0}, 1, 2, true, 0, []float64{1 - 1/1.5}},
		{"nothing predicted", []float64{0, 0}, []float64{1, 0}, 1, 2, true, 0, []float64{1}},
		{"smoothed empty mask", []float64{0, 0}, []float64{0, 0}, 1, 2, true, 1, []float64{0}},
		// Smoothed: (2·0.5 + 1)/(1.5 + 1) = 0.8.
		{"smoothed", []float64{0.5, 0.5}, []float64{1, 0}, 1, 2, true, 1, []float64{0.2}},
		{"per example", []float64{1, 0, 0.5, 0.5}, []float64{1, 0, 1, 0}, 2, 2, true, 0, []float64{0, 1 - 1/1.5}},
		// Over the batch: Σpg = 1.5, Σp² + Σg² = 1.5 + 2: D = 3/3.5.
		{"over the batch", []float64{1, 0, 0.5, 0.5}, []float64{1, 0, 1, 0}, 2, 2, false, 0, []float64{1 - 3/3.5}},
		// A one-feature classifier: per example, every negative costs 1.
		{"one feature, per example", []float64{0.1, 0.9, 0.2}, []float64{0, 1, 0}, 3, 1, true, 0,
			[]float64{1, 1 - 1.8/1.81, 1}},
		{"one feature, over the batch", []float64{0.1, 0.9, 0.2}, []float64{0, 1, 0}, 3, 1, false, 0,
			[]float64{1 - 1.8/(0.01+0.81+0.04+1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := make([]float64, tt.rows)
			got, _ := evalDice(t, tt.p, tt.g, w, tt.rows, tt.cols, tt.perExample, tt.smooth)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d values %v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if math.Abs(got[i]-tt.want[i]) > 1e-12 {
					t.Errorf("ℓ[%d] = %.15g, want %.15g", i, got[i], tt.want[i])
				}
			}
			if !tt.perExample {
				if d := DiceCoefficient(tt.p, tt.g, tt.smooth); math.Abs(1-d-got[0]) > 1e-12 {
					t.Errorf("DiceCoefficient = %.15g, graph 1 − ℓ = %.15g", d, 1-got[0])
				}
			}
		})
	}
}

func TestDiceFloat32(t *testing.T) {
	g := gorgonia.NewGraph()
	pn := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 2), gorgonia.WithName("p"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 0, 0.5, 0.5}))))
	yn := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 2), gorgonia.WithName("y"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 0, 1, 0}))))
	l, err := Dice(pn, yn, true, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	got := l.Value().Data().([]float32)
	want := []float64{0, 1 - 1/1.5}
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > 1e-6 {
			t.Errorf("ℓ[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestDiceErrors(t *testing.T) {
	g := gorgonia.NewGraph()
	a := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 3), gorgonia.WithName("a"))
	b := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 4), gorgonia.WithName("b"))
	if _, err := Dice(a, b, true, 0); err == nil {
		t.Error("Dice accepted shapes (2,3) and (2,4)")
	}
	for _, s := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := Dice(a, a, true, s); err == nil {
			t.Errorf("Dice accepted smoothing %v", s)
		}
	}
}

func TestDiceCoefficient(t *testing.T) {
	if d := DiceCoefficient([]float32{1, 1, 0, 0}, []float32{1, 0, 1, 0}, 0); d != 0.5 {
		t.Errorf("thresholded Dice = %v, want 0.5 (the F1 score)", d)
	}
	if d := DiceCoefficient([]float64{0, 0}, []float64{0, 0}, 0); !math.IsNaN(d) {
		t.Errorf("empty Dice = %v, want NaN", d)
	}
	if d := DiceCoefficient([]float64{0, 0}, []float64{0, 0}, 1); d != 1 {
		t.Errorf("smoothed empty Dice = %v, want 1", d)
	}
}
