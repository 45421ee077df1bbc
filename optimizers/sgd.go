package optimizers

import "github.com/gorgonia-zoo/zoo/internal/vec"

// SGD is plain stochastic gradient descent (Robbins & Monro, "A Stochastic
// Approximation Method", Annals of Mathematical Statistics 22(3), 1951):
//
//	θ ← θ − η g
//
// with η = lr. It keeps no buffers.
type SGD struct {
	core
}

var (
	_ Optimizer     = (*SGD)(nil)
	_ float32Kernel = (*SGD)(nil)
)

func sgdHyper() []hyperDef {
	return []hyperDef{
		def("lr", 0.01, nonNegative, "learning rate η; 0.01 is the customary default"),
	}
}

func newSGD(h map[string]float64, _ []float64) Optimizer {
	o := &SGD{}
	o.core = newCore("sgd", h, nil, o)
	return o
}

func (o *SGD) begin(int) {}

func (o *SGD) update(theta, g []float64, _ [][]float64) {
	lr := o.lr
	g = g[:len(theta)]
	for i := range theta {
		theta[i] -= float64(lr * g[i]) // rounded before the subtraction, as vec.SGD does
	}
}

// update32 is update for float32 data (see float32Kernel).
func (o *SGD) update32(theta, g []float32, _ [][]float64) {
	vec.SGD(theta, g, o.lr)
}
