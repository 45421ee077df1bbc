package optimizers

import (
	"math"
	"runtime"
	"slices"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// pair is a ValueGrad made of two tensors, standing in for a graph node.
type pair struct {
	v, g gorgonia.Value
}

func (p pair) Value() gorgonia.Value         { return p.v }
func (p pair) Grad() (gorgonia.Value, error) { return p.g, nil }

// named is a pair with a name, like a *gorgonia.Node.
type named struct {
	pair
	name string
}

func (n named) Name() string { return n.name }

func vec64(x ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(x)), tensor.WithBacking(append([]float64(nil), x...)))
}

func vec32(x ...float64) *tensor.Dense {
	d := make([]float32, len(x))
	for i, v := range x {
		d[i] = float32(v)
	}
	return tensor.New(tensor.WithShape(len(x)), tensor.WithBacking(d))
}

// values returns the elements of a Float32 or Float64 tensor as float64.
func values(d *tensor.Dense) []float64 {
	switch x := d.Data().(type) {
	case []float64:
		return append([]float64(nil), x...)
	case []float32:
		out := make([]float64, len(x))
		for i, v := range x {
			out[i] = float64(v)
		}
		return out
	}
	panic("values: not a float vector")
}

// setValues overwrites the elements of a Float32 or Float64 tensor.
func setValues(d *tensor.Dense, x []float64) {
	switch b := d.Data().(type) {
	case []float64:
		copy(b, x)
	case []float32:
		for i, v := range x {
			b[i] = float32(v)
		}
	}
}

func relErr(got, want float64) float64 {
	if got == want {
		return 0
	}
	return math.Abs(got-want) / math.Max(math.Abs(want), 1e-300)
}

func mustNew(t testing.TB, c Config) Optimizer {
	t.Helper()
	o, err := New(c)
	if err != nil {
		t.Fatalf("New(%+v): %v", c, err)
	}
	return o
}

// The scripted problem of the trajectory tests: values chosen to be exact
// in float32, with a zero gradient, sign changes and a large gradient
// followed by small ones (which AMSGrad's maximum must remember).
var (
	theta0 = []float64{1.5, -0.75, 0.25}
	grads  = [][]float64{
		{0.5, -1.25, 0},
		{3, 0.25, -0.5},
		{-0.125, -2, 0.75},
		{0.0625, 1.5, -4},
	}
)

type trajectoryCase struct {
	name  string
	hyper map[string]float64
	betas []float64
}

func trajectoryCases() []trajectoryCase {
	cases := []trajectoryCase{}
	for _, n := range Names() {
		cases = append(cases, trajectoryCase{name: n}) // defaults
	}
	return append(cases,
		trajectoryCase{name: "sgd", hyper: map[string]float64{"lr": 0.3}},
		trajectoryCase{name: "momentum", hyper: map[string]float64{"lr": 0.05, "momentum": 0.5}},
		trajectoryCase{name: "nesterov", hyper: map[string]float64{"lr": 0.05, "momentum": 0.99}},
		trajectoryCase{name: "adagrad", hyper: map[string]float64{"lr": 0.5, "eps": 0.01}},
		trajectoryCase{name: "adadelta", hyper: map[string]float64{"lr": 0.5, "rho": 0.5, "eps": 1e-2}},
		trajectoryCase{name: "rmsprop", hyper: map[string]float64{"lr": 0.01, "alpha": 0.99, "eps": 1e-3}},
		trajectoryCase{name: "adam", hyper: map[string]float64{"lr": 0.1, "beta1": 0.5, "beta2": 0.75, "eps": 0.1}},
		trajectoryCase{name: "amsgrad", hyper: map[string]float64{"lr": 0.1, "beta1": 0.5, "beta2": 0.5, "eps": 1e-3}},
		trajectoryCase{name: "adamax", hyper: map[string]float64{"lr": 0.1, "beta1": 0.5, "beta2": 0.75, "eps": 0.1}},
		trajectoryCase{name: "adamw", hyper: map[string]float64{"lr": 0.1, "weight_decay": 0.5, "beta2": 0.9}},
		trajectoryCase{name: "nadam", hyper: map[string]float64{"lr": 0.1, "beta1": 0.95, "beta2": 0.9, "momentum_decay": 0.5, "eps": 1e-3}},
		trajectoryCase{name: "qhadam", hyper: map[string]float64{"lr": 0.1, "beta1": 0.8, "beta2": 0.9, "nu1": 0.5, "nu2": 0.6, "eps": 1e-3}},
		trajectoryCase{name: "aggmo", hyper: map[string]float64{"lr": 0.05}, betas: []float64{0.5, 0.9, 0.95, 0.99}},
	)
}

