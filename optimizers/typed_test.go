package optimizers

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestTypedMatchesRegistry checks that every typed constructor gives
// exactly the optimizer the registry gives for the same values (name,
// Hyper, AggMo's betas), that its zero configuration gives the registry's
// defaults, and that Zero gives 0 where 0 is allowed.
func TestTypedMatchesRegistry(t *testing.T) {
	tests := []struct {
		name  string
		typed func() (Optimizer, error) // some values set
		want  Config                    // the same values by name
		zero  func() (Optimizer, error) // the zero configuration
		// explicit sets a hyper-parameter to Zero; wantZero names it.
		explicit func() (Optimizer, error)
		wantZero string
	}{
		{"sgd", func() (Optimizer, error) { return NewSGD(SGDConfig{LR: 0.3}) },
			Config{Name: "sgd", Hyper: map[string]float64{"lr": 0.3}},
			func() (Optimizer, error) { return NewSGD(SGDConfig{}) },
			func() (Optimizer, error) { return NewSGD(SGDConfig{LR: Zero}) }, "lr"},
		{"momentum", func() (Optimizer, error) { return NewMomentum(MomentumConfig{LR: 0.2, Momentum: 0.5}) },
			Config{Name: "momentum", Hyper: map[string]float64{"lr": 0.2, "momentum": 0.5}},
			func() (Optimizer, error) { return NewMomentum(MomentumConfig{}) },
			func() (Optimizer, error) { return NewMomentum(MomentumConfig{Momentum: Zero}) }, "momentum"},
		{"nesterov", func() (Optimizer, error) { return NewNesterov(NesterovConfig{LR: 0.2, Momentum: 0.5}) },
			Config{Name: "nesterov", Hyper: map[string]float64{"lr": 0.2, "momentum": 0.5}},
			func() (Optimizer, error) { return NewNesterov(NesterovConfig{}) },
			func() (Optimizer, error) { return NewNesterov(NesterovConfig{Momentum: Zero}) }, "momentum"},
		{"adagrad", func() (Optimizer, error) { return NewAdaGrad(AdaGradConfig{LR: 0.05, Eps: 1e-7}) },
			Config{Name: "adagrad", Hyper: map[string]float64{"lr": 0.05, "eps": 1e-7}},
			func() (Optimizer, error) { return NewAdaGrad(AdaGradConfig{}) },
			func() (Optimizer, error) { return NewAdaGrad(AdaGradConfig{Eps: Zero}) }, "eps"},
		{"adadelta", func() (Optimizer, error) { return NewAdaDelta(AdaDeltaConfig{LR: 0.5, Rho: 0.9, Eps: 1e-5}) },
			Config{Name: "adadelta", Hyper: map[string]float64{"lr": 0.5, "rho": 0.9, "eps": 1e-5}},
			func() (Optimizer, error) { return NewAdaDelta(AdaDeltaConfig{}) },
			func() (Optimizer, error) { return NewAdaDelta(AdaDeltaConfig{Rho: Zero}) }, "rho"},
		{"rmsprop", func() (Optimizer, error) { return NewRMSProp(RMSPropConfig{LR: 0.01, Alpha: 0.99, Eps: 1e-6}) },
			Config{Name: "rmsprop", Hyper: map[string]float64{"lr": 0.01, "alpha": 0.99, "eps": 1e-6}},
			func() (Optimizer, error) { return NewRMSProp(RMSPropConfig{}) },
			func() (Optimizer, error) { return NewRMSProp(RMSPropConfig{Alpha: Zero}) }, "alpha"},
		{"adam", func() (Optimizer, error) { return NewAdam(AdamConfig{LR: 0.01, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6}) },
			Config{Name: "adam", Hyper: map[string]float64{"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}},
			func() (Optimizer, error) { return NewAdam(AdamConfig{}) },
			func() (Optimizer, error) { return NewAdam(AdamConfig{Beta1: Zero}) }, "beta1"},
		{"amsgrad", func() (Optimizer, error) {
			return NewAMSGrad(AMSGradConfig{LR: 0.01, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6})
		},
			Config{Name: "amsgrad", Hyper: map[string]float64{"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}},
			func() (Optimizer, error) { return NewAMSGrad(AMSGradConfig{}) },
			func() (Optimizer, error) { return NewAMSGrad(AMSGradConfig{Eps: Zero}) }, "eps"},
		{"adamax", func() (Optimizer, error) {
			return NewAdaMax(AdaMaxConfig{LR: 0.01, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6})
		},
			Config{Name: "adamax", Hyper: map[string]float64{"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}},
			func() (Optimizer, error) { return NewAdaMax(AdaMaxConfig{}) },
			func() (Optimizer, error) { return NewAdaMax(AdaMaxConfig{Beta2: Zero}) }, "beta2"},
		{"adamw", func() (Optimizer, error) {
			return NewAdamW(AdamWConfig{LR: 0.01, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, WeightDecay: 0.1})
		},
			Config{Name: "adamw", Hyper: map[string]float64{"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.1}},
			func() (Optimizer, error) { return NewAdamW(AdamWConfig{}) },
			func() (Optimizer, error) { return NewAdamW(AdamWConfig{WeightDecay: Zero}) }, "weight_decay"},
		{"nadam", func() (Optimizer, error) {
			return NewNAdam(NAdamConfig{LR: 0.01, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, MomentumDecay: 0.01})
		},
			Config{Name: "nadam", Hyper: map[string]float64{"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "momentum_decay": 0.01}},
			func() (Optimizer, error) { return NewNAdam(NAdamConfig{}) },
			func() (Optimizer, error) { return NewNAdam(NAdamConfig{MomentumDecay: Zero}) }, "momentum_decay"},
		{"qhadam", func() (Optimizer, error) {
			return NewQHAdam(QHAdamConfig{LR: 0.01, Beta1: 0.995, Beta2: 0.99, Nu1: 0.5, Nu2: 0.9, Eps: 1e-6})
		},
			Config{Name: "qhadam", Hyper: map[string]float64{"lr": 0.01, "beta1": 0.995, "beta2": 0.99, "nu1": 0.5, "nu2": 0.9, "eps": 1e-6}},
			func() (Optimizer, error) { return NewQHAdam(QHAdamConfig{}) },
			func() (Optimizer, error) { return NewQHAdam(QHAdamConfig{Nu1: Zero}) }, "nu1"},
		{"aggmo", func() (Optimizer, error) { return NewAggMo(AggMoConfig{LR: 0.05, Betas: []float64{0, 0.5}}) },
			Config{Name: "aggmo", Hyper: map[string]float64{"lr": 0.05}, Betas: []float64{0, 0.5}},
			func() (Optimizer, error) { return NewAggMo(AggMoConfig{}) },
			func() (Optimizer, error) { return NewAggMo(AggMoConfig{LR: Zero}) }, "lr"},
	}
	var covered []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			covered = append(covered, tt.name)
			same := func(what string, got Optimizer, err error, c Config) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				want, err := New(c)
				if err != nil {
					t.Fatal(err)
				}
				if got.Name() != want.Name() || !maps.Equal(got.Hyper(), want.Hyper()) {
					t.Errorf("%s: %s %v, the registry gives %s %v", what, got.Name(), got.Hyper(), want.Name(), want.Hyper())
				}
				if a, ok := got.(*AggMo); ok && !slices.Equal(a.Betas(), want.(*AggMo).Betas()) {
					t.Errorf("%s: betas %v, the registry gives %v", what, a.Betas(), want.(*AggMo).Betas())
				}
			}
			o, err := tt.typed()
			same("typed", o, err, tt.want)
			o, err = tt.zero()
			same("zero config", o, err, Config{Name: tt.name})
			o, err = tt.explicit()
			same("Zero", o, err, Config{Name: tt.name, Hyper: map[string]float64{tt.wantZero: 0}})
			if err == nil && o.Hyper()[tt.wantZero] != 0 {
				t.Errorf("Zero: %s is %v, want 0", tt.wantZero, o.Hyper()[tt.wantZero])
			}
		})
	}
	slices.Sort(covered)
	if !slices.Equal(covered, Names()) {
		t.Errorf("typed constructors cover %v, the registry has %v", covered, Names())
	}
}

// TestTypedValidates checks that a typed configuration is validated like
// the by-name one, with the same message.
func TestTypedValidates(t *testing.T) {
	tests := []struct {
		name string
		err  func() error
		want string
	}{
		{"beta1 = 1", func() error { _, err := NewAdam(AdamConfig{Beta1: 1}); return err }, "optimizers: adam: invalid beta1 1 (want 0 ≤ beta1 < 1)"},
		{"negative lr", func() error { _, err := NewSGD(SGDConfig{LR: -1}); return err }, "optimizers: sgd: invalid lr -1 (want finite lr ≥ 0)"},
		{"aggmo beta", func() error { _, err := NewAggMo(AggMoConfig{Betas: []float64{0.5, 1}}); return err }, "optimizers: aggmo: invalid betas[1] 1"},
		{"eps = 0 in adadelta", func() error { _, err := NewAdaDelta(AdaDeltaConfig{Eps: Zero}); return err }, "optimizers: adadelta: invalid eps 0 (want finite eps > 0)"},
	}
	for _, tt := range tests {
		if err := tt.err(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}
