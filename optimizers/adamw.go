package optimizers

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter,
// "Decoupled Weight Decay Regularization", ICLR 2019, Algorithm 2): the
// weights first shrink, then take the Adam step computed from the gradient
// alone:
//
//	θ ← θ (1 − η λ)
//	m ← β1 m + (1 − β1) g
//	v ← β2 v + (1 − β2) g²
//	m̂ = m / (1 − β1^t)
//	v̂ = v / (1 − β2^t)
//	θ ← θ − η m̂ / (√v̂ + ε)
//
// with η = lr, λ = weight_decay and the rest as in Adam. The decay is scaled
// by η, as in PyTorch (the paper scales it by the schedule multiplier only).
//
// Buffers (State.Slots order): exp_avg (m), exp_avg_sq (v).
type AdamW struct {
	core
	beta1, beta2, eps, weightDecay float64
	bc1, bc2                       float64
}

var _ Optimizer = (*AdamW)(nil)

func adamwHyper() []hyperDef {
	return append(adamHyperLR(0.001),
		def("weight_decay", 0.01, nonNegative, "decoupled weight decay λ; each step multiplies the weights by 1 − η λ (0.01 as in PyTorch)"))
}

func newAdamW(h map[string]float64, _ []float64) Optimizer {
	o := &AdamW{beta1: h["beta1"], beta2: h["beta2"], eps: h["eps"], weightDecay: h["weight_decay"]}
	o.core = newCore("adamw", h, []string{"exp_avg", "exp_avg_sq"}, o)
	return o
}

func (o *AdamW) begin(t int) {
	o.bc1 = 1 - pow(o.beta1, t)
	o.bc2 = 1 - pow(o.beta2, t)
}

func (o *AdamW) update(theta, g []float64, s [][]float64) {
	decay := 1 - o.lr*o.weightDecay
	for i := range theta {
		theta[i] *= decay
	}
	adamKernel(theta, g, s[0], s[1], o.lr, o.beta1, o.beta2, o.eps, o.bc1, o.bc2)
}
