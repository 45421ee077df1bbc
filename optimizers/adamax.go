package optimizers

import "math"

// AdaMax is the infinity-norm variant of Adam (Kingma & Ba, "Adam: A Method
// for Stochastic Optimization", ICLR 2015, Section 7.1, Algorithm 2), with
// ε inside the maximum as in PyTorch:
//
//	m ← β1 m + (1 − β1) g
//	u ← max(β2 u, |g| + ε)
//	θ ← θ − (η / (1 − β1^t)) · m / u
//
// with η = lr, β1 = beta1, β2 = beta2, ε = eps, t the step counted from 1
// and m = u = 0 initially.
//
// Buffers (State.Slots order): exp_avg (m), exp_inf (u).
type AdaMax struct {
	core
	beta1, beta2, eps float64
	step              float64 // η / (1 − β1^t) of the current step
}

var _ Optimizer = (*AdaMax)(nil)

func adamaxHyper() []hyperDef {
	h := adamHyperLR(0.002)
	h[0].Doc = "learning rate η; 0.002 is Kingma & Ba's for AdaMax"
	h[2].Doc = "decay rate of the exponentially weighted infinity norm u; 0.999 is Kingma & Ba's"
	h[3].Doc = docEps + " added to |g| inside the maximum, keeping u > 0"
	return h
}

func newAdaMax(h map[string]float64, _ []float64) Optimizer {
	o := &AdaMax{beta1: h["beta1"], beta2: h["beta2"], eps: h["eps"]}
	o.core = newCore("adamax", h, []string{"exp_avg", "exp_inf"}, o)
	return o
}

func (o *AdaMax) begin(t int) {
	o.step = o.lr / (1 - pow(o.beta1, t))
}

func (o *AdaMax) update(theta, g []float64, s [][]float64) {
	beta1, beta2, eps, step := o.beta1, o.beta2, o.eps, o.step
	n := len(theta)
	g, m, u := g[:n], s[0][:n], s[1][:n]
	for i := range theta {
		m[i] = beta1*m[i] + (1-beta1)*g[i]
		u[i] = math.Max(beta2*u[i], math.Abs(g[i])+eps)
		theta[i] -= step * m[i] / u[i]
	}
}
