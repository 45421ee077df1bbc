// Package vec holds the float32 loops that run over every parameter,
// gradient or activation of a network at every training step: the SGD
// update, the finiteness check, element-wise addition. Go does not vectorise loops, and these are long enough
// (millions of elements) that the scalar versions cost several percent of a
// step; on amd64 with AVX2 they run as assembly.
//
// Every routine gives, bit for bit, the result of its scalar Go version
// (kept here as the reference and as the fallback): the assembly performs
// the same IEEE operations on each element, only several elements at once.
package vec

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
		theta[i] = float32(float64(theta[i]) - lr*float64(g[i]))
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
