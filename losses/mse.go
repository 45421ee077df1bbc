package losses

import (
	"fmt"

	"gorgonia.org/gorgonia"
)

// MSE returns the per-example mean squared error between predictions p and
// targets t (both [batch, features]):
//
//	ℓ_i = (1/d) Σ_j (p_ij − t_ij)²
//
// so averaging it over the batch gives the mean over every element, the
// convention of PyTorch's MSELoss.
func MSE(p, t *gorgonia.Node) (*gorgonia.Node, error) {
	if p.Dims() != 2 || !p.Shape().Eq(t.Shape()) {
		return nil, fmt.Errorf("losses: MSE wants predictions and targets of the same [batch, features] shape, got %v and %v", p.Shape(), t.Shape())
	}
	diff, err := gorgonia.Sub(p, t)
	if err != nil {
		return nil, fmt.Errorf("losses: MSE: %w", err)
	}
	sq, err := gorgonia.Square(diff)
	if err != nil {
		return nil, fmt.Errorf("losses: MSE: %w", err)
	}
	return gorgonia.Mean(sq, 1)
}
