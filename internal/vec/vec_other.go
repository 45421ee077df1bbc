//go:build !amd64

package vec

const useAVX2 = false

func sgdAVX2(theta, grad *float32, n int, lr float64) { panic("vec: no AVX2") }

func finiteAVX2(d *float32, n int) bool { panic("vec: no AVX2") }

func addAVX2(dst, x, y *float32, n int) { panic("vec: no AVX2") }

func adamAVX2(theta, grad *float32, m, v *float64, n int, c *adamConsts) { panic("vec: no AVX2") }

func momentumAVX2(theta, grad *float32, v *float64, n int, lr, gamma float64) {
	panic("vec: no AVX2")
}
