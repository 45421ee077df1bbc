package optimizers

import "math"

// AdaDelta adapts the step to the ratio of running RMS values of past
// updates and gradients (Zeiler, "ADADELTA: An Adaptive Learning Rate
// Method", arXiv:1212.5701, 2012, Algorithm 1):
//
//	E[g²]  ← ρ E[g²] + (1 − ρ) g²
//	Δ      ← −√(E[Δ²] + ε) / √(E[g²] + ε) · g
//	E[Δ²]  ← ρ E[Δ²] + (1 − ρ) Δ²
//	θ      ← θ + η Δ
//
// with ρ = rho, ε = eps inside both square roots, η = lr (1 in Zeiler's
// algorithm; E[Δ²] accumulates the unscaled Δ) and both averages 0
// initially.
//
// Buffers (State.Slots order): square_avg (E[g²]), acc_delta (E[Δ²]).
type AdaDelta struct {
	core
	rho, eps float64
}

var _ Optimizer = (*AdaDelta)(nil)

func adadeltaHyper() []hyperDef {
	return []hyperDef{
		def("lr", 1.0, nonNegative, "learning rate η scaling the update; 1 is Zeiler's method, which needs no learning rate"),
		def("rho", 0.95, unitOpen, "decay rate ρ of both running averages; 0.95 is Zeiler's"),
		def("eps", 1e-6, positive, docEps+" inside both square roots; Zeiler's 1e-6 also sets the size of the first steps (with eps = 0 the method never moves)"),
	}
}

func newAdaDelta(h map[string]float64, _ []float64) Optimizer {
	o := &AdaDelta{rho: h["rho"], eps: h["eps"]}
	o.core = newCore("adadelta", h, []string{"square_avg", "acc_delta"}, o)
	return o
}

func (o *AdaDelta) begin(int) {}

func (o *AdaDelta) update(theta, g []float64, s [][]float64) {
	lr, rho, eps := o.lr, o.rho, o.eps
	g, eg, edx := g[:len(theta)], s[0][:len(theta)], s[1][:len(theta)]
	for i := range theta {
		eg[i] = rho*eg[i] + (1-rho)*g[i]*g[i]
		delta := -math.Sqrt(edx[i]+eps) / math.Sqrt(eg[i]+eps) * g[i]
		edx[i] = rho*edx[i] + (1-rho)*delta*delta
		theta[i] += lr * delta
	}
}
