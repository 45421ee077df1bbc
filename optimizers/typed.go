package optimizers

import (
	"fmt"
	"math"
)

// Typed configurations: one struct per optimizer, whose fields are its
// hyper-parameters, so that a misspelt name fails to compile. Each has a
// Config method giving the by-name Config the recipes use (the registry
// stays the one place that holds defaults and valid ranges, and validates),
// and a constructor returning the concrete optimizer:
//
//	opt, err := optimizers.NewAdam(optimizers.AdamConfig{LR: 3e-4})
//
// A zero field means the documented default (see Spec), as a missing key
// does in Config.Hyper. Several hyper-parameters may legally be 0 (the
// learning rate, momentum, β1, ε, weight decay, …): ask for exactly 0 with
// the constant Zero, e.g. MomentumConfig{Momentum: optimizers.Zero}.

// Zero, in a field of a typed configuration, asks for a hyper-parameter of
// exactly 0, where the field's zero value means the default. It is −MaxFloat64,
// a value no hyper-parameter may take, so it cannot be given by accident
// for a real setting.
const Zero = -math.MaxFloat64

// hyper builds Config.Hyper from name/value pairs: zero values are left
// out (the default), Zero becomes 0.
func hyper(pairs ...any) map[string]float64 {
	h := map[string]float64{}
	for i := 0; i < len(pairs); i += 2 {
		v := pairs[i+1].(float64)
		switch v {
		case 0:
		case Zero:
			h[pairs[i].(string)] = 0
		default:
			h[pairs[i].(string)] = v
		}
	}
	return h
}

// newTyped builds c with the registry and asserts the concrete type.
func newTyped[T Optimizer](c Config) (T, error) {
	var zero T
	o, err := New(c)
	if err != nil {
		return zero, err
	}
	t, ok := o.(T)
	if !ok {
		return zero, fmt.Errorf("optimizers: %s built a %T", c.Name, o)
	}
	return t, nil
}

// SGDConfig configures SGD: lr 0.01.
type SGDConfig struct{ LR float64 }

// Config returns c in the by-name form.
func (c SGDConfig) Config() Config { return Config{Name: "sgd", Hyper: hyper("lr", c.LR)} }

// NewSGD returns SGD configured by c (zero fields take their defaults).
func NewSGD(c SGDConfig) (*SGD, error) { return newTyped[*SGD](c.Config()) }

// MomentumConfig configures Momentum: lr 0.01, momentum 0.9.
type MomentumConfig struct{ LR, Momentum float64 }

// Config returns c in the by-name form.
func (c MomentumConfig) Config() Config {
	return Config{Name: "momentum", Hyper: hyper("lr", c.LR, "momentum", c.Momentum)}
}

// NewMomentum returns Momentum configured by c (zero fields take their
// defaults; Zero asks for 0).
func NewMomentum(c MomentumConfig) (*Momentum, error) { return newTyped[*Momentum](c.Config()) }

// NesterovConfig configures Nesterov: lr 0.01, momentum 0.9.
type NesterovConfig struct{ LR, Momentum float64 }

// Config returns c in the by-name form.
func (c NesterovConfig) Config() Config {
	return Config{Name: "nesterov", Hyper: hyper("lr", c.LR, "momentum", c.Momentum)}
}

// NewNesterov returns Nesterov configured by c (zero fields take their
// defaults; Zero asks for 0).
func NewNesterov(c NesterovConfig) (*Nesterov, error) { return newTyped[*Nesterov](c.Config()) }

// AdaGradConfig configures AdaGrad: lr 0.01, eps 1e-10.
type AdaGradConfig struct{ LR, Eps float64 }

// Config returns c in the by-name form.
func (c AdaGradConfig) Config() Config {
	return Config{Name: "adagrad", Hyper: hyper("lr", c.LR, "eps", c.Eps)}
}

// NewAdaGrad returns AdaGrad configured by c (zero fields take their
// defaults; Zero asks for 0).
func NewAdaGrad(c AdaGradConfig) (*AdaGrad, error) { return newTyped[*AdaGrad](c.Config()) }

// AdaDeltaConfig configures AdaDelta: lr 1, rho 0.95, eps 1e-6.
type AdaDeltaConfig struct{ LR, Rho, Eps float64 }

// Config returns c in the by-name form.
func (c AdaDeltaConfig) Config() Config {
	return Config{Name: "adadelta", Hyper: hyper("lr", c.LR, "rho", c.Rho, "eps", c.Eps)}
}

// NewAdaDelta returns AdaDelta configured by c (zero fields take their
// defaults; Zero asks for 0).
func NewAdaDelta(c AdaDeltaConfig) (*AdaDelta, error) { return newTyped[*AdaDelta](c.Config()) }

// RMSPropConfig configures RMSProp: lr 0.001, alpha 0.9, eps 1e-8.
type RMSPropConfig struct{ LR, Alpha, Eps float64 }

// Config returns c in the by-name form.
func (c RMSPropConfig) Config() Config {
	return Config{Name: "rmsprop", Hyper: hyper("lr", c.LR, "alpha", c.Alpha, "eps", c.Eps)}
}

