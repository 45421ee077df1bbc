package optimizers

import (
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ravine builds the cost x²/20 + y² of w = (x, y) as a Gorgonia graph, with
// w starting at (2, 1) and bound to dual values so that w.Grad() works.
type ravine struct {
	g    *gorgonia.ExprGraph
	w    *gorgonia.Node
	cost *gorgonia.Node
	vm   gorgonia.VM
}

func newRavine(t testing.TB, dt tensor.Dtype) *ravine {
	t.Helper()
	g := gorgonia.NewGraph()
	var wv, cv *tensor.Dense
	if dt == tensor.Float64 {
		wv = tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{2, 1}))
		cv = tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0.05, 1}))
	} else {
		wv = tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{2, 1}))
		cv = tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{0.05, 1}))
	}
	w := gorgonia.NewVector(g, dt, gorgonia.WithShape(2), gorgonia.WithName("w"), gorgonia.WithValue(wv))
	c := gorgonia.NewVector(g, dt, gorgonia.WithShape(2), gorgonia.WithName("c"), gorgonia.WithValue(cv))
	cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(c, gorgonia.Must(gorgonia.HadamardProd(w, w))))))
	if _, err := gorgonia.Grad(cost, w); err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(w))
	t.Cleanup(func() { vm.Close() })
	return &ravine{g: g, w: w, cost: cost, vm: vm}
}

// loss runs the graph forward and backward and returns the cost.
func (r *ravine) loss(t testing.TB) float64 {
	t.Helper()
	if err := r.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	switch v := r.cost.Value().Data().(type) {
	case float64:
		return v
	case float32:
		return float64(v)
	}
	t.Fatalf("cost has type %T", r.cost.Value().Data())
	return 0
}

// TestGraphConvergence trains w on the ravine with every optimizer at its
// defaults (and a few with a larger learning rate) for 200 RunAll/Step/Reset
// cycles and checks that the loss goes down from 1.2 to below a bound set
// with a margin over the loss reached (in the comments).
func TestGraphConvergence(t *testing.T) {
	const steps = 200
	const initial = 2.0*2.0/20 + 1 // 1.2
	tests := []struct {
		name  string
		hyper map[string]float64
		want  float64 // final loss below this
	}{
		{"sgd", nil, 0.2},                                 // 0.134
		{"momentum", nil, 0.01},                           // 0.0029
		{"nesterov", nil, 0.01},                           // 0.0030
		{"adagrad", nil, 0.8},                             // 0.707
		{"adagrad", map[string]float64{"lr": 0.5}, 1e-6},  // 4e-30
		{"adadelta", nil, 0.25},                           // 0.166
		{"rmsprop", nil, 0.85},                            // 0.789
		{"rmsprop", map[string]float64{"lr": 0.01}, 0.01}, // 0.00083
		{"adam", nil, 0.9},                                // 0.816
		{"adam", map[string]float64{"lr": 0.05}, 1e-6},    // 1e-9
		{"amsgrad", nil, 0.9},                             // 0.816
		{"adamax", nil, 0.6},                              // 0.533
		{"adamw", nil, 0.9},                               // 0.813
		{"nadam", nil, 0.6},                               // 0.548
		{"qhadam", nil, 0.9},                              // 0.807
		{"aggmo", nil, 1e-3},                              // 1.5e-5
	}
	for _, tt := range tests {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(tt.name+"/"+dt.String(), func(t *testing.T) {
				r := newRavine(t, dt)
				opt := mustNew(t, Config{Name: tt.name, Hyper: tt.hyper})
				vgs := gorgonia.NodesToValueGrads(gorgonia.Nodes{r.w})
				var first, last float64
				for i := 0; i < steps; i++ {
					last = r.loss(t)
					if i == 0 {
						first = last
					}
					if err := opt.Step(vgs); err != nil {
						t.Fatal(err)
					}
					r.vm.Reset()
				}
				last = r.loss(t)
				if first != initial && relErr(first, initial) > 1e-6 {
					t.Fatalf("initial loss %g, want %g", first, initial)
				}
				if !(last < tt.want) {
					t.Errorf("after %d steps: want loss < %g, got %g", steps, tt.want, last)
				}
				t.Logf("loss %g → %g", first, last)
			})
		}
	}
}

// TestGraphValues checks how Gorgonia hands parameters to a solver: the
// value and gradient of a dual-bound node are the same *tensor.Dense at
// every step, updated in place; the TapeMachine adds each new gradient to
// the stored one (vm.Reset does not clear it), and Step zeroes it, so that
// each RunAll yields the gradient at the current point.
func TestGraphValues(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		r := newRavine(t, dt)
		grad := func() []float64 {
			g, err := r.w.Grad()
			if err != nil {
				t.Fatal(err)
			}
			return values(g.(*tensor.Dense))
		}

		// Without a solver, two runs accumulate: (2·0.1, 2·2).
		r.loss(t)
		r.vm.Reset()
		r.loss(t)
		if got := grad(); relErr(got[0], 0.4) > 1e-6 || relErr(got[1], 4) > 1e-6 {
			t.Errorf("%v: gradient after two runs %v, want [0.4 4] (accumulated)", dt, got)
		}
		g, _ := r.w.Grad()
		g.(*tensor.Dense).Zero() // start afresh
		r.vm.Reset()

		opt := mustNew(t, Config{Name: "sgd", Hyper: map[string]float64{"lr": 0.1}})
		vgs := gorgonia.NodesToValueGrads(gorgonia.Nodes{r.w})
		var v0, g0 gorgonia.Value
		for i := 0; i < 3; i++ {
			r.loss(t)
			v := r.w.Value()
			g, err := r.w.Grad()
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				v0, g0 = v, g
			} else if v != v0 || g != g0 {
				t.Errorf("%v step %d: value or gradient is a new object (%p/%p, was %p/%p)", dt, i, v, g, v0, g0)
			}
			w, gv := values(v.(*tensor.Dense)), grad()
			// d/dw (x²/20 + y²) = (x/10, 2y)
			if want := []float64{w[0] / 10, 2 * w[1]}; relErr(gv[0], want[0]) > 1e-6 || relErr(gv[1], want[1]) > 1e-6 {
				t.Errorf("%v step %d: gradient %v at %v, want %v", dt, i, gv, w, want)
			}
			if err := opt.Step(vgs); err != nil {
				t.Fatal(err)
			}
			if got := grad(); got[0] != 0 || got[1] != 0 {
				t.Errorf("%v step %d: gradient %v after Step, want zeros", dt, i, got)
			}
			r.vm.Reset()
		}
	}
}
