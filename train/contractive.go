package train

import (
	"fmt"

	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/regularizers"
	"gorgonia.org/gorgonia"
)

// Contractive is the Penalty of a contractive autoencoder (Rifai et al.,
// ICML 2011; docs/lecture.md §6): λ‖J_f(x)‖²_F, the squared Frobenius
// norm of the encoder's Jacobian averaged over the batch, in closed form
// (regularizers.Contractive). The closed form holds for a one-layer
// sigmoid encoder; for any other the training graph fails to compile,
// with an error saying so.
func Contractive(m *models.Autoencoder, lambda float64) Penalty {
	return func(g *Graph) (*gorgonia.Node, error) {
		if len(m.Encoder) != 1 || m.Encoder[0].Act != models.Sigmoid {
			return nil, fmt.Errorf("train: the contractive penalty is computed for a one-layer sigmoid encoder; this one has %d layers, the first %s", len(m.Encoder), m.Encoder[0].Act)
		}
		h, ok := g.Activations[m.CodeName()]
		if !ok {
			return nil, fmt.Errorf("train: the graph has no code layer %s", m.CodeName())
		}
		return regularizers.Contractive(lambda, h, g.Node(m.Encoder[0].W))
	}
}
