package sgemm

import "golang.org/x/sys/cpu"

// hasAVX2 reports whether the CPU runs the assembly routines (AVX2 and
// FMA3; cpu.X86.HasAVX2 includes the operating system's support for the
// YMM registers).
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// avx2 is the arch of kernel_amd64.s.
var avx2 = arch{name: "avx2", kernel: kernelAVX2, transpose8: transpose8AVX2, gatherA: packA6AVX2, copyA: copyA6AVX2, prefetch: prefetchRowsAVX2}

// native is the arch Sgemm uses.
var native = portable

func init() {
	if hasAVX2 {
		native = avx2
	}
}

// kernelAVX2 is the 6×16 micro-kernel of kernel_amd64.s; see kernelFunc.
//
//go:noescape
func kernelAVX2(kc int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)

// transpose8AVX2 is the transposing packer of kernel_amd64.s; see
// transposeFunc.
//
//go:noescape
func transpose8AVX2(blocks int, src *float32, lds int, dst *float32)

// packA6AVX2 is the gathering A packer of kernel_amd64.s; see packFunc.
//
//go:noescape
func packA6AVX2(kb int, src *float32, lds int, dst *float32)

// copyA6AVX2 is the copying A packer of kernel_amd64.s; see packFunc.
//
//go:noescape
func copyA6AVX2(kb int, src *float32, lds int, dst *float32)

// prefetchRowsAVX2 is the prefetcher of kernel_amd64.s; see prefetchFunc.
//
//go:noescape
func prefetchRowsAVX2(rows int, p *float32, ld int)
