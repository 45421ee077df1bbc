package cblas

import (
	"github.com/gorgonia-zoo/zoo/internal/sgemm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gorgonia.org/gorgonia"
)

var _ gorgonia.BLAS = PureGo{}

// PureGo is the BLAS without a library: gonum's pure-Go implementation
// with Sgemm replaced by zoo's packed, cache-blocked and parallel one
// (internal/sgemm), which runs an AVX2+FMA micro-kernel in Go assembly and
// is 5–10× faster than gonum's on the products of training. Single
// precision is what zoo trains in; Dgemm and the rest stay gonum's.
type PureGo struct {
	gonum.Implementation
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C in single precision, with
// gonum's semantics and panics.
func (PureGo) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemm.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// pureGo returns the pure-Go BLAS for this CPU and its description: PureGo
// where internal/sgemm has its assembly kernel, else gonum's, whose Sgemm
// is at least as fast as the portable kernel there.
func pureGo(reason string) (gorgonia.BLAS, Info) {
	if sgemm.UsesAVX2() {
		return PureGo{}, Info{Name: pureName, Kernel: "avx2", Reason: reason}
	}
	return gonum.Implementation{}, Info{Name: pureName, Reason: reason}
}