// TestTrajectories compares every optimizer, step by step, with the naive
// reference transcription in reference_test.go, for float64 and float32
// parameters.
func TestTrajectories(t *testing.T) {
	for _, tc := range trajectoryCases() {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(tc.name+"/"+dt.String(), func(t *testing.T) {
				opt := mustNew(t, Config{Name: tc.name, Hyper: tc.hyper, Betas: tc.betas})
				f32 := dt == tensor.Float32
				want := reference(tc.name, refHyper(tc.name, tc.hyper), tc.betas, theta0, grads, f32)
				tol := 1e-12
				mk := vec64
				if f32 {
					tol, mk = 1e-6, vec32
				}
				w := mk(theta0...)
				prev := append([]float64(nil), theta0...)
				for step, g := range grads {
					if err := opt.Step([]gorgonia.ValueGrad{pair{w, mk(g...)}}); err != nil {
						t.Fatalf("step %d: %v", step+1, err)
					}
					got := values(w)
					for i := range got {
						if e := relErr(got[i], want[step][i]); e > tol {
							t.Errorf("step %d, θ[%d] = %.17g, want %.17g (rel err %.2g > %g)", step+1, i, got[i], want[step][i], e, tol)
						}
						// The displacement too, so that tiny steps are checked as closely.
						wantD := want[step][i] - prev[i]
						if e := relErr(got[i]-prev[i], wantD); !f32 && wantD != 0 && e > 1e-8 {
							t.Errorf("step %d, Δθ[%d] = %.17g, want %.17g (rel err %.2g)", step+1, i, got[i]-prev[i], wantD, e)
						}
					}
					prev = want[step]
					if opt.Steps() != step+1 {
						t.Errorf("Steps() = %d after %d steps", opt.Steps(), step+1)
					}
				}
			})
		}
	}
}

// TestFirstSteps checks first steps worked out by hand.
func TestFirstSteps(t *testing.T) {
	tests := []struct {
		name  string
		hyper map[string]float64
		grads [][]float64
		want  []float64 // after the last gradient
	}{
		// SGD, η = 0.01: 1.5 − 0.01·0.5 = 1.495; −0.75 + 0.01·1.25 = −0.7375.
		{"sgd", nil, [][]float64{{0.5, -1.25}}, []float64{1.495, -0.7375}},
		// Momentum, η = 0.01, γ = 0.9: v = 0.005, θ = 1.495; then
		// v = 0.9·0.005 + 0.01·3 = 0.0345, θ = 1.495 − 0.0345 = 1.4605.
		{"momentum", nil, [][]float64{{0.5, 0}, {3, 0}}, []float64{1.4605, -0.75}},
		// Nesterov, η = 0.01, γ = 0.9: θ = 1.5 − 1.9·0.005 = 1.4905, v = 0.005;
		// then θ = 1.4905 − 0.81·0.005 − 1.9·0.03 = 1.429450, v = 0.0345.
		{"nesterov", nil, [][]float64{{0.5, 0}, {3, 0}}, []float64{1.42945, -0.75}},
		// Adam: m̂ = g and v̂ = g² on the first step, so each weight moves by
		// η·g/(|g| + ε) ≈ η·sign(g): 1.5 − 0.001·0.5/(0.5 + 1e-8) =
		// 1.49900000002, −0.75 + 0.001·1.25/(1.25 + 1e-8) = −0.74900000000800.
		{"adam", nil, [][]float64{{0.5, -1.25}}, []float64{1.5 - 0.001*0.5/(0.5+1e-8), -0.75 + 0.001*1.25/(1.25+1e-8)}},
		{"adam", nil, [][]float64{{0.5, -1.25}}, []float64{1.49900000002, -0.749000000008}},
		// AdaGrad: G = g², θ −= η g/√(g² + 1e-10) ≈ η sign(g).
		{"adagrad", nil, [][]float64{{0.5, -1.25}}, []float64{1.49, -0.74}},
		// AggMo, η = 0.1, β = [0, 0.9, 0.99]: every b_i = g on the first step,
		// so θ −= 0.1·g.
		{"aggmo", nil, [][]float64{{0.5, -1.25}}, []float64{1.45, -0.625}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := mustNew(t, Config{Name: tt.name, Hyper: tt.hyper})
			w := vec64(1.5, -0.75)
			for _, g := range tt.grads {
				if err := opt.Step([]gorgonia.ValueGrad{pair{w, vec64(g...)}}); err != nil {
					t.Fatal(err)
				}
			}
			for i, got := range values(w) {
				if e := relErr(got, tt.want[i]); e > 1e-9 {
					t.Errorf("θ[%d] = %.15g, want %.15g", i, got, tt.want[i])
				}
			}
		})
	}
}