// NewRMSProp returns RMSProp configured by c (zero fields take their
// defaults; Zero asks for 0).
func NewRMSProp(c RMSPropConfig) (*RMSProp, error) { return newTyped[*RMSProp](c.Config()) }

// AdamConfig configures Adam: lr 0.001, beta1 0.9, beta2 0.999, eps 1e-8.
type AdamConfig struct{ LR, Beta1, Beta2, Eps float64 }

// adamFamily is the by-name form of an Adam-family optimizer.
func adamFamily(name string, lr, beta1, beta2, eps float64) Config {
	return Config{Name: name, Hyper: hyper("lr", lr, "beta1", beta1, "beta2", beta2, "eps", eps)}
}

// Config returns c in the by-name form.
func (c AdamConfig) Config() Config { return adamFamily("adam", c.LR, c.Beta1, c.Beta2, c.Eps) }

// NewAdam returns Adam configured by c (zero fields take their defaults;
// Zero asks for 0).
func NewAdam(c AdamConfig) (*Adam, error) { return newTyped[*Adam](c.Config()) }

// AMSGradConfig configures AMSGrad: Adam's hyper-parameters and defaults.
type AMSGradConfig struct{ LR, Beta1, Beta2, Eps float64 }

// Config returns c in the by-name form.
func (c AMSGradConfig) Config() Config {
	return adamFamily("amsgrad", c.LR, c.Beta1, c.Beta2, c.Eps)
}

// NewAMSGrad returns AMSGrad configured by c (zero fields take their
// defaults; Zero asks for 0).
func NewAMSGrad(c AMSGradConfig) (*AMSGrad, error) { return newTyped[*AMSGrad](c.Config()) }

// AdaMaxConfig configures AdaMax: lr 0.002, beta1 0.9, beta2 0.999,
// eps 1e-8.
type AdaMaxConfig struct{ LR, Beta1, Beta2, Eps float64 }

// Config returns c in the by-name form.
func (c AdaMaxConfig) Config() Config { return adamFamily("adamax", c.LR, c.Beta1, c.Beta2, c.Eps) }

// NewAdaMax returns AdaMax configured by c (zero fields take their
// defaults; Zero asks for 0).
func NewAdaMax(c AdaMaxConfig) (*AdaMax, error) { return newTyped[*AdaMax](c.Config()) }

// AdamWConfig configures AdamW: Adam's hyper-parameters and weight_decay
// 0.01.
type AdamWConfig struct{ LR, Beta1, Beta2, Eps, WeightDecay float64 }

// Config returns c in the by-name form.
func (c AdamWConfig) Config() Config {
	return Config{Name: "adamw", Hyper: hyper("lr", c.LR, "beta1", c.Beta1, "beta2", c.Beta2, "eps", c.Eps, "weight_decay", c.WeightDecay)}
}

// NewAdamW returns AdamW configured by c (zero fields take their defaults;
// Zero asks for 0: WeightDecay: Zero is Adam).
func NewAdamW(c AdamWConfig) (*AdamW, error) { return newTyped[*AdamW](c.Config()) }

// NAdamConfig configures NAdam: lr 0.002, beta1 0.9, beta2 0.999, eps 1e-8,
// momentum_decay 0.004.
type NAdamConfig struct{ LR, Beta1, Beta2, Eps, MomentumDecay float64 }

// Config returns c in the by-name form.
func (c NAdamConfig) Config() Config {
	return Config{Name: "nadam", Hyper: hyper("lr", c.LR, "beta1", c.Beta1, "beta2", c.Beta2, "eps", c.Eps, "momentum_decay", c.MomentumDecay)}
}

// NewNAdam returns NAdam configured by c (zero fields take their defaults;
// Zero asks for 0).
func NewNAdam(c NAdamConfig) (*NAdam, error) { return newTyped[*NAdam](c.Config()) }

// QHAdamConfig configures QHAdam: lr 0.001, beta1 0.999, beta2 0.999,
// nu1 0.7, nu2 1, eps 1e-8.
type QHAdamConfig struct{ LR, Beta1, Beta2, Nu1, Nu2, Eps float64 }

// Config returns c in the by-name form.
func (c QHAdamConfig) Config() Config {
	return Config{Name: "qhadam", Hyper: hyper("lr", c.LR, "beta1", c.Beta1, "beta2", c.Beta2, "nu1", c.Nu1, "nu2", c.Nu2, "eps", c.Eps)}
}

// NewQHAdam returns QHAdam configured by c (zero fields take their
// defaults; Zero asks for 0).
func NewQHAdam(c QHAdamConfig) (*QHAdam, error) { return newTyped[*QHAdam](c.Config()) }

// AggMoConfig configures AggMo: lr 0.1, and Betas, one momentum buffer
// each (nil means [0, 0.9, 0.99]; a 0 in the list is a 0).
type AggMoConfig struct {
	LR    float64
	Betas []float64
}

// Config returns c in the by-name form.
func (c AggMoConfig) Config() Config {
	return Config{Name: "aggmo", Hyper: hyper("lr", c.LR), Betas: append([]float64(nil), c.Betas...)}
}

// NewAggMo returns AggMo configured by c (zero fields take their defaults;
// Zero asks for 0).
func NewAggMo(c AggMoConfig) (*AggMo, error) { return newTyped[*AggMo](c.Config()) }
