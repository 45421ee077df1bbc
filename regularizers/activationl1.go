package regularizers

import (
	"fmt"

	"gorgonia.org/gorgonia"
)

// ActivationL1 returns an L1 penalty on a layer's activations h ([batch,
// units]) as a scalar node:
//
//	R(h) = λ (1/B) Σ_b Σ_i |h_bi|
//
// the lecture's λ Σ_i |a_i| for one example, averaged over the B examples of
// the batch, so it sits on the same per-example scale as the mean loss and λ
// does not depend on the batch size. It pushes most units to be exactly
// inactive for any given input (sparse representations: Ranzato et al.,
// NIPS 2007; Glorot, Bordes & Bengio, AISTATS 2011, with ReLU units). The
// subgradient at h = 0 is 0.
//
// λ must be finite and ≥ 0.
func ActivationL1(lambda float64, h *gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkCoef("activation L1", "λ", lambda); err != nil {
		return nil, err
	}
	if h == nil || h.Dims() != 2 {
		return nil, fmt.Errorf("regularizers: activation L1 wants [batch, units] activations, got %v", shapeOf(h))
	}
	s, err := sumEach("activation L1", []*gorgonia.Node{h}, gorgonia.Abs)
	if err != nil {
		return nil, err
	}
	return scaled("activation L1", lambda/float64(h.Shape()[0]), s)
}

func shapeOf(n *gorgonia.Node) any {
	if n == nil {
		return "nil node"
	}
	return n.Shape()
}
