package regularizers

import (
	"gorgonia.org/gorgonia"
)

// L2 returns the weight-decay penalty (ridge regression: Hoerl & Kennard,
// Technometrics 12(1), 1970; weight decay in networks: Krogh & Hertz, NIPS
// 1991) of the given weight nodes as a scalar node:
//
//	R(W) = λ Σ_k ‖W_k‖₂² = λ Σ_k Σ_ij W_k,ij²
//
// without the factor ½ some texts put in front, so its gradient is 2λW: with
// plain SGD at learning rate η one step shrinks every weight by the factor
// (1 − 2ηλ) before the loss gradient is applied. (This is a penalty in the
// objective; AdamW's decoupled weight decay is a different thing and lives in
// the optimizer.) The lecture: L2 penalizes large weights strongly.
//
// λ must be finite and ≥ 0; λ = 0 gives a zero term (callers may skip it).
// The nodes must share one float dtype; pass weights, not biases, unless
// biases are meant to shrink too (see WeightPattern).
func L2(lambda float64, nodes ...*gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkCoef("L2", "λ", lambda); err != nil {
		return nil, err
	}
	s, err := sumEach("L2", nodes, gorgonia.Square)
	if err != nil {
		return nil, err
	}
	return scaled("L2", lambda, s)
}
