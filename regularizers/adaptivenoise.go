package regularizers

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// AdaptiveNoise writes into dst, for every example x_i of the batch src
// (rows of dim features), x_i + θ_i with θ_i chosen to increase the example's
// loss, the lecture's "adaptive" choice of θ (optimise θ to maximise the
// error). From a random start θ_i ~ N(0, σ²I), it takes steps (0 means 1)
// steps of normalised gradient ascent, each followed by a projection onto
// the ball ‖θ_i‖₂ ≤ bound (bound 0: no projection):
//
//	θ_i ← Π(θ_i + α g_i/‖g_i‖₂),  g_i = ∂ℓ_i/∂x evaluated at x_i + θ_i,
//
// the L2 fast gradient method of adversarial training (Goodfellow, Shlens &
// Szegedy, "Explaining and Harnessing Adversarial Examples", ICLR 2015;
// Miyato et al., "Adversarial Training Methods for Semi-Supervised Text
// Classification", ICLR 2017) iterated as projected gradient ascent (Madry et
// al., ICLR 2018). The gradient is normalised per example, so α is in input
// units and the loss's scale does not matter; an example whose gradient is 0
// does not move. The random start is projected too.
//
// grad is called once per step on the current noisy batch. dst and src may
// be the same slice. It fails if grad fails, returns a slice of another
// length, or returns NaN.
//
// The cost is steps forward and backward passes per update.
func AdaptiveNoise(dst, src []float32, dim int, sigma, step, bound float64, steps int, r *rand.Rand, grad BatchGrad) error {
	n, err := checkBatch("adaptive noise", dst, src, dim)
	if err != nil {
		return err
	}
	if step < 0 || bound < 0 || steps < 0 || math.IsNaN(step+bound) || math.IsInf(step+bound, 0) {
		return fmt.Errorf("regularizers: adaptive noise needs finite step and bound ≥ 0 and steps ≥ 0, got %v, %v, %d", step, bound, steps)
	}
	if grad == nil {
		return fmt.Errorf("regularizers: adaptive noise needs a gradient function")
	}
	steps = max(steps, 1)
	theta := make([]float64, len(src))
	for k := range theta {
		theta[k] = sigma * r.NormFloat64()
	}
	project := func() {
		if bound == 0 {
			return
		}
		for i := 0; i < n; i++ {
			row := theta[i*dim : (i+1)*dim]
			if nr := norm(row); nr > bound {
				for k := range row {
					row[k] *= bound / nr
				}
			}
		}
	}
	project()
	base := append([]float32(nil), src...) // dst may be src
	x := make([]float32, len(src))
	apply := func(dst []float32) {
		for k, v := range base {
			dst[k] = v + float32(theta[k])
		}
	}
	for s := 0; s < steps; s++ {
		apply(x)
		g, err := grad(x)
		if err != nil {
			return fmt.Errorf("regularizers: adaptive noise, step %d of %d: %w", s+1, steps, err)
		}
		if len(g) != len(x) {
			return fmt.Errorf("regularizers: adaptive noise, step %d of %d: gradient of %d values for %d inputs", s+1, steps, len(g), len(x))
		}
		for i := 0; i < n; i++ {
			gi := g[i*dim : (i+1)*dim]
			var ss float64
			for _, v := range gi {
				ss += float64(v) * float64(v)
			}
			if math.IsNaN(ss) {
				return fmt.Errorf("regularizers: adaptive noise, step %d of %d: gradient of example %d is NaN", s+1, steps, i)
			}
			if ss == 0 || math.IsInf(ss, 0) {
				continue
			}
			scale := step / math.Sqrt(ss)
			for k, v := range gi {
				theta[i*dim+k] += scale * float64(v)
			}
		}
		project()
	}
	apply(dst)
	return nil
}

func norm(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}
