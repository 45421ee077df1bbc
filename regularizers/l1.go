package regularizers

import (
	"gorgonia.org/gorgonia"
)

// L1 returns the lasso penalty (Tibshirani, "Regression Shrinkage and
// Selection via the Lasso", JRSS B 58(1), 1996) of the given weight nodes as
// a scalar node:
//
//	R(W) = λ Σ_k ‖W_k‖₁ = λ Σ_k Σ_ij |W_k,ij|
//
// Its gradient is λ sign(W), with the subgradient 0 at W = 0 (Gorgonia's
// tensor sign; scalar nodes are reshaped so they agree), so a weight that
// reaches exactly 0 stays there under plain gradient descent unless the loss
// pushes it away. The lecture: L1 drives useless weights to zero.
//
// λ must be finite and ≥ 0; λ = 0 gives a zero term (callers may skip it).
// The nodes must share one float dtype; pass weights, not biases, unless
// biases are meant to shrink too (see WeightPattern).
func L1(lambda float64, nodes ...*gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkCoef("L1", "λ", lambda); err != nil {
		return nil, err
	}
	s, err := sumEach("L1", nodes, gorgonia.Abs)
	if err != nil {
		return nil, err
	}
	return scaled("L1", lambda, s)
}
