package vec

import "golang.org/x/sys/cpu"

// useAVX2 reports whether the assembly routines run on this CPU.
var useAVX2 = cpu.X86.HasAVX2

// sgdAVX2 is SGD on n elements, n a multiple of 16.
//
//go:noescape
func sgdAVX2(theta, grad *float32, n int, lr float64)

// finiteAVX2 is Finite on n elements, n a multiple of 32.
//
//go:noescape
func finiteAVX2(d *float32, n int) bool

// addAVX2 is Add on n elements, n a multiple of 32.
//
//go:noescape
func addAVX2(dst, x, y *float32, n int)

// adamAVX2 is Adam on n elements, n a multiple of 4.
//
//go:noescape
func adamAVX2(theta, grad *float32, m, v *float64, n int, c *adamConsts)

// momentumAVX2 is Momentum on n elements, n a multiple of 8.
//
//go:noescape
func momentumAVX2(theta, grad *float32, v *float64, n int, lr, gamma float64)
