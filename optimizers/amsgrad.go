package optimizers

import "math"

// AMSGrad is Adam with a non-decreasing second moment (Reddi, Kale & Kumar,
// "On the Convergence of Adam and Beyond", ICLR 2018), with Adam's bias
// corrections as in PyTorch:
//
//	m     ← β1 m + (1 − β1) g
//	v     ← β2 v + (1 − β2) g²
//	v_max ← max(v_max, v)
//	θ     ← θ − (η / (1 − β1^t)) · m / (√v_max / √(1 − β2^t) + ε)
//
// with η = lr, β1 = beta1, β2 = beta2, ε = eps, t the step counted from 1
// and m = v = v_max = 0 initially.
//
// Buffers (State.Slots order): exp_avg (m), exp_avg_sq (v), max_exp_avg_sq
// (v_max).
type AMSGrad struct {
	core
	beta1, beta2, eps float64
	step, sqrtBC2     float64 // η / (1 − β1^t), √(1 − β2^t) of the current step
}

var _ Optimizer = (*AMSGrad)(nil)

func amsgradHyper() []hyperDef { return adamHyperLR(0.001) }

func newAMSGrad(h map[string]float64, _ []float64) Optimizer {
	o := &AMSGrad{beta1: h["beta1"], beta2: h["beta2"], eps: h["eps"]}
	o.core = newCore("amsgrad", h, []string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}, o)
	return o
}

func (o *AMSGrad) begin(t int) {
	o.step = o.lr / (1 - pow(o.beta1, t))
	o.sqrtBC2 = math.Sqrt(1 - pow(o.beta2, t))
}

func (o *AMSGrad) update(theta, g []float64, s [][]float64) {
	beta1, beta2, eps, step, sqrtBC2 := o.beta1, o.beta2, o.eps, o.step, o.sqrtBC2
	n := len(theta)
	g, m, v, vmax := g[:n], s[0][:n], s[1][:n], s[2][:n]
	for i := range theta {
		m[i] = beta1*m[i] + (1-beta1)*g[i]
		v[i] = beta2*v[i] + (1-beta2)*g[i]*g[i]
		vmax[i] = math.Max(vmax[i], v[i])
		theta[i] -= step * m[i] / (math.Sqrt(vmax[i])/sqrtBC2 + eps)
	}
}