// TestManyParameters checks that each parameter has its own state and that
// shapes other than vectors (matrices, scalars) work.
func TestManyParameters(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			opt := mustNew(t, Config{Name: name})
			ref := mustNew(t, Config{Name: name})
			mat := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))
			sc := tensor.New(tensor.FromScalar(float32(0.5)))
			w0, w1 := vec64(1, 2, 3, 4), vec32(0.5)
			for step := 0; step < 3; step++ {
				gm := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0.1, -0.2, 0.3, float64(step)}))
				gs := tensor.New(tensor.FromScalar(float32(step) - 1))
				if err := ref.Step([]gorgonia.ValueGrad{pair{w0, vec64(values(gm)...)}, pair{w1, vec32(float64(step) - 1)}}); err != nil {
					t.Fatal(err)
				}
				if err := opt.Step([]gorgonia.ValueGrad{pair{mat, gm}, pair{sc, gs}}); err != nil {
					t.Fatal(err)
				}
			}
			if got, want := values(mat), values(w0); !equal(got, want) {
				t.Errorf("matrix: %v, want %v", got, want)
			}
			if got, want := float64(sc.Data().(float32)), values(w1)[0]; got != want {
				t.Errorf("scalar: %v, want %v", got, want)
			}
		})
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

// TestMixedDtypes checks a Float32 value with a Float64 gradient and the
// reverse: both are converted to float64 before the update.
func TestMixedDtypes(t *testing.T) {
	opt := mustNew(t, Config{Name: "adam"})
	a, b := vec32(1, 2), vec64(1, 2)
	if err := opt.Step([]gorgonia.ValueGrad{pair{a, vec64(0.5, -1)}, pair{b, vec32(0.5, -1)}}); err != nil {
		t.Fatal(err)
	}
	want := reference("adam", refDefaults["adam"], nil, []float64{1, 2}, [][]float64{{0.5, -1}}, false)[0]
	for i := range want {
		if got := values(a)[i]; got != float64(float32(want[i])) {
			t.Errorf("float32 value: θ[%d] = %v, want %v", i, got, float32(want[i]))
		}
		if got := values(b)[i]; relErr(got, want[i]) > 1e-15 {
			t.Errorf("float64 value: θ[%d] = %v, want %v", i, got, want[i])
		}
	}
}

