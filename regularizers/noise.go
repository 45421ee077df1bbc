package regularizers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// NoiseMethod names one of the lecture's ways of choosing the θ of the input
// transformation τ_θ(x) = x + θ (docs/lecture.md §5, "the data").
type NoiseMethod string

// The noise methods. The zero NoiseMethod is Random.
const (
	// Random draws θ ~ N(0, σ²I) afresh for every example at every update
	// (Bishop, "Training with Noise is Equivalent to Tikhonov
	// Regularization", Neural Computation 7(1), 1995): GaussianNoise.
	Random NoiseMethod = "random"
	// Stochastic draws k candidates θ¹…θᵏ per example and keeps the one
	// whose noisy input has the highest loss: StochasticNoise.
	Stochastic NoiseMethod = "stochastic"
	// Adaptive optimises θ to maximise the error: from a random start it
	// climbs the loss gradient with respect to the input, within a norm
	// bound: AdaptiveNoise.
	Adaptive NoiseMethod = "adaptive"
)

// NoiseMethods lists the method names, sorted.
func NoiseMethods() []string {
	return []string{string(Adaptive), string(Random), string(Stochastic)}
}

// ParseNoiseMethod checks s names a noise method ("" is Random).
func ParseNoiseMethod(s string) (NoiseMethod, error) {
	m := NoiseMethod(strings.ToLower(s))
	switch m {
	case "":
		return Random, nil
	case Random, Stochastic, Adaptive:
		return m, nil
	}
	return "", fmt.Errorf("regularizers: unknown noise method %q (known: %s)", s, strings.Join(NoiseMethods(), ", "))
}

// BatchLoss returns the loss of every example of a batch x (rows of dim
// features, row-major): one value per example, computed with the current
// weights and without updating them. A training task plugs its forward pass
// in here (an inference graph of the training batch size works).
type BatchLoss func(x []float32) ([]float64, error)

// BatchGrad returns ∂ℓ_i/∂x_i, the gradient of every example's loss with
// respect to its own input, as a slice shaped like x. The gradient of the
// mean loss with respect to the input node of a training graph is such a
// slice up to a positive factor, which AdaptiveNoise ignores.
type BatchGrad func(x []float32) ([]float32, error)

// Noise configures input noise augmentation τ_θ(x) = x + θ, θ ~ N(0, σ²I),
// with θ chosen by Method. Apply is the entry point of a training loop; the
// zero Noise adds nothing.
type Noise struct {
	// Method chooses θ; "" means Random.
	Method NoiseMethod
	// Sigma is σ, the standard deviation of every element of θ (≥ 0). If it
	// equals zero, Random and Stochastic leave the input unchanged and
	// Adaptive starts from θ = 0.
	Sigma float64
	// K is the number of candidates per example for Stochastic (≥ 1; 1 is
	// Random). The other methods take none.
	K int
	// Step is Adaptive's ascent step α in input units (≥ 0), Steps the
	// number of steps (0 means 1) and Bound the largest Euclidean norm of
	// an example's θ (0 means unbounded). The other methods take none.
	Step  float64
	Steps int
	Bound float64
}

// Validate reports whether n's method is known and its settings are in range
// and used by that method.
func (n Noise) Validate() error {
	m, err := ParseNoiseMethod(string(n.Method))
	if err != nil {
		return err
	}
	bad := func(v float64) bool { return v < 0 || math.IsNaN(v) || math.IsInf(v, 0) }
	switch {
	case bad(n.Sigma):
		return fmt.Errorf("regularizers: noise σ must be finite and ≥ 0, got %v", n.Sigma)
	case m == Stochastic && n.K < 1:
		return fmt.Errorf("regularizers: stochastic noise needs k ≥ 1 candidates, got %d", n.K)
	case m != Stochastic && n.K != 0:
		return fmt.Errorf("regularizers: %s noise takes no k (got %d); k is for stochastic", m, n.K)
	case m == Adaptive && (bad(n.Step) || bad(n.Bound) || n.Steps < 0):
		return fmt.Errorf("regularizers: adaptive noise needs finite step and bound ≥ 0 and steps ≥ 0, got %v, %v, %d", n.Step, n.Bound, n.Steps)
	case m != Adaptive && (n.Step != 0 || n.Steps != 0 || n.Bound != 0):
		return fmt.Errorf("regularizers: %s noise takes no step, steps or bound; they are for adaptive", m)
	}
	return nil
}

// Active reports whether n changes its input.
func (n Noise) Active() bool {
	if m, _ := ParseNoiseMethod(string(n.Method)); m == Adaptive {
		return n.Sigma > 0 || n.Step > 0
	}
	return n.Sigma > 0
}

// String is the noise as a recipe writes it, e.g. "stochastic σ=0.3 k=4".
func (n Noise) String() string {
	if !n.Active() {
		return "none"
	}
	m, _ := ParseNoiseMethod(string(n.Method))
	switch m {
	case Stochastic:
		return fmt.Sprintf("stochastic σ=%g k=%d", n.Sigma, n.K)
	case Adaptive:
		return fmt.Sprintf("adaptive σ=%g step=%g steps=%d bound=%g", n.Sigma, n.Step, max(n.Steps, 1), n.Bound)
	}
	return fmt.Sprintf("random σ=%g", n.Sigma)
}

// Apply writes the noisy copy of the batch src (rows of dim features) into
// dst, of the same length; dst and src may be the same slice. Stochastic
// calls loss, Adaptive calls grad; either may be nil for the methods that do
// not use it.
func (n Noise) Apply(dst, src []float32, dim int, r *rand.Rand, loss BatchLoss, grad BatchGrad) error {
	if err := n.Validate(); err != nil {
		return err
	}
	if !n.Active() {
		copy(dst, src)
		return nil
	}
	switch m, _ := ParseNoiseMethod(string(n.Method)); m {
	case Stochastic:
		return StochasticNoise(dst, src, dim, n.K, n.Sigma, r, loss)
	case Adaptive:
		return AdaptiveNoise(dst, src, dim, n.Sigma, n.Step, n.Bound, n.Steps, r, grad)
	}
	if len(dst) != len(src) {
		return fmt.Errorf("regularizers: noise: %d inputs into %d", len(src), len(dst))
	}
	GaussianNoise(dst, src, n.Sigma, r)
	return nil
}

// GaussianNoise writes src + θ into dst, θ_k = σ·r.NormFloat64() drawn
// independently for every element in order: the Random method, one draw per
// example per update when called on every batch. dst and src may be the
// same slice; GaussianNoise panics if their lengths differ.
func GaussianNoise(dst, src []float32, sigma float64, r *rand.Rand) {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("regularizers: gaussian noise of %d inputs into %d", len(src), len(dst)))
	}
	for i, v := range src {
		dst[i] = v + float32(sigma*r.NormFloat64())
	}
}

// checkBatch checks dst and src hold the same whole number of rows of dim
// features and returns that number.
func checkBatch(what string, dst, src []float32, dim int) (int, error) {
	if dim < 1 || len(src)%dim != 0 {
		return 0, fmt.Errorf("regularizers: %s: %d inputs are not rows of %d features", what, len(src), dim)
	}
	if len(dst) != len(src) {
		return 0, fmt.Errorf("regularizers: %s: %d inputs into %d", what, len(src), len(dst))
	}
	return len(src) / dim, nil
}
