package optimizers

import "math"

// NAdam is Adam with Nesterov momentum and Dozat's momentum schedule
// (Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016 workshop,
// Algorithm 2):
//
//	μ_t = β1 (1 − ½ · 0.96^(t ψ))
//	P_t = μ_1 μ_2 ⋯ μ_t
//	m   ← β1 m + (1 − β1) g
//	v   ← β2 v + (1 − β2) g²
//	d   = √(v / (1 − β2^t)) + ε
//	θ   ← θ − η (1 − μ_t) / (1 − P_t) · g / d − η μ_{t+1} / (1 − P_t μ_{t+1}) · m / d
//
// with η = lr, β1 = beta1, β2 = beta2, ε = eps, ψ = momentum_decay, t the
// step counted from 1 and m = v = 0 initially. P_t includes μ_t exactly once
// (PyTorch 1.13 counted it twice). The running product P_t is the scalar
// state: State.Extra = [P_t] (1 before the first step).
//
// Buffers (State.Slots order): exp_avg (m), exp_avg_sq (v).
type NAdam struct {
	core
	beta1, beta2, eps, psi float64
	cg, cm, bc2            float64 // coefficients of g/d and m/d, 1 − β2^t
}

var _ Optimizer = (*NAdam)(nil)

func nadamHyper() []hyperDef {
	h := adamHyperLR(0.002)
	h[0].Doc = "learning rate η; 0.002 is Dozat's"
	h[1].Doc = docBeta1 + ", and the scale of the momentum schedule μ_t; 0.9 as in Dozat's experiments"
	return append(h, def("momentum_decay", 0.004, nonNegative, "ψ of the momentum schedule μ_t = β1 (1 − ½ 0.96^(t ψ)); Dozat's 0.004 warms μ_t up from 0.45 towards β1; 0 keeps μ_t = β1/2"))
}

func newNAdam(h map[string]float64, _ []float64) Optimizer {
	o := &NAdam{beta1: h["beta1"], beta2: h["beta2"], eps: h["eps"], psi: h["momentum_decay"]}
	o.core = newCore("nadam", h, []string{"exp_avg", "exp_avg_sq"}, o)
	o.extra = []float64{1}
	return o
}

// mu returns μ_t.
func (o *NAdam) mu(t int) float64 {
	return o.beta1 * (1 - 0.5*math.Pow(0.96, float64(t)*o.psi))
}

func (o *NAdam) begin(t int) {
	mu, next := o.mu(t), o.mu(t+1)
	p := o.extra[0] * mu
	o.extra[0] = p
	o.cg = o.lr * (1 - mu) / (1 - p)
	o.cm = o.lr * next / (1 - p*next)
	o.bc2 = 1 - pow(o.beta2, t)
}

func (o *NAdam) update(theta, g []float64, s [][]float64) {
	beta1, beta2, eps, cg, cm, bc2 := o.beta1, o.beta2, o.eps, o.cg, o.cm, o.bc2
	n := len(theta)
	g, m, v := g[:n], s[0][:n], s[1][:n]
	for i := range theta {
		m[i] = beta1*m[i] + (1-beta1)*g[i]
		v[i] = beta2*v[i] + (1-beta2)*g[i]*g[i]
		d := math.Sqrt(v[i]/bc2) + eps
		theta[i] -= cg*g[i]/d + cm*m[i]/d
	}
}