// TestLearningRate checks SetLearningRate, Hyper and that the new rate is
// used by the next step.
func TestLearningRate(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			opt := mustNew(t, Config{Name: name})
			if got, want := opt.LearningRate(), refDefaults[name]["lr"]; got != want {
				t.Errorf("LearningRate() = %v, want %v", got, want)
			}
			if got := opt.Hyper(); !sameHyper(got, refDefaults[name]) {
				t.Errorf("Hyper() = %v, want %v", got, refDefaults[name])
			}
			opt.SetLearningRate(0.25)
			if got := opt.Hyper()["lr"]; got != 0.25 {
				t.Errorf(`Hyper()["lr"] = %v after SetLearningRate(0.25)`, got)
			}
			if opt.Name() != name {
				t.Errorf("Name() = %q, want %q", opt.Name(), name)
			}

			// Step 1 at the default rate, step 2 at 0.25: compare with a
			// fresh optimizer built with lr 0.25 whose state is that of step 1.
			a := mustNew(t, Config{Name: name})
			w := vec64(theta0...)
			step := func(o Optimizer, g []float64) {
				t.Helper()
				if err := o.Step([]gorgonia.ValueGrad{pair{w, vec64(g...)}}); err != nil {
					t.Fatal(err)
				}
			}
			step(a, grads[0])
			after1 := values(w)
			s := a.State()
			a.SetLearningRate(0.25)
			step(a, grads[1])
			got := values(w)

			setValues(w, after1)
			b := mustNew(t, Config{Name: name, Hyper: map[string]float64{"lr": 0.25}})
			s.LR = 0.25
			if err := b.SetState(s); err != nil {
				t.Fatal(err)
			}
			step(b, grads[1])
			if want := values(w); !equal(got, want) {
				t.Errorf("after SetLearningRate: %v, want %v", got, want)
			}
		})
	}
}

