package pipeline

import (
	"fmt"

	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/regularizers"
	"github.com/gorgonia-zoo/zoo/train"
	"gorgonia.org/gorgonia"
)

// penalties builds the recipe's penalty terms. They find their parameters
// and activations in the graph they are added to (not in a model), so the
// same terms serve the copies the adaptive schedule trains.
func penalties(g recipes.RegularizerSpec) []train.Penalty {
	var ps []train.Penalty
	weights := func(lambda float64, f func(float64, ...*gorgonia.Node) (*gorgonia.Node, error)) train.Penalty {
		return func(mg *train.Graph) (*gorgonia.Node, error) {
			ws, err := regularizers.Select(mg.G, g.Params...)
			if err != nil {
				return nil, err
			}
			return f(lambda, ws...)
		}
	}
	if g.L1 > 0 {
		ps = append(ps, weights(g.L1, regularizers.L1))
	}
	if g.L2 > 0 {
		ps = append(ps, weights(g.L2, regularizers.L2))
	}
	if a := g.ActivationL1; a != nil && a.Lambda > 0 {
		ps = append(ps, func(mg *train.Graph) (*gorgonia.Node, error) {
			h, err := activation(mg.Graph, a.Layer)
			if err != nil {
				return nil, err
			}
			return regularizers.ActivationL1(a.Lambda, h)
		})
	}
	if k := g.KLSparsity; k != nil && k.Beta > 0 {
		ps = append(ps, func(mg *train.Graph) (*gorgonia.Node, error) {
			h, err := activation(mg.Graph, k.Layer)
			if err != nil {
				return nil, err
			}
			return regularizers.KLSparsity(k.Beta, k.Rho, h)
		})
	}
	return ps
}

func activation(g *models.Graph, layer string) (*gorgonia.Node, error) {
	h, ok := g.Activations[layer]
	if !ok {
		return nil, fmt.Errorf("pipeline: no layer %q in the model", layer)
	}
	return h, nil
}
