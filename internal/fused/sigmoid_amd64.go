package fused

import "golang.org/x/sys/cpu"

// hasAVX2 reports whether the CPU (and the operating system) runs the
// routines of sigmoid_amd64.s.
var hasAVX2 = cpu.X86.HasAVX2

// sigmoidAsm32 computes σ of the first len(src)&^7 elements of src into
// dst as sigmoidGo32 does, bit for bit, and returns how many it did: 0
// without AVX2.
func sigmoidAsm32(dst, src []float32) int {
	n := len(src) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	_ = dst[n-1]
	sigmoid32AVX2(&dst[0], &src[0], n)
	return n
}

// sigmoidAsm64 is sigmoidAsm32 stopped before the rounding to float32 and
// the saturation, for the tests: dst[i] = 1/(1 + e^−src[i]) in float64,
// garbage where src[i] is outside (−120, 40).
func sigmoidAsm64(dst []float64, src []float32) int {
	n := len(src) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	_ = dst[n-1]
	sigmoid64AVX2(&dst[0], &src[0], n)
	return n
}

// sigmoidGradAsm32 is sigmoidGrad of the first len(y)&^7 elements, bit for
// bit, and returns how many it did: 0 without AVX2.
func sigmoidGradAsm32(dx, y, dy []float32) int {
	n := len(y) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	_, _ = dx[n-1], dy[n-1]
	sigmoidGrad32AVX2(&dx[0], &y[0], &dy[0], n)
	return n
}

// sigmoid32AVX2 sets dst[i] = σ(src[i]) for i < n, a positive multiple of 8.
//
//go:noescape
func sigmoid32AVX2(dst, src *float32, n int)

// sigmoidGrad32AVX2 sets dx[i] = dy[i]·(y[i]·(1 − y[i])) for i < n, a
// positive multiple of 8.
//
//go:noescape
func sigmoidGrad32AVX2(dx, y, dy *float32, n int)

// sigmoid64AVX2 is sigmoidAsm64 for i < n, a positive multiple of 8.
//
//go:noescape
func sigmoid64AVX2(dst *float64, src *float32, n int)
