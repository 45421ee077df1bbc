package optimizers

import "math"

// QHAdam is quasi-hyperbolic Adam (Ma & Yarats, "Quasi-hyperbolic momentum
// and Adam for deep learning", ICLR 2019, Algorithm 2): each moment is an
// interpolation between the plain gradient and Adam's bias-corrected
// average,
//
//	m ← β1 m + (1 − β1) g
//	v ← β2 v + (1 − β2) g²
//	m̂ = m / (1 − β1^t)
//	v̂ = v / (1 − β2^t)
//	θ ← θ − η [(1 − ν1) g + ν1 m̂] / (√((1 − ν2) g² + ν2 v̂) + ε)
//
// with η = lr, β1 = beta1, β2 = beta2, ν1 = nu1, ν2 = nu2, ε = eps, t the
// step counted from 1 and m = v = 0 initially. ν1 = ν2 = 1 is Adam. The
// defaults are ν1 = 0.7, ν2 = 1 and β2 = 0.999 as Ma & Yarats recommend,
// with β1 = 0.999, their recommended β for QHM with ν = 0.7 (for QHAdam
// they suggest β1 = 0.995).
//
// Buffers (State.Slots order): exp_avg (m), exp_avg_sq (v).
type QHAdam struct {
	core
	beta1, beta2, nu1, nu2, eps float64
	bc1, bc2                    float64
}

var _ Optimizer = (*QHAdam)(nil)

func qhadamHyper() []hyperDef {
	return []hyperDef{
		def("lr", 0.001, nonNegative, "learning rate η; 0.001 as for Adam"),
		def("beta1", 0.999, unitOpen, docBeta1+"; 0.999 is the β Ma & Yarats recommend with ν = 0.7 for QHM (for QHAdam they suggest 0.995)"),
		def("beta2", 0.999, unitOpen, docBeta2+"; 0.999 is Ma & Yarats' recommended setting"),
		def("nu1", 0.7, unitClosed, "immediate discount ν1 weighting m̂ against g in the numerator; 0.7 is Ma & Yarats' recommendation, 1 is Adam"),
		def("nu2", 1.0, unitClosed, "immediate discount ν2 weighting v̂ against g² in the denominator; 1 (Ma & Yarats' recommendation) is Adam's denominator"),
		def("eps", 1e-8, nonNegative, docEps+" added to the denominator's root; 1e-8 as for Adam"),
	}
}

func newQHAdam(h map[string]float64, _ []float64) Optimizer {
	o := &QHAdam{beta1: h["beta1"], beta2: h["beta2"], nu1: h["nu1"], nu2: h["nu2"], eps: h["eps"]}
	o.core = newCore("qhadam", h, []string{"exp_avg", "exp_avg_sq"}, o)
	return o
}

func (o *QHAdam) begin(t int) {
	o.bc1 = 1 - pow(o.beta1, t)
	o.bc2 = 1 - pow(o.beta2, t)
}

func (o *QHAdam) update(theta, g []float64, s [][]float64) {
	lr, beta1, beta2, nu1, nu2, eps, bc1, bc2 := o.lr, o.beta1, o.beta2, o.nu1, o.nu2, o.eps, o.bc1, o.bc2
	n := len(theta)
	g, m, v := g[:n], s[0][:n], s[1][:n]
	for i := range theta {
		gi := g[i]
		m[i] = beta1*m[i] + (1-beta1)*gi
		v[i] = beta2*v[i] + (1-beta2)*gi*gi
		mhat := m[i] / bc1
		vhat := v[i] / bc2
		theta[i] -= lr * ((1-nu1)*gi + nu1*mhat) / (math.Sqrt((1-nu2)*gi*gi+nu2*vhat) + eps)
	}
}
