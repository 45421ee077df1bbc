// Package vec holds the float32 loops that run over every parameter,
// gradient or activation of a network at every training step: the SGD and
// Adam updates, the finiteness check, element-wise addition. Go does not
// vectorise loops, and these are long enough (millions of elements) that the
// scalar versions cost several percent of a step; on amd64 with AVX2 they run
// as assembly.
//
// Every routine gives, bit for bit, the result of its scalar Go version
// (kept here as the reference and as the fallback; the payload of a NaN
// aside): the assembly performs the same IEEE operations on each element,
// in the same order and without fused multiply-adds, only several elements
// at once.
package vec

import "math"

// SGD sets theta[i] = float32(float64(theta[i]) − lr·float64(g[i])): the
// plain gradient step computed in float64 and rounded once. g must be at
// least as long as theta.
func SGD(theta, g []float32, lr float64) {
	g = g[:len(theta)]
	n := 0
	if useAVX2 {
		n = len(theta) &^ 15
		if n > 0 {
			sgdAVX2(&theta[0], &g[0], n, lr)
		}
	}
	sgdGo(theta[n:], g[n:], lr)
}

func sgdGo(theta, g []float32, lr float64) {
	g = g[:len(theta)]
	for i := range theta {
		// The conversion rounds the product before the subtraction, as
		// the assembly does, whatever the compiler would fuse.
		theta[i] = float32(float64(theta[i]) - float64(lr*float64(g[i])))
	}
}

// Finite reports whether every element of d is finite (neither NaN nor
// ±Inf).
func Finite(d []float32) bool {
	n := 0
	if useAVX2 {
		n = len(d) &^ 31
		if n > 0 && !finiteAVX2(&d[0], n) {
			return false
		}
	}
	return finiteGo(d[n:])
}

// finiteGo tests the exponent bits: all ones is NaN or ±Inf.
func finiteGo(d []float32) bool {
	for _, x := range d {
		if x-x != 0 {
			return false
		}
	}
	return true
}

// Add sets dst[i] = x[i] + y[i]. x and y must be at least as long as dst;
// dst may be x or y.
func Add(dst, x, y []float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	n := 0
	if useAVX2 {
		n = len(dst) &^ 31
		if n > 0 {
			addAVX2(&dst[0], &x[0], &y[0], n)
		}
	}
	addGo(dst[n:], x[n:], y[n:])
}

func addGo(dst, x, y []float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + y[i]
	}
}

// Adam is one step of Adam on float32 parameters with float64 moments:
//
//	m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g·g
//	θ ← float32(θ − lr·(m/bc1) / (√(v/bc2) + ε))
//
// in float64, in this order of operations (bc1 and bc2 are the bias
// corrections 1 − β^t). g, m and v must be at least as long as theta.
func Adam(theta, g []float32, m, v []float64, lr, beta1, beta2, eps, bc1, bc2 float64) {
	g, m, v = g[:len(theta)], m[:len(theta)], v[:len(theta)]
	n := 0
	if useAVX2 {
		n = len(theta) &^ 3
		if n > 0 {
			c := adamConsts{lr, beta1, beta2, eps, bc1, bc2, 1 - beta1, 1 - beta2}
			adamAVX2(&theta[0], &g[0], &m[0], &v[0], n, &c)
		}
	}
	adamGo(theta[n:], g[n:], m[n:], v[n:], lr, beta1, beta2, eps, bc1, bc2)
}

// Momentum is the heavy-ball update of classical momentum (Polyak 1964) on
// float32 parameters with float64 velocity:
//
//	v[i] = γ·v[i] + lr·g[i],  θ[i] = float32(float64(θ[i]) − v[i]).
func Momentum(theta, g []float32, v []float64, lr, gamma float64) {
	g, v = g[:len(theta)], v[:len(theta)]
	n := 0
	if useAVX2 {
		n = len(theta) &^ 7
		if n > 0 {
			momentumAVX2(&theta[0], &g[0], &v[0], n, lr, gamma)
		}
	}
	momentumGo(theta[n:], g[n:], v[n:], lr, gamma)
}

// momentumGo is Momentum in Go. The conversions round every product before
// its sum, as the assembly does, whatever the compiler would fuse.
func momentumGo(theta, g []float32, v []float64, lr, gamma float64) {
	g, v = g[:len(theta)], v[:len(theta)]
	for i := range theta {
		v[i] = float64(gamma*v[i]) + float64(lr*float64(g[i]))
		theta[i] = float32(float64(theta[i]) - v[i])
	}
}

// adamConsts is the layout adamAVX2 reads its constants from.
type adamConsts struct{ lr, beta1, beta2, eps, bc1, bc2, c1, c2 float64 }

// adamGo is Adam in Go. The conversions round every product before its
// sum, as the assembly does, whatever the compiler would fuse.
func adamGo(theta, g []float32, m, v []float64, lr, beta1, beta2, eps, bc1, bc2 float64) {
	g, m, v = g[:len(theta)], m[:len(theta)], v[:len(theta)]
	c1, c2 := 1-beta1, 1-beta2
	for i := range theta {
		gi := float64(g[i])
		m[i] = float64(beta1*m[i]) + float64(c1*gi)
		v[i] = float64(beta2*v[i]) + float64(float64(c2*gi)*gi)
		mhat := m[i] / bc1
		vhat := v[i] / bc2
		theta[i] = float32(float64(theta[i]) - float64(lr*mhat)/(math.Sqrt(vhat)+eps))
	}
}
