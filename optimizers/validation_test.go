package optimizers

import (
	"errors"
	"math"
	"sort"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestNames(t *testing.T) {
	want := []string{"adadelta", "adagrad", "adam", "adamax", "adamw", "aggmo", "amsgrad", "momentum", "nadam", "nesterov", "qhadam", "rmsprop", "sgd"}
	got := Names()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	if !sort.StringsAreSorted(got) {
		t.Errorf("Names() not sorted")
	}
}

// TestSpec checks the documented defaults and that Spec agrees with Hyper.
func TestSpec(t *testing.T) {
	for _, name := range Names() {
		spec, err := Spec(name)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for i, h := range spec {
			got[h.Name] = h.Default
			if h.Doc == "" {
				t.Errorf("%s: %s has no doc", name, h.Name)
			}
			if i > 0 && spec[i-1].Name >= h.Name {
				t.Errorf("%s: Spec not sorted by name", name)
			}
		}
		if !sameHyper(got, refDefaults[name]) {
			t.Errorf("%s: Spec defaults %v, want %v", name, got, refDefaults[name])
		}
	}
	if _, err := Spec("adma"); err == nil {
		t.Errorf("Spec(adma): no error")
	}
	if got := mustNew(t, Config{Name: "aggmo"}).(*AggMo).Betas(); !equal(got, []float64{0, 0.9, 0.99}) {
		t.Errorf("aggmo default betas %v", got)
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		c    Config
		want string
	}{
		{Config{Name: "adma"}, `optimizers: unknown optimizer "adma" (known: adadelta, adagrad, adam, adamax, adamw, aggmo, amsgrad, momentum, nadam, nesterov, qhadam, rmsprop, sgd)`},
		{Config{Name: ""}, `optimizers: unknown optimizer "" (known: adadelta, adagrad, adam, adamax, adamw, aggmo, amsgrad, momentum, nadam, nesterov, qhadam, rmsprop, sgd)`},
		{Config{Name: "adam", Hyper: map[string]float64{"rho": 0.9}}, `optimizers: adam has no hyper-parameter "rho" (known: beta1, beta2, eps, lr)`},
		{Config{Name: "sgd", Hyper: map[string]float64{"momentum": 0.9}}, `optimizers: sgd has no hyper-parameter "momentum" (known: lr)`},
		{Config{Name: "aggmo", Hyper: map[string]float64{"betas": 0.9}}, `optimizers: aggmo has no hyper-parameter "betas" (known: lr); set Config.Betas`},
		{Config{Name: "adam", Hyper: map[string]float64{"beta1": 1.5}}, `optimizers: adam: invalid beta1 1.5 (want 0 ≤ beta1 < 1)`},
		{Config{Name: "adam", Hyper: map[string]float64{"beta2": 1}}, `optimizers: adam: invalid beta2 1 (want 0 ≤ beta2 < 1)`},
		{Config{Name: "adam", Hyper: map[string]float64{"beta1": -0.1}}, `optimizers: adam: invalid beta1 -0.1 (want 0 ≤ beta1 < 1)`},
		{Config{Name: "adam", Hyper: map[string]float64{"lr": -1}}, `optimizers: adam: invalid lr -1 (want finite lr ≥ 0)`},
		{Config{Name: "sgd", Hyper: map[string]float64{"lr": math.Inf(1)}}, `optimizers: sgd: invalid lr +Inf (want finite lr ≥ 0)`},
		{Config{Name: "sgd", Hyper: map[string]float64{"lr": math.NaN()}}, `optimizers: sgd: invalid lr NaN (want finite lr ≥ 0)`},
		{Config{Name: "adagrad", Hyper: map[string]float64{"eps": -1e-10}}, `optimizers: adagrad: invalid eps -1e-10 (want finite eps ≥ 0)`},
		{Config{Name: "adadelta", Hyper: map[string]float64{"eps": 0}}, `optimizers: adadelta: invalid eps 0 (want finite eps > 0)`},
		{Config{Name: "adadelta", Hyper: map[string]float64{"rho": 1}}, `optimizers: adadelta: invalid rho 1 (want 0 ≤ rho < 1)`},
		{Config{Name: "momentum", Hyper: map[string]float64{"momentum": 1}}, `optimizers: momentum: invalid momentum 1 (want 0 ≤ momentum < 1)`},
		{Config{Name: "nesterov", Hyper: map[string]float64{"momentum": -0.5}}, `optimizers: nesterov: invalid momentum -0.5 (want 0 ≤ momentum < 1)`},
		{Config{Name: "rmsprop", Hyper: map[string]float64{"alpha": 1.01}}, `optimizers: rmsprop: invalid alpha 1.01 (want 0 ≤ alpha < 1)`},
		{Config{Name: "adamw", Hyper: map[string]float64{"weight_decay": -0.01}}, `optimizers: adamw: invalid weight_decay -0.01 (want finite weight_decay ≥ 0)`},
		{Config{Name: "nadam", Hyper: map[string]float64{"momentum_decay": -1}}, `optimizers: nadam: invalid momentum_decay -1 (want finite momentum_decay ≥ 0)`},
		{Config{Name: "qhadam", Hyper: map[string]float64{"nu1": 1.1}}, `optimizers: qhadam: invalid nu1 1.1 (want 0 ≤ nu1 ≤ 1)`},
		{Config{Name: "qhadam", Hyper: map[string]float64{"nu2": math.NaN()}}, `optimizers: qhadam: invalid nu2 NaN (want 0 ≤ nu2 ≤ 1)`},
		{Config{Name: "aggmo", Betas: []float64{0, 1}}, `optimizers: aggmo: invalid betas[1] 1 (want 0 ≤ beta < 1)`},
		{Config{Name: "adam", Betas: []float64{0.9}}, `optimizers: adam does not take betas (Config.Betas is for aggmo only)`},
	}
	for _, tt := range tests {
		o, err := New(tt.c)
		if err == nil || err.Error() != tt.want {
			t.Errorf("New(%+v) error = %v, want %q", tt.c, err, tt.want)
		}
		if o != nil {
			t.Errorf("New(%+v) returned an optimizer with an error", tt.c)
		}
	}

	// Boundaries that are valid.
	for _, c := range []Config{
		{Name: "sgd", Hyper: map[string]float64{"lr": 0}},
		{Name: "adam", Hyper: map[string]float64{"beta1": 0, "beta2": 0, "eps": 0}},
		{Name: "qhadam", Hyper: map[string]float64{"nu1": 0, "nu2": 1}},
		{Name: "qhadam", Hyper: map[string]float64{"nu1": 1, "nu2": 0}},
		{Name: "nadam", Hyper: map[string]float64{"momentum_decay": 0}},
		{Name: "aggmo", Betas: []float64{0.5}},
	} {
		if _, err := New(c); err != nil {
			t.Errorf("New(%+v): %v", c, err)
		}
	}
}

// TestStepErrors checks that bad input is reported, never panics, and
// leaves parameters and state untouched.
func TestStepErrors(t *testing.T) {
	good := func() gorgonia.ValueGrad { return pair{vec64(1, 2), vec64(0.5, 0.5)} }
	transposed := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6}))
	if err := transposed.T(); err != nil {
		t.Fatal(err)
	}
	view, err := tensor.New(tensor.WithShape(4), tensor.WithBacking([]float64{1, 2, 3, 4})).Slice(tensor.S(1, 3))
	if err != nil {
		t.Fatal(err)
	}
	gradErr := errors.New("no gradient here")
	tests := []struct {
		name string
		vgs  []gorgonia.ValueGrad
		want string
	}{
		{"nil entry", []gorgonia.ValueGrad{good(), nil}, "optimizers: adam: parameter 1 is nil"},
		{"scalar value", []gorgonia.ValueGrad{pair{gorgonia.NewF64(1), gorgonia.NewF64(1)}}, "optimizers: adam: parameter 0: value is a *gorgonia.F64, want a *tensor.Dense"},
		{"nil value", []gorgonia.ValueGrad{pair{nil, vec64(1)}}, "optimizers: adam: parameter 0: value is nil"},
		{"nil gradient", []gorgonia.ValueGrad{pair{vec64(1), (*tensor.Dense)(nil)}}, "optimizers: adam: parameter 0: gradient is nil"},
		{"int value", []gorgonia.ValueGrad{pair{tensor.New(tensor.WithBacking([]int{1, 2})), vec64(1, 2)}}, "optimizers: adam: parameter 0: value has dtype int, want float32 or float64"},
		{"int gradient", []gorgonia.ValueGrad{named{pair{vec64(1, 2), tensor.New(tensor.WithBacking([]int{1, 2}))}, "w"}}, `optimizers: adam: parameter 0 ("w"): gradient has dtype int, want float32 or float64`},
		{"shape mismatch", []gorgonia.ValueGrad{good(), pair{vec64(1, 2, 3), vec64(1, 2)}}, "optimizers: adam: parameter 1: gradient shape (2) does not match value shape (3)"},
		{"transposed", []gorgonia.ValueGrad{pair{transposed, transposed.Clone().(*tensor.Dense)}}, "optimizers: adam: parameter 0: value is a view, transposed or masked; want a contiguous tensor"},
		{"view", []gorgonia.ValueGrad{pair{view, vec64(1, 1)}}, "optimizers: adam: parameter 0: value is a view, transposed or masked; want a contiguous tensor"},
		{"gradient error", []gorgonia.ValueGrad{errGrad{vec64(1), gradErr}}, "optimizers: adam: parameter 0: no gradient: no gradient here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := mustNew(t, Config{Name: "adam"})
			err := opt.Step(tt.vgs)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Step error = %v, want %q", err, tt.want)
			}
			if opt.Steps() != 0 || opt.State().Slots != nil {
				t.Errorf("a failed first Step changed the state")
			}
			if v, ok := tt.vgs[0].(pair); ok && tt.name == "nil entry" {
				if got := values(v.v.(*tensor.Dense)); !equal(got, []float64{1, 2}) {
					t.Errorf("a failed Step changed the parameters: %v", got)
				}
			}
		})
	}
	// The gradient error is wrapped.
	err = mustNew(t, Config{Name: "sgd"}).Step([]gorgonia.ValueGrad{errGrad{vec64(1), gradErr}})
	if !errors.Is(err, gradErr) {
		t.Errorf("gradient error not wrapped: %v", err)
	}

	// Changing the parameter list between steps.
	opt := mustNew(t, Config{Name: "adam"})
	w := vec64(1, 2)
	if err := opt.Step([]gorgonia.ValueGrad{pair{w, vec64(1, 1)}}); err != nil {
		t.Fatal(err)
	}
	before := values(w)
	err = opt.Step([]gorgonia.ValueGrad{pair{w, vec64(1, 1)}, good()})
	if want := "optimizers: adam: got 2 parameters, want 1 as in earlier steps (state is keyed by position)"; err == nil || err.Error() != want {
		t.Errorf("Step error = %v, want %q", err, want)
	}
	err = opt.Step([]gorgonia.ValueGrad{pair{vec64(1, 2, 3), vec64(1, 1, 1)}})
	if want := "optimizers: adam: parameter 0 has 3 elements, want 2 as in earlier steps"; err == nil || err.Error() != want {
		t.Errorf("Step error = %v, want %q", err, want)
	}
	if opt.Steps() != 1 || !equal(values(w), before) {
		t.Errorf("failed steps changed the optimizer or the parameters")
	}

	// An invalid learning rate set by a schedule.
	for _, lr := range []float64{-0.1, math.NaN(), math.Inf(1)} {
		opt.SetLearningRate(lr)
		if err := opt.Step([]gorgonia.ValueGrad{pair{w, vec64(1, 1)}}); err == nil || !strings.HasPrefix(err.Error(), "optimizers: adam: invalid lr ") {
			t.Errorf("SetLearningRate(%v): Step error = %v", lr, err)
		}
	}
	if opt.Steps() != 1 || !equal(values(w), before) {
		t.Errorf("failed steps changed the optimizer or the parameters")
	}

	// An empty parameter list is a valid (empty) step.
	e := mustNew(t, Config{Name: "adam"})
	if err := e.Step(nil); err != nil || e.Steps() != 1 {
		t.Errorf("Step(nil) = %v, Steps() = %d", err, e.Steps())
	}
}

type errGrad struct {
	v   gorgonia.Value
	err error
}

func (e errGrad) Value() gorgonia.Value         { return e.v }
func (e errGrad) Grad() (gorgonia.Value, error) { return nil, e.err }
