package optimizers

import "math"

// RMSProp divides the gradient by a running root-mean-square of recent
// gradients (Tieleman & Hinton, "Lecture 6.5 — RMSprop: Divide the gradient
// by a running average of its recent magnitude", COURSERA: Neural Networks
// for Machine Learning, 2012):
//
//	v ← α v + (1 − α) g²
//	θ ← θ − η g / (√v + ε)
//
// with η = lr, α = alpha, ε = eps outside the square root and v = 0
// initially.
//
// Buffers (State.Slots order): square_avg (v).
type RMSProp struct {
	core
	alpha, eps float64
}

var _ Optimizer = (*RMSProp)(nil)

func rmspropHyper() []hyperDef {
	return []hyperDef{
		def("lr", 0.001, nonNegative, "learning rate η; 0.001 is the customary default"),
		def("alpha", 0.9, unitOpen, "decay rate α of the mean square; 0.9 is Hinton's lecture (PyTorch uses 0.99)"),
		def("eps", 1e-8, nonNegative, docEps+" added to the root mean square"),
	}
}

func newRMSProp(h map[string]float64, _ []float64) Optimizer {
	o := &RMSProp{alpha: h["alpha"], eps: h["eps"]}
	o.core = newCore("rmsprop", h, []string{"square_avg"}, o)
	return o
}

func (o *RMSProp) begin(int) {}

func (o *RMSProp) update(theta, g []float64, s [][]float64) {
	lr, alpha, eps := o.lr, o.alpha, o.eps
	g, v := g[:len(theta)], s[0][:len(theta)]
	for i := range theta {
		v[i] = alpha*v[i] + (1-alpha)*g[i]*g[i]
		theta[i] -= lr * g[i] / (math.Sqrt(v[i]) + eps)
	}
}