func sameHyper(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestNoAllocations checks that Step does not allocate after the first step.
func TestNoAllocations(t *testing.T) {
	for _, name := range Names() {
		for _, mk := range []func(...float64) *tensor.Dense{vec64, vec32} {
			opt := mustNew(t, Config{Name: name})
			vgs := []gorgonia.ValueGrad{pair{mk(1, 2, 3), mk(0.1, 0.2, 0.3)}, pair{mk(1, 2), mk(-1, 1)}}
			if err := opt.Step(vgs); err != nil {
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(20, func() { _ = opt.Step(vgs) }); n != 0 {
				t.Errorf("%s %v: %v allocations per Step, want 0", name, vgs[0].Value().Dtype(), n)
			}
		}
	}
}

// TestGradientConsumed checks that Step zeroes the gradients it used, as
// Gorgonia's solvers do, for both dtypes, and leaves them alone on error.
func TestGradientConsumed(t *testing.T) {
	for _, name := range Names() {
		opt := mustNew(t, Config{Name: name})
		g64, g32 := vec64(1, -2), vec32(0.5)
		if err := opt.Step([]gorgonia.ValueGrad{pair{vec64(1, 1), g64}, pair{vec32(1), g32}}); err != nil {
			t.Fatal(err)
		}
		if got := append(values(g64), values(g32)...); !equal(got, []float64{0, 0, 0}) {
			t.Errorf("%s: gradients after Step %v, want zeros", name, got)
		}
		g := vec64(1, 2)
		if err := opt.Step([]gorgonia.ValueGrad{pair{vec64(1, 1), g}}); err == nil {
			t.Fatalf("%s: no error for a changed parameter list", name)
		}
		if got := values(g); !equal(got, []float64{1, 2}) {
			t.Errorf("%s: failed Step changed the gradient to %v", name, got)
		}
	}
}

// rewritten is a pair whose gradient the graph rewrites at every run.
type rewritten struct{ pair }

func (rewritten) GradRewritten() bool { return true }

// TestRewrittenGradientKept checks that Step leaves a Rewritten gradient as
// it was, for both dtypes and for parameters large enough to be updated in
// parallel, and updates the parameter as usual.
func TestRewrittenGradientKept(t *testing.T) {
	for _, name := range Names() {
		for _, n := range []int{3, parallelMin + 5} {
			g64, g32 := tensor.New(tensor.WithShape(n), tensor.Of(tensor.Float64)), tensor.New(tensor.WithShape(n), tensor.Of(tensor.Float32))
			w64, w32 := tensor.New(tensor.WithShape(n), tensor.Of(tensor.Float64)), tensor.New(tensor.WithShape(n), tensor.Of(tensor.Float32))
			for i := range n {
				g64.Float64s()[i] = float64(i%7) - 3
				g32.Float32s()[i] = float32(i%5) - 2
			}
			want64, want32 := append([]float64(nil), g64.Float64s()...), append([]float32(nil), g32.Float32s()...)
			opt := mustNew(t, Config{Name: name})
			if err := opt.Step([]gorgonia.ValueGrad{rewritten{pair{w64, g64}}, rewritten{pair{w32, g32}}}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(g64.Float64s(), want64) || !slices.Equal(g32.Float32s(), want32) {
				t.Errorf("%s, %d elements: a Rewritten gradient was changed by Step", name, n)
			}
			if w64.Float64s()[0] == 0 || w32.Float32s()[0] == 0 {
				t.Errorf("%s, %d elements: parameters not updated", name, n)
			}
		}
	}
}

// TestParallelStepIsExact checks that a step shared out over several
// goroutines gives, bit for bit, the single goroutine's result, for every
// optimizer, on float32 and float64 parameters big enough to be shared;
// and, the kernels being element-wise, that an element of every block ends
// as the same element alone in a small parameter does.
func TestParallelStepIsExact(t *testing.T) {
	const n = parallelMin + 3*block + 17 // a ragged last block
	run := func(name string, procs int, f64 bool) []float64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		opt, err := New(Config{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		var w, g *tensor.Dense
		if f64 {
			w, g = tensor.New(tensor.WithShape(n), tensor.Of(tensor.Float64)), tensor.New(tensor.WithShape(n), tensor.Of(tensor.Float64))
		} else {
			w, g = tensor.New(tensor.WithShape(n), tensor.Of(tensor.Float32)), tensor.New(tensor.WithShape(n), tensor.Of(tensor.Float32))
		}
		grad := func(i, step int) float64 { return float64((i*7+step*13)%101)/101 - 0.5 }
		probes := n/block + 1 // element k*block+5 of w, alone
		probe, probeG := tensor.New(tensor.WithShape(probes), tensor.Of(w.Dtype())), tensor.New(tensor.WithShape(probes), tensor.Of(w.Dtype()))
		small := tensor.New(tensor.WithShape(5), tensor.WithBacking([]float64{1, 2, 3, 4, 5}))
		smallG := tensor.New(tensor.WithShape(5), tensor.Of(tensor.Float64))
		vgs := []gorgonia.ValueGrad{pair{small, smallG}, pair{w, g}, pair{probe, probeG}}
		for step := range 3 {
			for i := range n {
				if f64 {
					g.Float64s()[i] = grad(i, step)
				} else {
					g.Float32s()[i] = float32(grad(i, step))
				}
			}
			for k := range probes {
				if f64 {
					probeG.Float64s()[k] = grad(k*block+5, step)
				} else {
					probeG.Float32s()[k] = float32(grad(k*block+5, step))
				}
			}
			for i := range 5 {
				smallG.Float64s()[i] = float64(i+step) / 10
			}
			if err := opt.Step(vgs); err != nil {
				t.Fatal(err)
			}
		}
		out := append([]float64(nil), small.Float64s()...)
		at := func(v *tensor.Dense, i int) float64 {
			if f64 {
				return v.Float64s()[i]
			}
			return float64(v.Float32s()[i])
		}
		for k := range probes {
			if a, b := at(w, k*block+5), at(probe, k); math.Float64bits(a) != math.Float64bits(b) {
				t.Errorf("%s (float64 %t): element %d is %v, alone it is %v", name, f64, k*block+5, a, b)
			}
		}
		for i := range n {
			out = append(out, at(w, i))
		}
		return out
	}
	for _, name := range Names() {
		for _, f64 := range []bool{false, true} {
			one, three := run(name, 1, f64), run(name, 3, f64)
			for i := range one {
				if math.Float64bits(one[i]) != math.Float64bits(three[i]) {
					t.Errorf("%s (float64 %t): element %d is %v on one goroutine, %v on three", name, f64, i, one[i], three[i])
					break
				}
			}
		}
	}
}
