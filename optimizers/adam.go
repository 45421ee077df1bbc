package optimizers

import (
	"math"

	"github.com/gorgonia-zoo/zoo/internal/vec"
)

// Adam keeps bias-corrected running averages of the gradient and of its
// square (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR
// 2015, arXiv:1412.6980, Algorithm 1):
//
//	m ← β1 m + (1 − β1) g
//	v ← β2 v + (1 − β2) g²
//	m̂ = m / (1 − β1^t)
//	v̂ = v / (1 − β2^t)
//	θ ← θ − η m̂ / (√v̂ + ε)
//
// with η = lr, β1 = beta1, β2 = beta2, ε = eps, t the step counted from 1
// and m = v = 0 initially. The first step moves every weight by about
// η·sign(g).
//
// Buffers (State.Slots order): exp_avg (m), exp_avg_sq (v).
type Adam struct {
	core
	beta1, beta2, eps float64
	bc1, bc2          float64 // 1 − β1^t, 1 − β2^t of the current step
}

var _ Optimizer = (*Adam)(nil)

// adamHyperLR returns the hyper-parameters shared by the Adam family.
func adamHyperLR(lr float64) []hyperDef {
	return []hyperDef{
		def("lr", lr, nonNegative, "learning rate η, Kingma & Ba's step size α; 0.001 is their default"),
		def("beta1", 0.9, unitOpen, docBeta1+"; 0.9 is Kingma & Ba's"),
		def("beta2", 0.999, unitOpen, docBeta2+"; 0.999 is Kingma & Ba's"),
		def("eps", 1e-8, nonNegative, docEps+" added to the root of the second moment; 1e-8 is Kingma & Ba's"),
	}
}

func adamHyper() []hyperDef { return adamHyperLR(0.001) }

func newAdam(h map[string]float64, _ []float64) Optimizer {
	o := &Adam{beta1: h["beta1"], beta2: h["beta2"], eps: h["eps"]}
	o.core = newCore("adam", h, []string{"exp_avg", "exp_avg_sq"}, o)
	return o
}

func (o *Adam) begin(t int) {
	o.bc1 = 1 - pow(o.beta1, t)
	o.bc2 = 1 - pow(o.beta2, t)
}

func (o *Adam) update(theta, g []float64, s [][]float64) {
	adamKernel(theta, g, s[0], s[1], o.lr, o.beta1, o.beta2, o.eps, o.bc1, o.bc2)
}

// update32 is update for float32 data (see float32Kernel): Adam is the
// optimizer of most recipes. vec.Adam does adamKernel's operations in its
// order, four elements at a time with AVX2.
func (o *Adam) update32(theta, g []float32, s [][]float64) {
	vec.Adam(theta, g, s[0], s[1], o.lr, o.beta1, o.beta2, o.eps, o.bc1, o.bc2)
}

// adamKernel is Adam's update, shared with AdamW.
func adamKernel(theta, g, m, v []float64, lr, beta1, beta2, eps, bc1, bc2 float64) {
	g, m, v = g[:len(theta)], m[:len(theta)], v[:len(theta)]
	// The float64 conversions round every product before its sum, so that
	// no compiler fuses them (GOAMD64=v3, arm64): the float32 path
	// (vec.Adam) computes exactly this.
	for i := range theta {
		m[i] = float64(beta1*m[i]) + float64((1-beta1)*g[i])
		v[i] = float64(beta2*v[i]) + float64(float64((1-beta2)*g[i])*g[i])
		mhat := m[i] / bc1
		vhat := v[i] / bc2
		theta[i] -= float64(lr*mhat) / (math.Sqrt(vhat) + eps)
	}
}
