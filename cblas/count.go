package cblas

import (
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gorgonia.org/gorgonia"
)

// Counter is a BLAS that counts the floating-point operations of the
// matrix products it computes and has another BLAS compute them, unchanged:
// 2·m·n·k for a gemm (C m×n, inner size k), 2·m·n for a gemv and a ger
// (rank-one update), in either precision — one multiply and one add per
// term, the usual count, leaving out the scaling by alpha and beta.
// Level-1 calls (dot, axpy, …) are not products and are not counted.
//
// Every matrix product of a zoo model goes through the BLAS Gorgonia uses
// (gorgonia.Use), so a Counter installed there for the length of a run
// (see Count) counts all of them: training steps forward and backward,
// validation, test and any other evaluation, an sdae's pretraining.
type Counter struct {
	gorgonia.BLAS
	flops atomic.Int64
}

var _ gorgonia.BLAS = (*Counter)(nil)

// NewCounter returns a Counter computing with b.
func NewCounter(b gorgonia.BLAS) *Counter { return &Counter{BLAS: b} }

// Flops returns the operations of the products computed so far.
func (c *Counter) Flops() int64 { return c.flops.Load() }

// Count installs a Counter around the BLAS Gorgonia uses now, for one run,
// and returns it with the function that puts the previous BLAS back.
//
// Gorgonia's BLAS is one for the whole process, so the Counter counts the
// products of everything computed in the process meanwhile: two runs at
// the same time in one process would each count the other's products too
// (zoo runs one per process; a sweep runs its points as processes of their
// own). The results are unaffected either way: the products are computed
// by the same BLAS, in the same way. The function returned restores the
// previous BLAS only if the Counter is still the one in use.
func Count() (c *Counter, restore func()) {
	prev := gorgonia.WhichBLAS()
	c = NewCounter(prev)
	gorgonia.Use(c)
	return c, func() {
		if gorgonia.WhichBLAS() == gorgonia.BLAS(c) {
			gorgonia.Use(prev)
		}
	}
}

func (c *Counter) add(terms ...int) {
	f := int64(2)
	for _, t := range terms {
		if t <= 0 {
			return
		}
		f *= int64(t)
	}
	c.flops.Add(f)
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C in single precision and
// counts 2·m·n·k.
func (c *Counter) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, cc []float32, ldc int) {
	c.BLAS.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
	c.add(m, n, k)
}

// Dgemm computes C = alpha·op(A)·op(B) + beta·C in double precision and
// counts 2·m·n·k.
func (c *Counter) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, cc []float64, ldc int) {
	c.BLAS.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
	c.add(m, n, k)
}

// Sgemv computes y = alpha·op(A)·x + beta·y in single precision and counts
// 2·m·n.
func (c *Counter) Sgemv(tA blas.Transpose, m, n int, alpha float32, a []float32, lda int, x []float32, incX int, beta float32, y []float32, incY int) {
	c.BLAS.Sgemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
	c.add(m, n)
}

// Dgemv computes y = alpha·op(A)·x + beta·y in double precision and counts
// 2·m·n.
func (c *Counter) Dgemv(tA blas.Transpose, m, n int, alpha float64, a []float64, lda int, x []float64, incX int, beta float64, y []float64, incY int) {
	c.BLAS.Dgemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
	c.add(m, n)
}

// Sger computes A += alpha·x·yᵀ in single precision and counts 2·m·n.
func (c *Counter) Sger(m, n int, alpha float32, x []float32, incX int, y []float32, incY int, a []float32, lda int) {
	c.BLAS.Sger(m, n, alpha, x, incX, y, incY, a, lda)
	c.add(m, n)
}

// Dger computes A += alpha·x·yᵀ in double precision and counts 2·m·n.
func (c *Counter) Dger(m, n int, alpha float64, x []float64, incX int, y []float64, incY int, a []float64, lda int) {
	c.BLAS.Dger(m, n, alpha, x, incX, y, incY, a, lda)
	c.add(m, n)
}
