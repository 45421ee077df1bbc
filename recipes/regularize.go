package recipes

import (
	"fmt"
	"strings"

	"github.com/gorgonia-zoo/zoo/earlystop"
	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/regularizers"
)

// Regularizers are the lecture's regularization terms and tricks
// (docs/lecture.md §5) for an mlp. Every field is optional; the zero value is none.
type Regularizers struct {
	// L1 is λ of the lasso penalty λ‖W‖₁ on the weights selected by Params.
	L1 float64 `yaml:"l1,omitempty"`
	// L2 is λ of the weight-decay penalty λ‖W‖₂² (no ½) on the same weights.
	L2 float64 `yaml:"l2,omitempty"`
	// Params are name patterns (path.Match, e.g. "layers.0.weight") of the
	// parameters L1 and L2 apply to; empty means every weight and no bias
	// ("*.weight").
	Params []string `yaml:"params,omitempty"`
	// Dropout is the drop probability on the input features and after each
	// hidden layer (one value, or one per hidden layer).
	Dropout *DropoutSpec `yaml:"dropout,omitempty"`
	// ActivationL1 is the penalty λ·(1/batch)·Σ|h| on a hidden layer's
	// activations.
	ActivationL1 *ActivationPenalty `yaml:"activation_l1,omitempty"`
	// KLSparsity is β·Σ_j KL(ρ ‖ ρ̂_j) on a hidden layer's mean activations.
	KLSparsity *KLPenalty `yaml:"kl_sparsity,omitempty"`
	// MaxNorm, if > 0, rescales every weight column to an L2 norm ≤ MaxNorm
	// after each update.
	MaxNorm float64 `yaml:"max_norm,omitempty"`
	// Noise is input-noise augmentation x + θ, θ ~ N(0, σ²I).
	Noise *NoiseSpec `yaml:"noise,omitempty"`
}

// DropoutSpec places inverted dropout.
type DropoutSpec struct {
	Input  float64   `yaml:"input,omitempty"`
	Hidden []float64 `yaml:"hidden,omitempty"`
}

// ActivationPenalty is an L1 penalty on one layer's activations.
type ActivationPenalty struct {
	Layer  string  `yaml:"layer"` // e.g. layers.0
	Lambda float64 `yaml:"lambda"`
}

// KLPenalty is the KL sparsity penalty on one layer's activations.
type KLPenalty struct {
	Layer string  `yaml:"layer"`
	Beta  float64 `yaml:"beta"`
	Rho   float64 `yaml:"rho"`
}

// NoiseSpec chooses θ of the input-noise augmentation: random (one draw) or
// stochastic (the worst of K draws). Adaptive (gradient ascent on θ) parses
// but is refused: classifier training does not offer it.
type NoiseSpec struct {
	Method string  `yaml:"method"`
	Sigma  float64 `yaml:"sigma"`
	K      int     `yaml:"k,omitempty"`
	Step   float64 `yaml:"step,omitempty"`
	Steps  int     `yaml:"steps,omitempty"`
	Bound  float64 `yaml:"bound,omitempty"`
}

// EarlyStopping is the lecture's patience rule (docs/lecture.md §4), or the simpler
// "N evaluations without improvement".
type EarlyStopping struct {
	// Rule is patience (default) or no-improvement.
	Rule string `yaml:"rule,omitempty"`
	// Every is the number of updates between validations; 0 means once per
	// epoch.
	Every int `yaml:"every,omitempty"`
	// Patience is the initial patience in updates (patience rule).
	Patience int `yaml:"patience,omitempty"`
	// Increase is c: on a new best at update t the patience becomes
	// max(patience, t + c) (mode add) or max(patience, t × c) (mode mul).
	Increase float64 `yaml:"increase,omitempty"`
	Mode     string  `yaml:"mode,omitempty"`
	// Evaluations is N of the no-improvement rule.
	Evaluations int `yaml:"evaluations,omitempty"`
	// Threshold is the relative improvement a new best needs (0.005 = 0.5 %).
	Threshold float64 `yaml:"threshold,omitempty"`
	// Metric is what is watched on validation: error (classifiers' default)
	// or loss.
	Metric string `yaml:"metric,omitempty"`
}

// noise returns the checked input-noise settings (inactive when none).
func (s *NoiseSpec) noise() (regularizers.Noise, error) {
	if s == nil {
		return regularizers.Noise{}, nil
	}
	m, err := regularizers.ParseNoiseMethod(s.Method)
	if err != nil {
		return regularizers.Noise{}, err
	}
	n := regularizers.Noise{Method: m, Sigma: s.Sigma, K: s.K, Step: s.Step, Steps: s.Steps, Bound: s.Bound}
	return n, n.Validate()
}

