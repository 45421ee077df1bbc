package optimizers

import "math"

// AdaGrad scales each coordinate's step by its accumulated squared gradients
// (Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning
// and Stochastic Optimization", JMLR 12, 2011):
//
//	G ← G + g²
//	θ ← θ − η g / √(G + ε)
//
// with η = lr, ε = eps inside the square root, and G = 0 initially.
//
// Buffers (State.Slots order): sum (G).
type AdaGrad struct {
	core
	eps float64
}

var _ Optimizer = (*AdaGrad)(nil)

func adagradHyper() []hyperDef {
	return []hyperDef{
		def("lr", 0.01, nonNegative, "learning rate η; 0.01 is the customary default"),
		def("eps", 1e-10, nonNegative, docEps+" inside the square root; 1e-10 only guards 0/0"),
	}
}

func newAdaGrad(h map[string]float64, _ []float64) Optimizer {
	o := &AdaGrad{eps: h["eps"]}
	o.core = newCore("adagrad", h, []string{"sum"}, o)
	return o
}

func (o *AdaGrad) begin(int) {}

func (o *AdaGrad) update(theta, g []float64, s [][]float64) {
	lr, eps := o.lr, o.eps
	g, sum := g[:len(theta)], s[0][:len(theta)]
	for i := range theta {
		sum[i] += g[i] * g[i]
		theta[i] -= lr * g[i] / math.Sqrt(sum[i]+eps)
	}
}
