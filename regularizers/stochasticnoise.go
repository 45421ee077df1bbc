package regularizers

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// StochasticNoise writes into dst, for every example x_i of the batch src
// (rows of dim features), the noisy copy with the highest loss among k
// candidates:
//
//	θ_i = argmax over θ ∈ {θ¹_i, …, θᵏ_i} of ℓ_i(x_i + θ),  θʲ ~ N(0, σ²I),
//
// the lecture's "stochastic" choice of θ: draw k samples, keep the one with
// the highest error. Candidate j is the whole batch src + θʲ, drawn like
// GaussianNoise, and loss evaluates it in one call; the first of equal
// losses wins. k = 1 is GaussianNoise (and does not call loss), so the draws
// are the same. dst and src may be the same slice. It fails if loss fails,
// returns other than one loss per example, or returns NaN.
//
// The cost is k forward passes per update.
func StochasticNoise(dst, src []float32, dim, k int, sigma float64, r *rand.Rand, loss BatchLoss) error {
	n, err := checkBatch("stochastic noise", dst, src, dim)
	if err != nil {
		return err
	}
	if k < 1 {
		return fmt.Errorf("regularizers: stochastic noise needs k ≥ 1 candidates, got %d", k)
	}
	if k == 1 {
		GaussianNoise(dst, src, sigma, r)
		return nil
	}
	if loss == nil {
		return fmt.Errorf("regularizers: stochastic noise needs a loss function")
	}
	base := append([]float32(nil), src...) // dst may be src
	cand := make([]float32, len(src))
	worst := make([]float64, n)
	for j := 0; j < k; j++ {
		GaussianNoise(cand, base, sigma, r)
		ls, err := loss(cand)
		if err != nil {
			return fmt.Errorf("regularizers: stochastic noise, candidate %d of %d: %w", j+1, k, err)
		}
		if len(ls) != n {
			return fmt.Errorf("regularizers: stochastic noise, candidate %d of %d: %d losses for %d examples", j+1, k, len(ls), n)
		}
		for i, l := range ls {
			if math.IsNaN(l) {
				return fmt.Errorf("regularizers: stochastic noise, candidate %d of %d: loss of example %d is NaN", j+1, k, i)
			}
			if j == 0 || l > worst[i] {
				worst[i] = l
				copy(dst[i*dim:(i+1)*dim], cand[i*dim:(i+1)*dim])
			}
		}
	}
	return nil
}