// stopper returns the early-stopping rule, or nil when the recipe has none.
func (e *EarlyStopping) stopper() (earlystop.Stopper, error) {
	if e == nil {
		return nil, nil
	}
	switch e.Rule {
	case "", "patience":
		mode, err := earlystop.ParseMode(e.Mode)
		if err != nil {
			return nil, err
		}
		p := &earlystop.Patience{Every: e.Every, Patience: e.Patience, Increase: e.Increase, Mode: mode, Threshold: e.Threshold}
		return p, p.Validate()
	case "no-improvement":
		n := &earlystop.NoImprovement{Evaluations: e.Evaluations, Threshold: e.Threshold, Every: e.Every}
		return n, n.Validate()
	}
	return nil, fmt.Errorf("unknown rule %q; want patience or no-improvement%s", e.Rule, didYouMean(e.Rule, []string{"patience", "no-improvement"}))
}

// checkRegularization validates the regularizers and early_stopping sections.
func (d *doc) checkRegularization(r *Recipe) error {
	g := r.Regularizers
	for _, k := range []struct {
		key string
		v   float64
	}{{"regularizers.l1", g.L1}, {"regularizers.l2", g.L2}, {"regularizers.max_norm", g.MaxNorm}} {
		if !(k.v >= 0) {
			return d.errorf(k.key, "must be ≥ 0, got %v", k.v)
		}
	}
	for i, p := range g.Params {
		if _, err := regularizers.Match("x", p); err != nil {
			return d.errorf(fmt.Sprintf("regularizers.params.%d", i), "bad pattern %q: %v", p, err)
		}
	}
	if g.Dropout != nil {
		if !(g.Dropout.Input >= 0 && g.Dropout.Input < 1) {
			return d.errorf("regularizers.dropout.input", "must be a probability in [0, 1), got %v", g.Dropout.Input)
		}
		for i, p := range g.Dropout.Hidden {
			if !(p >= 0 && p < 1) {
				return d.errorf(fmt.Sprintf("regularizers.dropout.hidden.%d", i), "must be a probability in [0, 1), got %v", p)
			}
		}
		if n, h := len(g.Dropout.Hidden), len(hiddenLayers(r)); n > 1 && n != h {
			return d.errorf("regularizers.dropout.hidden", "%s for %s; give one per layer, or one for all", plural.Count(n, "probability"), plural.Count(h, "hidden layer"))
		}
	}
	layers := map[string]bool{}
	var names []string
	for i := range hiddenLayers(r) {
		n := fmt.Sprintf("layers.%d", i)
		layers[n] = true
		names = append(names, n)
	}
	layerKnown := func(key, l string) error {
		if !layers[l] {
			return d.errorf(key, "no hidden layer %q (known: %s)", l, strings.Join(names, ", "))
		}
		return nil
	}
	if a := g.ActivationL1; a != nil {
		if err := layerKnown("regularizers.activation_l1.layer", a.Layer); err != nil {
			return err
		}
		if !(a.Lambda >= 0) {
			return d.errorf("regularizers.activation_l1.lambda", "must be ≥ 0, got %v", a.Lambda)
		}
	}
	if k := g.KLSparsity; k != nil {
		if err := layerKnown("regularizers.kl_sparsity.layer", k.Layer); err != nil {
			return err
		}
		if !(k.Beta >= 0) {
			return d.errorf("regularizers.kl_sparsity.beta", "must be ≥ 0, got %v", k.Beta)
		}
		if !(k.Rho > 0 && k.Rho < 1) {
			return d.errorf("regularizers.kl_sparsity.rho", "must be in (0, 1), got %v", k.Rho)
		}
	}
	if g.Noise != nil {
		// Classifier training draws θ itself (train.ClassifierConfig refuses
		// adaptive), and no other model family takes regularizers.noise:
		// say so here, before a run directory is made, and before the
		// adaptive method's own settings are checked.
		if m, err := regularizers.ParseNoiseMethod(g.Noise.Method); err == nil && m == regularizers.Adaptive {
			return d.errorf("regularizers.noise.method", "adaptive noise is not available in a recipe (it is regularizers.AdaptiveNoise, for Go programs); use random or stochastic")
		}
	}
	if _, err := g.Noise.noise(); err != nil {
		return d.errorf("regularizers.noise", "%s", strings.TrimPrefix(err.Error(), "regularizers: "))
	}
	if e := r.EarlyStopping; e != nil {
		if _, err := e.stopper(); err != nil {
			return d.errorf("early_stopping", "%s", strings.TrimPrefix(err.Error(), "earlystop: "))
		}
		switch e.Metric {
		case "", "error", "loss":
		default:
			return d.errorf("early_stopping.metric", "unknown metric %q; want error or loss", e.Metric)
		}
	}
	return nil
}
