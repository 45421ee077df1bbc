// Package sgemm is a pure-Go single-precision matrix product, the one BLAS
// routine that decides how fast zoo trains when no CBLAS library is
// installed.
//
// gonum's Sgemm multiplies unpacked 64×64 blocks with a vectorised dot
// product; on a 2-core AVX2 machine it reaches 6–13 GFLOP/s, a tenth of
// what the hardware can do. This package follows the design every fast
// BLAS uses instead, from K. Goto and R. A. van de Geijn, "Anatomy of
// high-performance matrix multiplication", ACM TOMS 34(3), 2008, in the
// loop structure of F. G. Van Zee and R. A. van de Geijn, "BLIS: A
// framework for rapidly instantiating BLAS functionality", ACM TOMS 41(3),
// 2015:
//
//	for jc in steps of nc over the columns of C          (B block in L3)
//	  for pc in steps of kc over the inner dimension
//	    pack op(B)[pc:pc+kc, jc:jc+nc] into nr-wide panels
//	    for ic in steps of mc over the rows of C          (A block in L2)
//	      pack op(A)[ic:ic+mc, pc:pc+kc] into mr-high panels
//	      for jr in steps of nr: for ir in steps of mr:   (B panel in L1)
//	        C[ir:ir+mr, jr:jr+nr] = α·Apanel·Bpanel + β·C (micro-kernel)
//
// Packing turns every transpose combination into the same contiguous,
// zero-padded layout, so there is one micro-kernel, which keeps an mr×nr =
// 6×16 tile of C in twelve YMM registers and streams the panels through
// them with broadcasts and fused multiply-adds (kernel_amd64.s). Other CPUs
// get the same blocking with a portable Go micro-kernel. What the hardware
// prefetcher misses is asked for ahead: each kernel call's C tile (often a
// weight gradient, written once a step, out of cache) and, a panel ahead,
// the rows of a B panel read in place, ldb elements apart.
//
// Work is shared between goroutines by splitting C into column (or row)
// ranges aligned to the micro-tile, each computed whole by whichever
// goroutine claims it.
// Every element of C is therefore summed in the same order, over the same
// kc-blocks, whatever the number of goroutines: results are bit-identical
// for any GOMAXPROCS, which keeps training runs reproducible.
package sgemm
